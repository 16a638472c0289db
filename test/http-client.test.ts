// The HTTP StoreClient: against a stand-in node:http server started here,
// every status it maps (outcomes and StoreError codes), deadlines, one
// connection per client, refused and broken connections; then once against
// the real server (`toystore serve --transport http`) through connect().

import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { connect } from "../src/client/connect.js";
import { buyPath, HttpStoreClient, toyPath } from "../src/client/http-client.js";
import type { StoreClient } from "../src/client/store-client.js";
import { StoreError } from "../src/errors.js";
import type { ServerProcess } from "../src/study/measure/server.js";
import { startToystore } from "../src/study/measure/toystore-launch.js";

const json = (res: ServerResponse, status: number, body: unknown, type = "application/json") => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(text) });
  return res.end(text);
};
const problem = (res: ServerResponse, status: number, kind: string | null, detail: string) =>
  json(
    res,
    status,
    { type: kind === null ? "about:blank" : `urn:toystore:problem:${kind}`, title: "x", status, detail },
    "application/problem+json",
  );

interface StandIn {
  readonly port: number;
  /** Every request as "METHOD path". */
  readonly requests: string[];
  /** The client port each request came from, in order: one port is one connection. */
  readonly ports: number[];
  /** Every request's body and headers, as "METHOD path" -> the last one. */
  readonly sent: Map<string, { body: string; headers: IncomingMessage["headers"] }>;
  close(): Promise<void>;
}

/** Answers each toy name the way the real server answers one case. */
function route(
  req: IncomingMessage,
  res: ServerResponse,
  slow: ServerResponse[],
): ServerResponse | undefined {
  const order = /^\/api\/orders\/([^/]+)$/.exec(req.url ?? "")?.[1];
  if (order !== undefined) return routeOrder(res, decodeURIComponent(order));
  if (req.url === "/api/toys")
    return json(res, 200, { toys: [{ name: "Tux", price: "19.99", priceCents: 1999, stock: 100 }] });
  const match = /^\/api\/toys\/([^/]+)(\/buy)?$/.exec(req.url ?? "");
  if (match === null) return problem(res, 404, "not_found", "nothing here");
  const name = decodeURIComponent(match[1]!);
  const buy = match[2] !== undefined;
  if (buy !== (req.method === "POST")) return problem(res, 405, null, "method not allowed");
  switch (name) {
    case "Tux":
      return buy
        ? json(res, 200, { toy: "Tux", price: "19.99", priceCents: 1999, stockLeft: 99, orderId: "12" })
        : json(res, 200, { name: "Tux", price: "19.99", priceCents: 1999, stock: 100 });
    case "Lion":
      return buy
        ? problem(res, 409, null, "Lion is sold out")
        : json(res, 200, { name: "Lion", price: "42.00", priceCents: 4200, stock: 0 });
    case "Sale":
      return json(res, 200, {
        ...{ toy: "Sale", price: "5.00", priceCents: 500, stockLeft: 7, orderId: "13" },
        ...{ quantity: 2, unitPrice: "5.00", unitPriceCents: 500 },
      });
    case "Busy":
      res.setHeader("retry-after", "1");
      return problem(res, 503, "busy", "server busy");
    case "Closing":
      return problem(res, 503, "shutting_down", "server shutting down");
    case "Closing, said in words":
      return problem(res, 503, null, "the server is shutting down");
    case "Plain503":
      return problem(res, 503, null, "overloaded");
    case "Bad":
      return problem(res, 400, "bad_request", "name too long (more than 256 characters)");
    case "Teapot":
      return problem(res, 500, null, "oops");
    case "Garbled":
      res.writeHead(200, { "content-type": "application/json" });
      return res.end("{not json");
    case "Broken":
      req.socket.destroy();
      return undefined;
    case "Slow":
      slow.push(res);
      return undefined;
    default:
      if (name.startsWith("Echo "))
        return json(res, 200, { name, price: "1.00", priceCents: 100, stock: name.length });
      return problem(res, 404, "not_found", `no toy named "${name}"`);
  }
}

/** Orders: one in today's shape, one as a server older than quantities sent it, none, and a garbled one. */
function routeOrder(res: ServerResponse, id: string): ServerResponse {
  const time = "2024-05-01T10:00:00.000Z";
  switch (id) {
    case "12":
      return json(res, 200, {
        ...{ id, toy: "Tux", price: "19.99", priceCents: 1999, time },
        ...{ quantity: 3, unitPrice: "19.99", unitPriceCents: 1999 },
      });
    case "old":
      return json(res, 200, { id, toy: "Tux", price: "19.99", priceCents: 1999, time });
    case "bad":
      return json(res, 200, { id, toy: "Tux" });
    default:
      return problem(res, 404, "not_found", `no order ${id}`);
  }
}

async function startStandIn(): Promise<StandIn & { slow: ServerResponse[] }> {
  const slow: ServerResponse[] = [];
  const requests: string[] = [];
  const ports: number[] = [];
  const sent = new Map<string, { body: string; headers: IncomingMessage["headers"] }>();
  const sockets = new Set<Socket>();
  const server: Server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    ports.push(req.socket.remotePort ?? 0);
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      sent.set(`${req.method} ${req.url}`, { body, headers: req.headers });
      route(req, res, slow);
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    ports,
    sent,
    slow,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const rejectsWith = (code: StoreError["code"], message?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  if (message !== undefined) assert.match(error.message, message);
  return true;
};

describe("HttpStoreClient against a stand-in server", () => {
  let standIn: Awaited<ReturnType<typeof startStandIn>>;
  let client: StoreClient;
  before(async () => {
    standIn = await startStandIn();
    client = await connect({ transport: "http", port: standIn.port });
  });
  after(async () => {
    await client.close();
    await standIn.close();
  });

  it("is the http transport, and percent-encodes names into one path segment", async () => {
    assert.equal(client.transport, "http");
    assert.equal(toyPath("Teddy Bär/2"), "/api/toys/Teddy%20B%C3%A4r%2F2");
    assert.equal(buyPath("Tux"), "/api/toys/Tux/buy");
    assert.deepEqual(await client.query("Echo ä/?#"), { kind: "in_stock", priceCents: 100, stock: 9 });
    assert.ok(standIn.requests.includes("GET /api/toys/Echo%20%C3%A4%2F%3F%23"));
  });

  it("maps 200 to in stock, or to sold out when the stock is 0; 404 to not found", async () => {
    assert.deepEqual(await client.query("Tux"), { kind: "in_stock", priceCents: 1999, stock: 100 });
    assert.deepEqual(await client.query("Lion"), { kind: "sold_out" });
    assert.deepEqual(await client.query("Unicorn"), { kind: "not_found" });
  });

  it("maps a buy's 200 to bought with stock left and order, 409 to sold out, 404 to not found", async () => {
    assert.deepEqual(await client.buy("Tux"), { kind: "bought", stockLeft: 99, orderId: "12" });
    assert.deepEqual(await client.buy("Lion"), { kind: "sold_out" });
    assert.deepEqual(await client.buy("Unicorn"), { kind: "not_found" });
    assert.ok(standIn.requests.includes("POST /api/toys/Tux/buy"));
  });

  it("sends a quantity other than 1 as a JSON body, and reads the sale's unit price and quantity", async () => {
    assert.deepEqual(await client.buy("Tux", { quantity: 3, requestKey: "k-3" }), {
      kind: "bought",
      stockLeft: 99,
      orderId: "12",
    });
    const sent = standIn.sent.get("POST /api/toys/Tux/buy");
    assert.equal(sent?.body, '{"quantity":3}');
    assert.equal(sent?.headers["content-type"], "application/json");
    assert.equal(sent?.headers["idempotency-key"], "k-3");
    await client.buy("Tux", { quantity: 1 });
    assert.equal(standIn.sent.get("POST /api/toys/Tux/buy")?.body, "", "one unit: no body");
    assert.deepEqual(await client.buy("Sale"), {
      kind: "bought",
      stockLeft: 7,
      orderId: "13",
      unitPriceCents: 500,
      quantity: 2,
    });
  });

  it("reads an order (one from an older server as one unit), none as undefined, and the list", async () => {
    const time = "2024-05-01T10:00:00.000Z";
    assert.deepEqual(await client.order("12"), {
      id: "12",
      toy: "Tux",
      quantity: 3,
      unitPriceCents: 1999,
      time,
    });
    assert.deepEqual(await client.order("old"), {
      id: "old",
      toy: "Tux",
      quantity: 1,
      unitPriceCents: 1999,
      time,
    });
    assert.equal(await client.order("999"), undefined);
    await assert.rejects(client.order("bad"), rejectsWith("internal", /malformed order/));
    const before = standIn.requests.length;
    await assert.rejects(client.order(""), rejectsWith("bad_request", /empty order id/));
    assert.equal(standIn.requests.length, before, "an empty id is not sent");
    assert.deepEqual(await client.list(), [{ name: "Tux", priceCents: 1999, stock: 100 }]);
  });

  it("maps 400 to bad_request with the problem's detail, and refuses an empty name itself", async () => {
    await assert.rejects(client.query("Bad"), rejectsWith("bad_request", /^name too long/));
    const before = standIn.requests.length;
    await assert.rejects(client.buy(""), rejectsWith("bad_request", /empty name/));
    assert.equal(standIn.requests.length, before, "an empty name is not sent");
  });

  it("maps 503 to busy (with Retry-After) or shutting_down, as the problem says", async () => {
    await assert.rejects(client.query("Busy"), rejectsWith("busy", /server busy \(retry after 1 s\)/));
    await assert.rejects(client.buy("Closing"), rejectsWith("shutting_down"));
    await assert.rejects(client.query("Closing, said in words"), rejectsWith("shutting_down"));
    await assert.rejects(client.query("Plain503"), rejectsWith("busy", /overloaded/));
  });

  it("maps 500 and a response that is not JSON to internal", async () => {
    await assert.rejects(client.query("Teapot"), rejectsWith("internal", /oops/));
    await assert.rejects(client.query("Garbled"), rejectsWith("internal", /malformed/));
  });

  it("keeps one connection for every call of a client, and opens one per client", async () => {
    const own = await connect({ transport: "http", port: standIn.port });
    const from = standIn.ports.length;
    for (let i = 0; i < 5; i++) await own.query("Tux");
    await Promise.all([own.query("Tux"), own.buy("Tux"), own.query("Lion")]);
    const ownPorts = new Set(standIn.ports.slice(from));
    assert.equal(ownPorts.size, 1, "every call on one connection");
    const others = await Promise.all([1, 2, 3].map(() => connect({ transport: "http", port: standIn.port })));
    await Promise.all(others.map((other) => other.query("Tux")));
    const all = new Set(standIn.ports.slice(from));
    assert.equal(all.size, 4, "one connection per client");
    await Promise.all([own, ...others].map((c) => c.close()));
  });

  it("rejects with deadline_exceeded when no response comes in time; the connection stays usable", async () => {
    const own = await connect({ transport: "http", port: standIn.port });
    const from = standIn.ports.length;
    const started = performance.now();
    await assert.rejects(own.query("Slow", { timeoutMs: 100 }), rejectsWith("deadline_exceeded", /100 ms/));
    assert.ok(performance.now() - started < 2000);
    // The late response is dropped; the next call gets its own.
    const next = own.query("Tux", { timeoutMs: 2000 });
    standIn.slow.shift()?.end(JSON.stringify({ name: "Slow", price: "1.00", priceCents: 100, stock: 1 }));
    assert.deepEqual(await next, { kind: "in_stock", priceCents: 1999, stock: 100 });
    assert.equal(new Set(standIn.ports.slice(from)).size, 1, "the same connection throughout");
    await own.close();
  });

  it("rejects with unavailable when the connection breaks, and reconnects for the next call", async () => {
    const own = await connect({ transport: "http", port: standIn.port });
    await assert.rejects(own.query("Broken"), rejectsWith("unavailable"));
    assert.deepEqual(await own.query("Tux"), { kind: "in_stock", priceCents: 1999, stock: 100 });
    await own.close();
  });

  it("rejects calls in flight and later calls with unavailable once closed; close is idempotent", async () => {
    const own = await connect({ transport: "http", port: standIn.port });
    const inFlight = assert.rejects(own.query("Slow"), rejectsWith("unavailable", /client closed/));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await own.close();
    await inFlight;
    await assert.rejects(own.buy("Tux"), rejectsWith("unavailable", /client closed/));
    await own.close();
    standIn.slow.shift()?.destroy();
  });

  it("closes a connection that no call used", async () => {
    const own = await connect({ transport: "http", port: standIn.port });
    await own.close();
  });
});

describe("HttpStoreClient connecting", () => {
  it("rejects with unavailable when nothing listens", async () => {
    const standIn = await startStandIn();
    const port = standIn.port;
    await standIn.close();
    await assert.rejects(
      connect({ transport: "http", port }),
      rejectsWith("unavailable", new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port}`)),
    );
  });

  it("refuses a bad port or timeout in code", async () => {
    await assert.rejects(HttpStoreClient.connect({ port: 0 }), RangeError);
    await assert.rejects(HttpStoreClient.connect({ port: 1, defaultTimeoutMs: -1 }), RangeError);
  });
});

describe("HttpStoreClient against toystore serve --transport http", () => {
  let server: ServerProcess;
  let client: StoreClient;
  before(async () => {
    server = await startToystore({
      transports: ["http"],
      catalog: [
        { name: "Tux", price: "19.99", stock: 2 },
        { name: "Lion", price: "42.00", stock: 0 },
        { name: "Bear", price: "2.50", stock: 5 },
      ],
    });
    client = await connect({ transport: "http", port: server.port });
  });
  after(async () => {
    await client?.close();
    await server?.stop();
  });

  it("queries, buys until sold out, and says not found", async () => {
    assert.ok(server.ports.http !== undefined && server.port === server.ports.http);
    assert.deepEqual(await client.query("Tux"), { kind: "in_stock", priceCents: 1999, stock: 2 });
    const first = await client.buy("tux");
    assert.equal(first.kind, "bought");
    assert.equal(first.kind === "bought" ? first.stockLeft : undefined, 1);
    assert.equal(typeof (first.kind === "bought" ? first.orderId : undefined), "string");
    const second = await client.buy("Tux");
    assert.equal(second.kind === "bought" ? second.stockLeft : undefined, 0);
    assert.notEqual(
      second.kind === "bought" ? second.orderId : undefined,
      first.kind === "bought" ? first.orderId : "",
    );
    assert.deepEqual(await client.buy("Tux"), { kind: "sold_out" });
    assert.deepEqual(await client.query("Tux"), { kind: "sold_out" });
    assert.deepEqual(await client.query("Lion"), { kind: "sold_out" });
    assert.deepEqual(await client.query("Unicorn"), { kind: "not_found" });
    assert.deepEqual(await client.buy("Unicorn"), { kind: "not_found" });
    await assert.rejects(client.query("x".repeat(300)), rejectsWith("bad_request"));
    await assert.rejects(client.query("   "), rejectsWith("bad_request"));
  });

  it("buys several units all or nothing, refuses a bad quantity, and reads the order and the list back", async () => {
    const sale = await client.buy("Bear", { quantity: 3 });
    assert.equal(sale.kind, "bought");
    const orderId = sale.kind === "bought" ? sale.orderId : undefined;
    assert.deepEqual(sale, { kind: "bought", stockLeft: 2, orderId, unitPriceCents: 250, quantity: 3 });
    assert.deepEqual(await client.buy("Bear", { quantity: 3 }), { kind: "sold_out" });
    for (const quantity of [0, -1, 1.5, 1_000_001, Number.NaN])
      await assert.rejects(client.buy("Bear", { quantity }), rejectsWith("bad_request", /quantity/));
    assert.deepEqual(await client.query("Bear"), { kind: "in_stock", priceCents: 250, stock: 2 });

    const order = await client.order(orderId!);
    assert.deepEqual(
      { ...order, time: undefined },
      {
        id: orderId,
        toy: "Bear",
        quantity: 3,
        unitPriceCents: 250,
        time: undefined,
      },
    );
    assert.equal(await client.order("999999"), undefined);

    const keyed = await client.buy("Bear", { quantity: 2, requestKey: "bear-twice" });
    assert.deepEqual(await client.buy("Bear", { quantity: 2, requestKey: "bear-twice" }), keyed);
    assert.deepEqual(await client.list(), [
      { name: "Tux", priceCents: 1999, stock: 0 },
      { name: "Lion", priceCents: 4200, stock: 0 },
      { name: "Bear", priceCents: 250, stock: 0 },
    ]);
  });
});
