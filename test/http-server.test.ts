// The HTTP transport with real clients (fetch, raw TCP): the API's answers
// and statuses, problem+json errors, limits, the event stream fed by every
// transport, the admin API, readiness during shutdown.

import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { InMemoryCatalog } from "../src/catalog/catalog-store.js";
import { SocketStoreClient } from "../src/client/socket-client.js";
import { StoreService } from "../src/service/store-service.js";
import { type HttpServerHandle, startHttpServer } from "../src/transport/http/http-server.js";
import { startSocketServer } from "../src/transport/socket/socket-server.js";

const TOYS = [
  { name: "Tux", priceCents: 1999, stock: 5 },
  { name: "Lion", priceCents: 4200, stock: 0 },
  { name: "Élan", priceCents: 100, stock: 2 },
];
const TOKEN = "a-staff-token-of-some-length";

/** Reads an event stream until `wanted` appears in it (bounded by `timeoutMs`). */
async function readEvents(url: string, wanted: string, timeoutMs = 5000): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const response = await fetch(url, { signal: controller.signal });
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  let text = "";
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk);
      if (text.includes(wanted)) break;
    }
  } catch {
    // aborted: the assertion below says what was missing
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return text;
}

/** Sends raw bytes and returns the first line of the answer. */
function rawStatusLine(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (text.includes("\r\n")) {
        socket.destroy();
        resolve(text.slice(0, text.indexOf("\r\n")));
      }
    });
    socket.on("error", reject);
  });
}

describe("HTTP transport", () => {
  let service: StoreService;
  let http: HttpServerHandle;
  let socket: Awaited<ReturnType<typeof startSocketServer>>;
  let base: string;

  before(async () => {
    service = new StoreService(new InMemoryCatalog(TOYS));
    http = await startHttpServer({ service, port: 0, adminToken: TOKEN });
    socket = await startSocketServer(service, { port: 0 });
    base = `http://127.0.0.1:${http.address.port}`;
  });
  after(async () => {
    await http.close(1000);
    await socket.close(1000);
  });

  it("answers queries, buys and orders as JSON, and outcomes as statuses with problem+json", async () => {
    const tux = await fetch(`${base}/api/toys/tux`);
    assert.equal(tux.status, 200);
    assert.deepEqual(await tux.json(), { name: "Tux", price: "19.99", priceCents: 1999, stock: 5 });
    const lion = await fetch(`${base}/api/toys/Lion`);
    assert.deepEqual(await lion.json(), { name: "Lion", price: "42.00", priceCents: 4200, stock: 0 });
    const elan = await fetch(`${base}/api/toys/${encodeURIComponent("élan")}`);
    assert.equal(((await elan.json()) as { name: string }).name, "Élan");

    const bought = await fetch(`${base}/api/toys/Tux/buy`, { method: "POST" });
    assert.equal(bought.status, 200);
    const body = (await bought.json()) as { orderId: string };
    assert.deepEqual(body, {
      toy: "Tux",
      price: "19.99",
      priceCents: 1999,
      stockLeft: 4,
      orderId: body.orderId,
    });
    const order = await fetch(`${base}/api/orders/${body.orderId}`);
    const orderBody = (await order.json()) as Record<string, unknown>;
    assert.deepEqual(
      { ...orderBody, time: undefined },
      { id: body.orderId, toy: "Tux", price: "19.99", priceCents: 1999, time: undefined },
    );

    for (const [url, init, status, kind] of [
      ["/api/toys/Lion/buy", { method: "POST" }, 409, "sold_out"],
      ["/api/toys/Unicorn/buy", { method: "POST" }, 404, "not_found"],
      ["/api/toys/Unicorn", {}, 404, "not_found"],
      ["/api/orders/999999", {}, 404, "not_found"],
      [`/api/toys/${"x".repeat(257)}`, {}, 400, "bad_request"],
      ["/api/toys/%20", {}, 400, "bad_request"],
      ["/api/toys/%E0%A4%A", {}, 400, "bad_request"],
      ["/nothing/here", {}, 404, "not_found"],
    ] as const) {
      const response = await fetch(`${base}${url}`, init);
      assert.equal(response.status, status, url);
      assert.equal(response.headers.get("content-type"), "application/problem+json", url);
      const problem = (await response.json()) as { type: string; status: number; title: string };
      assert.equal(problem.type, `urn:toystore:problem:${kind}`, url);
      assert.equal(problem.status, status);
      assert.ok(problem.title.length > 0);
    }
    const list = (await (await fetch(`${base}/api/toys`)).json()) as {
      toys: { name: string; stock: number }[];
    };
    assert.deepEqual(
      list.toys.map((t) => [t.name, t.stock]),
      [
        ["Tux", 4],
        ["Lion", 0],
        ["Élan", 2],
      ],
    );
  });

  it("refuses a wrong method with 405 and Allow, an over-long target with 414, a large body with 413", async () => {
    const wrong = await fetch(`${base}/api/toys/Tux`, { method: "DELETE" });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "GET, PUT");
    assert.equal((await fetch(`${base}/api/toys/Tux/buy`)).headers.get("allow"), "POST");
    assert.equal((await fetch(`${base}/api/toys/${"y".repeat(3000)}`)).status, 414);
    const large = await fetch(`${base}/api/toys/Tux/buy`, { method: "POST", body: "z".repeat(5000) });
    assert.equal(large.status, 413);
    // Garbage instead of HTTP: Node's parser answers 400 and closes; the server goes on.
    assert.match(await rawStatusLine(http.address.port, "HELLO THERE\r\n\r\n"), /^HTTP\/1\.1 400/);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
  });

  it("streams a stock event for a sale over another transport", async () => {
    const events = readEvents(`${base}/api/events`, '"name":"Élan"');
    // Let the stream open before the sale.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const client = await SocketStoreClient.connect({ port: socket.address.port });
    assert.equal((await client.buy("ÉLAN")).kind, "bought");
    await client.close();
    const text = await events;
    assert.match(text, /event: stock\ndata: \{"name":"Élan","stock":1\}\n\n/);
  });

  it("lets staff restock only with the right token, and tells the event stream", async () => {
    const put = (headers: Record<string, string>, body: unknown) =>
      fetch(`${base}/api/toys/Lion`, { method: "PUT", headers, body: JSON.stringify(body) });
    assert.equal((await put({}, { stock: 3 })).status, 401);
    assert.equal(
      (await put({ authorization: "Bearer wrong-token-of-same-size!!" }, { stock: 3 })).status,
      401,
    );
    assert.equal((await put({ authorization: `Bearer ${TOKEN}` }, { stock: -1 })).status, 400);
    assert.equal((await put({ authorization: `Bearer ${TOKEN}` }, { stock: 1, addStock: 1 })).status, 400);
    assert.equal((await put({ authorization: `Bearer ${TOKEN}` }, { colour: "red" })).status, 400);
    assert.equal((await fetch(`${base}/api/toys/Lion`)).status, 200);
    const events = readEvents(`${base}/api/events`, '"name":"Lion"');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const ok = await put({ authorization: `Bearer ${TOKEN}` }, { stock: 3, price: "40.00" });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { name: "Lion", price: "40.00", priceCents: 4000, stock: 3 });
    assert.match(await events, /data: \{"name":"Lion","stock":3\}/);
    const bought = (await (await fetch(`${base}/api/toys/lion/buy`, { method: "POST" })).json()) as {
      priceCents: number;
    };
    assert.equal(bought.priceCents, 4000, "sold at the new price");
  });

  it("serves the OpenAPI document and health", async () => {
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as {
      openapi: string;
      paths: object;
    };
    assert.equal(doc.openapi, "3.1.0");
    assert.ok("/api/toys/{name}/buy" in doc.paths);
    assert.deepEqual(await (await fetch(`${base}/readyz`)).json(), { status: "ready" });
  });
});

describe("HTTP transport limits", () => {
  it("answers 503 with Retry-After when the queue is full, and finishes what is in flight when it shuts down", async () => {
    const service = new StoreService(new InMemoryCatalog(TOYS), { workMs: 300 });
    const http = await startHttpServer({ service, port: 0, maxConcurrency: 1, maxQueued: 0 });
    const base = `http://127.0.0.1:${http.address.port}`;
    try {
      const first = fetch(`${base}/api/toys/Tux`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const refused = await fetch(`${base}/api/toys/Tux`);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get("retry-after"), "1");
      assert.equal(((await refused.json()) as { type: string }).type, "urn:toystore:problem:busy");
      assert.equal((await first).status, 200);
      // A request in flight when the shutdown starts is still answered.
      const inFlight = fetch(`${base}/api/toys/Tux/buy`, { method: "POST" });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const closing = http.close(2000);
      const answer = await inFlight;
      assert.equal(answer.status, 200);
      assert.equal(((await answer.json()) as { stockLeft: number }).stockLeft, 4);
      await closing;
      await assert.rejects(fetch(`${base}/healthz`), "no longer listening");
    } finally {
      await http.close(0);
    }
  });

  it("has the admin API off without a token", async () => {
    const service = new StoreService(new InMemoryCatalog(TOYS));
    const http = await startHttpServer({ service, port: 0 });
    try {
      const response = await fetch(`http://127.0.0.1:${http.address.port}/api/toys/Tux`, {
        method: "PUT",
        headers: { authorization: `Bearer ${TOKEN}` },
        body: '{"stock":1}',
      });
      assert.equal(response.status, 404);
    } finally {
      await http.close(0);
    }
  });
});
