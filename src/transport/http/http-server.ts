// The HTTP/1.1 JSON transport, on node:http: the API, the storefront, the
// event stream, health, readiness and metrics. Like the other transports it
// translates and admits; every business rule stays in the StoreService.

import { timingSafeEqual } from "node:crypto";
import {
  createServer as createPlainServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { Socket } from "node:net";
import { formatPrice, type Op, parsePriceCents } from "../../catalog/toy.js";
import { WorkerPool } from "../../concurrency/worker-pool.js";
import type { StoreService } from "../../service/store-service.js";
import type { OrderJson, StatsJson, ToyListJson } from "./api.js";
import { type HttpServerOptions, resolveHttpServerOptions } from "./http-options.js";
import { HttpTask, type RequestRecorder, sendJson, ToyDirectory, toyJson } from "./http-task.js";
import { OPENAPI_DOCUMENT } from "./openapi.js";
import { problem, sendProblem } from "./problem.js";
import { loadStorefront, type StaticFile } from "./static-files.js";
import { StockEvents } from "./stock-events.js";

export { HTTP_SERVER_DEFAULTS, HTTP_SERVER_OPTIONS, type HttpServerOptions } from "./http-options.js";

/** What the HTTP server needs of the metrics (observability/metrics.ts's StoreMetrics). */
export interface HttpMetrics {
  recorder(transport: "http"): RequestRecorder;
  watchPool(transport: "http", pool: { stats(): { busy: number; queued: number } }): void;
  watchConnections(transport: "http", count: () => number): void;
  stats(): StatsJson;
  text(): Promise<string>;
  readonly contentType: string;
}

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

/** A route's handler; `param` is its path parameter, decoded ("" when it has none). */
type Handler = (req: IncomingMessage, res: ServerResponse, param: string) => void;

interface Route {
  readonly path: string | RegExp;
  readonly methods: Readonly<Record<string, Handler>>;
}

const TOY_ROUTE = /^\/api\/toys\/([^/]+)$/;
const BUY_ROUTE = /^\/api\/toys\/([^/]+)\/buy$/;
const ORDER_ROUTE = /^\/api\/orders\/([^/]+)$/;

export async function startHttpServer(setup: HttpServerSetup): Promise<HttpServerHandle> {
  const options = resolveHttpServerOptions(setup);
  const { service, metrics } = setup;
  const directory = new ToyDirectory();
  for (const toy of await service.list()) directory.set(toy.name, toy.priceCents);
  const pool = new WorkerPool({ size: options.maxConcurrency, maxQueued: options.maxQueued });
  const events = new StockEvents(service, directory, {
    maxStreams: options.maxEventStreams,
    maxBacklogBytes: options.maxEventBacklogBytes,
  });
  const storefront = await loadStorefront();
  const recorder = metrics?.recorder("http");
  const open = new Set<Socket>();
  let closing: Promise<void> | undefined;
  /** Why the server cannot answer now; undefined: it can. */
  let notReady: string | undefined;

  const submit = (op: Op, name: string, res: ServerResponse, requestKey?: string): void => {
    const refusal = pool.submit(new HttpTask(op, name, res, service, directory, recorder, requestKey));
    if (refusal === "busy") sendProblem(res, problem(503, "busy", "too many requests queued, try again"));
    else if (refusal !== null) sendProblem(res, problem(503, "shutting_down", "shutting down"));
  };

  const sendMetrics: Handler = (_req, res) => {
    if (metrics === undefined) return sendProblem(res, problem(404, "not_found", "metrics are off"));
    metrics.text().then(
      (text) => {
        res.writeHead(200, { "content-type": metrics.contentType });
        res.end(text);
      },
      () => sendProblem(res, problem(500, "internal", "metrics failed")),
    );
  };
  // Each path with the methods it takes; a path's one parameter is decoded before its handler runs.
  const table: readonly Route[] = [
    { path: "/api/toys", methods: { GET: (_req, res) => listToys(service, res) } },
    { path: BUY_ROUTE, methods: { POST: (req, res, name) => submit("buy", name, res, idempotencyKey(req)) } },
    {
      path: TOY_ROUTE,
      methods: {
        GET: (_req, res, name) => submit("query", name, res),
        PUT: (req, res, name) => restock(req, res, name, setup, directory, options.maxBodyBytes),
      },
    },
    { path: ORDER_ROUTE, methods: { GET: (_req, res, id) => sendOrder(service, id, res) } },
    {
      path: "/api/events",
      methods: {
        GET: (req, res) => {
          if (closing !== undefined || !events.attach(req, res))
            sendProblem(res, problem(503, "busy", "too many event streams, or shutting down"));
        },
      },
    },
    {
      path: "/api/stats",
      methods: {
        GET: (_req, res) => sendJson(res, 200, metrics?.stats() ?? ({ transports: {} } satisfies StatsJson)),
      },
    },
    { path: "/api/openapi.json", methods: { GET: (_req, res) => sendJson(res, 200, OPENAPI_DOCUMENT) } },
    { path: "/healthz", methods: { GET: (_req, res) => sendJson(res, 200, { status: "ok" }) } },
    {
      path: "/readyz",
      methods: {
        GET: (_req, res) => {
          if (closing !== undefined) sendProblem(res, problem(503, "shutting_down", "shutting down"));
          else if (notReady !== undefined) sendProblem(res, problem(503, "unavailable", notReady));
          else sendJson(res, 200, { status: "ready" });
        },
      },
    },
    { path: "/metrics", methods: { GET: sendMetrics } },
  ];

  const routes = (req: IncomingMessage, res: ServerResponse, path: string) => {
    const method = req.method ?? "GET";
    for (const route of table) {
      const match =
        typeof route.path === "string" ? (route.path === path ? [path] : null) : route.path.exec(path);
      if (match === null) continue;
      const handler = route.methods[method];
      if (handler === undefined) {
        const allow = Object.keys(route.methods).join(", ");
        sendProblem(res, problem(405, "method_not_allowed", `${method} is not allowed here`), { allow });
        return;
      }
      const param = match[1] === undefined ? "" : decodeName(match[1], res);
      if (param !== undefined) handler(req, res, param);
      return;
    }
    const file: StaticFile | undefined = storefront.get(path === "/" ? "/index.html" : path);
    if (file === undefined) return sendProblem(res, problem(404, "not_found", `nothing at ${path}`));
    if (method !== "GET" && method !== "HEAD")
      return sendProblem(res, problem(405, "method_not_allowed", `${method} is not allowed here`), {
        allow: "GET, HEAD",
      });
    res.writeHead(200, {
      "content-type": file.type,
      "content-length": file.body.length,
      "cache-control": "no-cache",
    });
    res.end(method === "HEAD" ? undefined : file.body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    if (Buffer.byteLength(url) > options.maxUrlBytes)
      return sendProblem(
        res,
        problem(414, "uri_too_long", `the request target is over ${options.maxUrlBytes} bytes`),
      );
    const length = Number(req.headers["content-length"] ?? 0);
    if (length > options.maxBodyBytes)
      return sendProblem(
        res,
        problem(413, "content_too_large", `bodies are at most ${options.maxBodyBytes} bytes`),
        {
          connection: "close",
        },
      );
    if (closing !== undefined && !url.startsWith("/healthz") && !url.startsWith("/readyz"))
      return sendProblem(res, problem(503, "shutting_down", "shutting down"), { connection: "close" });
    const query = url.indexOf("?");
    routes(req, res, query === -1 ? url : url.slice(0, query));
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
  // A malformed request (or one over the header limit) gets Node's 400 or 431 and the connection closes.
  server.on("clientError", (_error, socket: Socket) => {
    if (socket.writable)
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });
  metrics?.watchPool("http", pool);
  metrics?.watchConnections("http", () => open.size);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
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
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        await pool.close();
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

/** A path segment as text; a malformed escape is a 400. */
function decodeName(segment: string, res: ServerResponse): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    sendProblem(res, problem(400, "bad_request", "the name is not valid URL-encoded UTF-8"));
    return undefined;
  }
}

function listToys(service: StoreService, res: ServerResponse): void {
  service.list().then(
    (toys) => {
      const body: ToyListJson = { toys: toys.map((t) => toyJson(t.name, t.priceCents, t.stock)) };
      sendJson(res, 200, body);
    },
    () => sendProblem(res, problem(503, "unavailable", "store unavailable")),
  );
}

function sendOrder(service: StoreService, id: string, res: ServerResponse): void {
  service.order(id).then(
    (order) => {
      if (order === undefined) return sendProblem(res, problem(404, "not_found", `no order ${id}`));
      const body: OrderJson = {
        id: order.id,
        toy: order.toy,
        price: formatPrice(order.unitPriceCents),
        priceCents: order.unitPriceCents,
        time: order.time,
      };
      sendJson(res, 200, body);
    },
    () => sendProblem(res, problem(503, "unavailable", "store unavailable")),
  );
}

/** Whether the request carries the staff's token; compared in constant time. */
function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? "";
  const given = Buffer.from(header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "");
  const wanted = Buffer.from(token);
  // timingSafeEqual needs equal lengths; comparing against itself keeps the time the same either way.
  return given.length === wanted.length ? timingSafeEqual(given, wanted) : !timingSafeEqual(wanted, wanted);
}

function restock(
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  setup: HttpServerSetup,
  directory: ToyDirectory,
  maxBodyBytes: number,
) {
  const token = setup.adminToken;
  if (token === undefined || token === "")
    return sendProblem(res, problem(404, "not_found", "the admin API is off"));
  if (!authorized(req, token)) {
    setup.onAdminRefused?.(req.socket.remoteAddress);
    return sendProblem(res, problem(401, "unauthorized", "a valid bearer token is needed"), {
      "www-authenticate": 'Bearer realm="toystore"',
    });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBodyBytes) {
      sendProblem(res, problem(413, "content_too_large", `bodies are at most ${maxBodyBytes} bytes`), {
        connection: "close",
      });
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (res.headersSent) return;
    const change = parseRestock(Buffer.concat(chunks).toString("utf8"));
    if (typeof change === "string") return sendProblem(res, problem(400, "bad_request", change));
    setup.service.restock(name, change).then(
      (toy) => {
        if (toy === undefined) return sendProblem(res, problem(404, "not_found", `no toy named "${name}"`));
        directory.set(toy.name, toy.priceCents);
        sendJson(res, 200, toyJson(toy.name, toy.priceCents, toy.stock));
      },
      (error: unknown) => {
        const code = (error as { code?: unknown }).code;
        if (code === "bad_request") sendProblem(res, problem(400, "bad_request", (error as Error).message));
        else sendProblem(res, problem(503, "unavailable", "store unavailable"));
      },
    );
  });
}

/** A restock body, or why it is not one. */
function parseRestock(text: string): { stock?: number; addStock?: number; priceCents?: number } | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return "the body is not JSON";
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    return "the body must be a JSON object";
  const { stock, addStock, price, ...rest } = data as Record<string, unknown>;
  if (Object.keys(rest).length > 0)
    return `unknown field ${Object.keys(rest)[0]}: expected stock, addStock or price`;
  const count = (value: unknown, min: number) => Number.isSafeInteger(value) && (value as number) >= min;
  if (stock !== undefined && !count(stock, 0)) return '"stock" must be an integer >= 0';
  if (addStock !== undefined && !count(addStock, 1)) return '"addStock" must be an integer >= 1';
  if (stock !== undefined && addStock !== undefined) return 'give "stock" or "addStock", not both';
  const priceCents = price === undefined ? undefined : parsePriceCents(price);
  if (price !== undefined && priceCents === undefined)
    return '"price" must be an amount with at most two decimals';
  if (stock === undefined && addStock === undefined && priceCents === undefined)
    return 'give "stock", "addStock" or "price"';
  return {
    ...(stock === undefined ? {} : { stock: stock as number }),
    ...(addStock === undefined ? {} : { addStock: addStock as number }),
    ...(priceCents === undefined ? {} : { priceCents }),
  };
}

/** The Idempotency-Key header of a buy, if it has one (the service checks it; repeated, Node joins them with ", " and the service refuses that). */
function idempotencyKey(req: IncomingMessage): string | undefined {
  const value = req.headers["idempotency-key"];
  return typeof value === "string" ? value : undefined;
}
