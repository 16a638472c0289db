// The HTTP transport with real clients (fetch, raw TCP): the API's answers
// and statuses, problem+json errors, limits, the event stream fed by every
// transport, the admin API, readiness during shutdown.

import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { InMemoryCatalog } from "../src/catalog/memory-store.js";
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
      quantity: 1,
      unitPrice: "19.99",
      unitPriceCents: 1999,
    });
    const order = await fetch(`${base}/api/orders/${body.orderId}`);
    const orderBody = (await order.json()) as Record<string, unknown>;
    assert.deepEqual(
      { ...orderBody, time: undefined },
      {
        id: body.orderId,
        toy: "Tux",
        price: "19.99",
        priceCents: 1999,
        time: undefined,
        quantity: 1,
        unitPrice: "19.99",
        unitPriceCents: 1999,
      },
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

/** Sends raw bytes (a request that asks to close the connection) and returns the whole answer. */
function rawExchange(port: number, request: string): Promise<{ statusLine: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
    });
    socket.on("end", () => {
      const head = text.indexOf("\r\n\r\n");
      resolve({ statusLine: text.slice(0, text.indexOf("\r\n")), body: text.slice(head + 4) });
    });
    socket.on("error", reject);
  });
}

describe("HTTP buys of several units, and answers as the store decided them", () => {
  let service: StoreService;
  let http: HttpServerHandle;
  let base: string;

  before(async () => {
    service = new StoreService(
      new InMemoryCatalog([
        { name: "Bear", priceCents: 250, stock: 5 },
        { name: "Kite", priceCents: 900, stock: 20 },
        { name: "Owl", priceCents: 500, stock: 0 },
      ]),
    );
    http = await startHttpServer({ service, port: 0, adminToken: TOKEN });
    base = `http://127.0.0.1:${http.address.port}`;
  });
  after(async () => {
    await http.close(1000);
  });

  const buy = (name: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/api/toys/${name}/buy`, {
      method: "POST",
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body }),
    });
  const stockOf = async (name: string): Promise<number> =>
    ((await (await fetch(`${base}/api/toys/${name}`)).json()) as { stock: number }).stock;
  const orderOf = async (id: unknown): Promise<Record<string, unknown>> =>
    (await (await fetch(`${base}/api/orders/${String(id)}`)).json()) as Record<string, unknown>;

  it("sells the quantity in the body as one order, all or nothing", async () => {
    const three = await buy("Bear", '{"quantity":3}');
    assert.equal(three.status, 200);
    const sale = (await three.json()) as Record<string, unknown>;
    assert.deepEqual(sale, {
      toy: "Bear",
      price: "2.50",
      priceCents: 250,
      stockLeft: 2,
      orderId: sale.orderId,
      quantity: 3,
      unitPrice: "2.50",
      unitPriceCents: 250,
    });
    const order = await orderOf(sale.orderId);
    assert.deepEqual(
      [order.id, order.toy, order.quantity, order.unitPrice, order.unitPriceCents, order.priceCents],
      [sale.orderId, "Bear", 3, "2.50", 250, 250],
    );
    assert.match(String(order.time), /^\d{4}-\d\d-\d\dT/);

    const tooMany = await buy("Bear", '{"quantity":3}');
    assert.equal(tooMany.status, 409);
    const problem = (await tooMany.json()) as { type: string; detail: string };
    assert.equal(problem.type, "urn:toystore:problem:sold_out");
    assert.match(problem.detail, /fewer than 3 Bear left/);
    assert.equal(await stockOf("Bear"), 2, "nothing sold when fewer are left than asked");
    assert.equal(
      ((await (await buy("Bear", '{"quantity":2}')).json()) as { stockLeft: number }).stockLeft,
      0,
    );
  });

  it("buys one for no body, an empty object, or a quantity of 1", async () => {
    const was = await stockOf("Kite");
    for (const body of [undefined, "", "{}", '{"quantity":1}']) {
      const response = await buy("Kite", body);
      assert.equal(response.status, 200, String(body));
      assert.equal(((await response.json()) as { quantity: number }).quantity, 1, String(body));
    }
    assert.equal(await stockOf("Kite"), was - 4);
  });

  it("refuses a bad quantity or body with a 400 problem, and sells nothing", async () => {
    const was = await stockOf("Kite");
    for (const body of [
      '{"quantity":0}',
      '{"quantity":-2}',
      '{"quantity":1.5}',
      '{"quantity":"2"}',
      '{"quantity":null}',
      '{"quantity":1000001}',
      '{"qty":2}',
      "[2]",
      "2",
      "null",
      "not json",
    ]) {
      const response = await buy("Kite", body);
      assert.equal(response.status, 400, body);
      assert.equal(response.headers.get("content-type"), "application/problem+json");
      const problem = (await response.json()) as { type: string; detail: string };
      assert.equal(problem.type, "urn:toystore:problem:bad_request", body);
      assert.ok(problem.detail.length > 0);
    }
    const outOfRange = (await (await buy("Kite", '{"quantity":0}')).json()) as { detail: string };
    assert.match(outOfRange.detail, /quantity must be a whole number from 1 to 1000000/);
    assert.equal(await stockOf("Kite"), was, "nothing sold");
  });

  it("reads a chunked body within the size limit, and refuses one past it with 413", async () => {
    const was = await stockOf("Kite");
    const chunked = (chunks: readonly string[]) =>
      `POST /api/toys/Kite/buy HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n${chunks
        .map((c) => `${Buffer.byteLength(c).toString(16)}\r\n${c}\r\n`)
        .join("")}0\r\n\r\n`;
    const { statusLine, body } = await rawExchange(http.address.port, chunked(['{"quanti', 'ty":2}']));
    assert.match(statusLine, /^HTTP\/1\.1 200/);
    assert.equal((JSON.parse(body) as { quantity: number }).quantity, 2);
    const large = await rawExchange(http.address.port, chunked(["{", " ".repeat(5000), "}"]));
    assert.match(large.statusLine, /^HTTP\/1\.1 413/);
    assert.equal(await stockOf("Kite"), was - 2);
  });

  it("answers a buy retried under its Idempotency-Key with the first sale", async () => {
    const was = await stockOf("Kite");
    const first = (await (await buy("Kite", '{"quantity":2}', { "idempotency-key": "order-7" })).json()) as {
      orderId: string;
    };
    const again = (await (await buy("Kite", '{"quantity":2}', { "idempotency-key": "order-7" })).json()) as {
      orderId: string;
      quantity: number;
    };
    assert.equal(again.orderId, first.orderId);
    assert.equal(again.quantity, 2);
    assert.equal(await stockOf("Kite"), was - 2, "sold once");
  });

  it("answers with the price and name the store holds, after a restock this server never saw", async () => {
    // Another server of the same store (a sibling under serve --workers) restocks: this one is not told.
    await service.restock("Owl", { stock: 3, priceCents: 725 });
    assert.deepEqual(await (await fetch(`${base}/api/toys/owl`)).json(), {
      name: "Owl",
      price: "7.25",
      priceCents: 725,
      stock: 3,
    });
    const sale = (await (await buy("owl")).json()) as Record<string, unknown>;
    assert.deepEqual([sale.toy, sale.price, sale.priceCents, sale.unitPriceCents], ["Owl", "7.25", 725, 725]);
    const order = await orderOf(sale.orderId);
    assert.equal(order.unitPriceCents, sale.unitPriceCents, "the answer's price is the order's");
    // Sold out, it still shows the price the store holds now.
    await buy("Owl", '{"quantity":2}');
    assert.deepEqual(await (await fetch(`${base}/api/toys/OWL`)).json(), {
      name: "Owl",
      price: "7.25",
      priceCents: 725,
      stock: 0,
    });
    // And through the admin API of this server: the next sale is at the new price.
    const put = await fetch(`${base}/api/toys/Owl`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: '{"addStock":1,"price":"8"}',
    });
    assert.deepEqual(await put.json(), { name: "Owl", price: "8.00", priceCents: 800, stock: 1 });
    const last = (await (await buy("Owl")).json()) as Record<string, unknown>;
    assert.equal(last.unitPriceCents, 800);
    assert.equal((await orderOf(last.orderId)).unitPriceCents, 800);
  });

  it("lists every toy as the store holds it", async () => {
    const list = (await (await fetch(`${base}/api/toys`)).json()) as { toys: Record<string, unknown>[] };
    assert.deepEqual(
      list.toys.map((t) => [t.name, t.priceCents, t.stock]),
      [
        ["Bear", 250, 0],
        ["Kite", 900, await stockOf("Kite")],
        ["Owl", 800, 0],
      ],
    );
  });
});
