// The endpoints the server answers itself, without the store's operations:
// the event stream, the live stats, the OpenAPI document, health, readiness
// and the Prometheus metrics.

import type { StatsJson } from "./api.js";
import type { HandlerEndpoint } from "./endpoint.js";
import { OPENAPI_DOCUMENT } from "./openapi.js";
import { problem } from "./problem.js";
import { sendJson, sendProblem } from "./reply.js";

/** GET /api/events: Server-Sent Events (stock-events.ts); 503 beyond the stream limit, or while shutting down. */
export const eventsEndpoint: HandlerEndpoint = {
  handle(req, res, server) {
    if (server.closing || !server.events.attach(req, res))
      sendProblem(res, problem("busy", "too many event streams, or shutting down"));
  },
};

/** GET /api/stats: the storefront's live panel, from the server's own metrics. */
export const statsEndpoint: HandlerEndpoint = {
  handle(_req, res, server) {
    sendJson(res, server.metrics?.stats() ?? ({ transports: {} } satisfies StatsJson));
  },
};

/** GET /api/openapi.json */
export const openApiEndpoint: HandlerEndpoint = {
  handle(_req, res) {
    sendJson(res, OPENAPI_DOCUMENT);
  },
};

/** GET /healthz: the process is up. */
export const healthEndpoint: HandlerEndpoint = {
  handle(_req, res) {
    sendJson(res, { status: "ok" });
  },
};

/** GET /readyz: 200 while the server takes requests; 503 shutting down, or while its store's database is away. */
export const readyEndpoint: HandlerEndpoint = {
  handle(_req, res, server) {
    if (server.closing) sendProblem(res, problem("shutting_down", "shutting down"));
    else if (server.notReady !== undefined) sendProblem(res, problem("unavailable", server.notReady));
    else sendJson(res, { status: "ready" });
  },
};

/** GET /metrics: Prometheus text; 404 when the server keeps none. */
export const metricsEndpoint: HandlerEndpoint = {
  handle(_req, res, server) {
    const metrics = server.metrics;
    if (metrics === undefined) return sendProblem(res, problem("not_found", "metrics are off"));
    metrics.text().then(
      (text) => {
        res.writeHead(200, { "content-type": metrics.contentType });
        res.end(text);
      },
      () => sendProblem(res, problem("internal", "metrics failed")),
    );
  },
};
