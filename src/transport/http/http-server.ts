// The HTTP/1.1 JSON transport, on node:http: its lifecycle, the limits it
// puts on every request before routing (target length, body size,
// connections), readiness and shutdown. What each path does is in routes.ts;
// like the other transports it translates and admits, and every business rule
// stays in the StoreService.

import {
  createServer as createPlainServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { Socket } from "node:net";
import { WorkerPool } from "../../concurrency/worker-pool.js";
import type { StoreService } from "../../service/store-service.js";
import { sendProblemFor } from "./course-routes.js";
import { type DispatchContext, dispatch } from "./dispatch.js";
import type { HttpMetrics, ServerState } from "./endpoint.js";
import { type HttpServerOptions, resolveHttpServerOptions } from "./http-options.js";
import { problem } from "./problem.js";
import { rawHeader } from "./raw-header.js";
import { loadStorefront } from "./static-files.js";
import { StockEvents } from "./stock-events.js";

export type { HttpMetrics } from "./endpoint.js";
export { HTTP_SERVER_DEFAULTS, HTTP_SERVER_OPTIONS, type HttpServerOptions } from "./http-options.js";

export interface HttpServerSetup extends HttpServerOptions {
  readonly service: StoreService;
  readonly metrics?: HttpMetrics;
  /** The staff's bearer token for PUT /api/toys/{name}; without one the admin API is off (404). */
  readonly adminToken?: string;
  /** Serve HTTPS with this certificate and key (PEM). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Told of a refused admin token (a wrong one is worth a log line). */
  readonly onAdminRefused?: (remote: string | undefined) => void;
}

export interface HttpServerHandle {
  readonly address: { readonly host: string; readonly port: number };
  readonly connections: number;
  /** Stops accepting, answers what is in flight, ends event streams; after `graceMs` closes what is left. */
  close(graceMs?: number): Promise<void>;
  /**
   * Whether the server can answer now (false: its store's database is away,
   * `reason` says why): /readyz answers 200, or 503 with the reason. Shutting
   * down answers 503 whatever this says.
   */
  setReady(ready: boolean, reason?: string): void;
}

/** Starts the server; resolves once it listens (rejects if it cannot, e.g. the port is taken). */
export async function startHttpServer(setup: HttpServerSetup): Promise<HttpServerHandle> {
  const options = resolveHttpServerOptions(setup);
  const { service, metrics } = setup;
  const pool = new WorkerPool({ size: options.maxConcurrency, maxQueued: options.maxQueued });
  const events = new StockEvents(service, {
    maxStreams: options.maxEventStreams,
    maxBacklogBytes: options.maxEventBacklogBytes,
  });
  const open = new Set<Socket>();
  let closing: Promise<void> | undefined;
  /** Why the server cannot answer now; undefined: it can. */
  let notReady: string | undefined;
  const state: ServerState = {
    get closing() {
      return closing !== undefined;
    },
    get notReady() {
      return notReady;
    },
    events,
    metrics,
  };
  const context: DispatchContext = {
    service,
    pool,
    recorder: metrics?.recorder("http"),
    maxBodyBytes: options.maxBodyBytes,
    admin: { token: setup.adminToken, onRefused: setup.onAdminRefused },
    server: state,
    storefront: await loadStorefront(),
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    // A character is at most 3 UTF-8 bytes: most targets are let through without counting.
    if (url.length * 3 > options.maxUrlBytes && Buffer.byteLength(url) > options.maxUrlBytes)
      return sendProblemFor(path)(
        res,
        problem("uri_too_long", `the request target is over ${options.maxUrlBytes} bytes`),
      );
    // A declared length over the limit is refused before a byte of it is read; a chunked body is counted as it comes (body.ts).
    const length = Number(rawHeader(req, "content-length") ?? 0);
    if (length > options.maxBodyBytes)
      return sendProblemFor(path)(
        res,
        problem("content_too_large", `bodies are at most ${options.maxBodyBytes} bytes`),
        { connection: "close" },
      );
    // Health and readiness answer to the end: a supervisor watches them through the shutdown.
    if (closing !== undefined && !url.startsWith("/healthz") && !url.startsWith("/readyz"))
      return sendProblemFor(path)(res, problem("shutting_down", "shutting down"), { connection: "close" });
    dispatch(req, res, path, context);
  };

  const serverOptions = {
    maxHeaderSize: options.maxHeaderBytes,
    headersTimeout: options.headersTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
  };
  const server: Server =
    setup.tls === undefined
      ? createPlainServer(serverOptions, handle)
      : createTlsServer({ ...serverOptions, cert: setup.tls.cert, key: setup.tls.key }, handle);
  server.maxConnections = options.maxConnections;
  server.on("connection", (socket: Socket) => {
    open.add(socket);
    socket.once("close", () => open.delete(socket));
  });
  // A malformed request (or one over the header limit) gets a bare 400 and the connection closes.
  server.on("clientError", (_error, socket: Socket) => {
    if (socket.writable)
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });
  metrics?.watchPool("http", pool);
  metrics?.watchConnections("http", () => open.size);

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    events.close();
    throw error;
  }
  const bound = server.address();
  const port = typeof bound === "object" && bound !== null ? bound.port : options.port;

  return {
    address: { host: options.host, port },
    get connections() {
      return open.size;
    },
    close(graceMs = 10_000) {
      closing ??= (async () => {
        events.close();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Past the grace period, whatever is still open (a slow client, a stuck request) is cut.
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        await pool.close();
        // The requests in flight are answered: their keep-alive connections are idle now.
        server.closeIdleConnections();
        await stopped;
        clearTimeout(timer);
      })();
      return closing;
    },
    setReady(ready, reason) {
      notReady = ready ? undefined : (reason ?? "store unavailable");
    },
  };
}
