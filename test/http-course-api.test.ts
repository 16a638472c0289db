// The course API (GET /products/<name>, POST /orders, GET /orders/<number>)
// on a real HTTP server with fetch and raw TCP: its answers on every store
// (memory, sqlite, PostgreSQL), orders shared with /api both ways, quantities,
// sold out, increasing and unique order numbers, idempotency keys, malformed
// bodies; and every error on its paths in its shape, {"error": {code, message}},
// with the status /api gives (405, 413, 414, busy, unavailable, shutting down).

import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import type { CatalogStore } from "../src/catalog/catalog-store.js";
import { InMemoryCatalog } from "../src/catalog/memory-store.js";
import type { Toy } from "../src/catalog/toy.js";
import { StoreService } from "../src/service/store-service.js";
import { type HttpServerHandle, startHttpServer } from "../src/transport/http/http-server.js";
import { describeStore, STORE_KINDS } from "./helpers/stores.js";

const TOYS: readonly Toy[] = [
  { name: "Tux", priceCents: 1999, stock: 100 },
  { name: "Lion", priceCents: 4200, stock: 0 },
  { name: "Baby Yoda", priceCents: 50, stock: 3 },
  { name: "Kite", priceCents: 900, stock: 5 },
  { name: "Bear", priceCents: 250, stock: 10 },
  { name: "Whale", priceCents: 110, stock: 8 },
  { name: "Owl", priceCents: 500, stock: 20 },
];

/** What a course answer holds: the status, the exact body text, and it parsed. */
interface Answer {
  readonly status: number;
  readonly text: string;
  readonly body: unknown;
  readonly headers: Headers;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  assert.equal(response.headers.get("content-type"), "application/json", text);
  return { status: response.status, text, body: JSON.parse(text), headers: response.headers };
}

/** Asserts a course error: the status, and the same status and `message` in the body. */
function assertCourseError(got: Answer, status: number, message?: string | RegExp): void {
  assert.equal(got.status, status, got.text);
  const error = (got.body as { error: { code: number; message: string } }).error;
  assert.deepEqual(Object.keys(got.body as object), ["error"], got.text);
  assert.deepEqual(Object.keys(error), ["code", "message"], got.text);
  assert.equal(error.code, status, got.text);
  assert.ok(error.message.length > 0, got.text);
  if (typeof message === "string") assert.equal(error.message, message, got.text);
  else if (message !== undefined) assert.match(error.message, message, got.text);
}

/** The course API of one server. */
function courseClient(base: () => string) {
  return {
    product: async (name: string) => answer(await fetch(`${base()}/products/${name}`)),
    place: async (body: string | undefined, headers: Record<string, string> = {}) =>
      answer(
        await fetch(`${base()}/orders`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          ...(body === undefined ? {} : { body }),
        }),
      ),
    order: async (number: string | number) => answer(await fetch(`${base()}/orders/${number}`)),
    quantityOf: async (name: string) =>
      ((await answer(await fetch(`${base()}/products/${name}`))).body as { data: { quantity: number } }).data
        .quantity,
  };
}

const orderNumberOf = (got: Answer): number => {
  assert.equal(got.status, 200, got.text);
  const number = (got.body as { data: { order_number: unknown } }).data.order_number;
  assert.ok(typeof number === "number" && Number.isSafeInteger(number) && number >= 1, got.text);
  return number;
};

for (const kind of STORE_KINDS) {
  describeStore(kind, "the course HTTP API", (fixture) => {
    let service: StoreService;
    let http: HttpServerHandle;
    let base = "";
    const course = courseClient(() => base);

    before(async () => {
      const { store } = await fixture.open(TOYS);
      service = new StoreService(store);
      http = await startHttpServer({ service, port: 0 });
      base = `http://127.0.0.1:${http.address.port}`;
    });
    after(async () => {
      await http?.close(1000);
      await service?.close();
    });

    it("answers GET /products/<name> with the price as an exact JSON number and the stock as quantity", async () => {
      const tux = await course.product("Tux");
      assert.equal(tux.status, 200);
      assert.equal(tux.text, '{"data":{"name":"Tux","price":19.99,"quantity":100}}');
      assert.deepEqual((await course.product("tUX ")).body, {
        data: { name: "Tux", price: 19.99, quantity: 100 },
      });
      // Sold out is a product with quantity 0; a name with a space comes percent-encoded.
      assert.equal((await course.product("Lion")).text, '{"data":{"name":"Lion","price":42,"quantity":0}}');
      assert.equal(
        (await course.product("Baby%20Yoda")).text,
        '{"data":{"name":"Baby Yoda","price":0.5,"quantity":3}}',
      );
      const nope = await course.product("Nope");
      assert.equal(nope.text, '{"error":{"code":404,"message":"product not found"}}');
      assert.equal(nope.status, 404);
      assertCourseError(await course.product(""), 404, "product not found");
      assertCourseError(await course.product("a/b"), 404, "product not found");
      assertCourseError(await course.product("y".repeat(300)), 400, /name too long/);
      assertCourseError(await course.product("%E0%A4%A"), 400, /not valid URL-encoded UTF-8/);
    });

    it("places orders of one and several units, all or nothing, numbered in increasing order, until the last sells out", async () => {
      const first = orderNumberOf(await course.place('{"name":"Kite","quantity":1}'));
      const three = orderNumberOf(await course.place('{"name":"Kite","quantity":3}'));
      assert.ok(three > first, `${three} after ${first}`);
      assert.equal(await course.quantityOf("Kite"), 1);
      const tooMany = await course.place('{"name":"Kite","quantity":2}');
      assert.equal(tooMany.status, 400);
      assert.equal(tooMany.text, '{"error":{"code":400,"message":"out of stock"}}');
      assert.equal(await course.quantityOf("Kite"), 1, "nothing sold");
      const last = orderNumberOf(await course.place('{"name":"kite","quantity":1}'));
      assert.ok(last > three, `${last} after ${three}`);
      assert.equal((await course.product("Kite")).text, '{"data":{"name":"Kite","price":9,"quantity":0}}');
      assertCourseError(await course.place('{"name":"Kite","quantity":1}'), 400, "out of stock");
      assert.equal(
        (await course.order(three)).text,
        `{"data":{"number":${three},"name":"Kite","quantity":3}}`,
      );
      assert.deepEqual((await course.order(first)).body, {
        data: { number: first, name: "Kite", quantity: 1 },
      });
      assert.deepEqual((await course.order(last)).body, {
        data: { number: last, name: "Kite", quantity: 1 },
      });
    });

    it("finds an order placed through /orders at /api/orders/{id}, and one bought through /api at /orders/<number>", async () => {
      const placed = orderNumberOf(await course.place('{"name":"Bear","quantity":2}'));
      const viaApi = await fetch(`${base}/api/orders/${placed}`);
      assert.equal(viaApi.status, 200);
      const order = (await viaApi.json()) as Record<string, unknown>;
      assert.deepEqual(
        [order.id, order.toy, order.quantity, order.unitPrice],
        [String(placed), "Bear", 2, "2.50"],
      );
      const bought = await fetch(`${base}/api/toys/Bear/buy`, { method: "POST", body: '{"quantity":3}' });
      assert.equal(bought.status, 200);
      const sale = (await bought.json()) as { orderId: string; stockLeft: number };
      assert.equal(sale.stockLeft, 5);
      assert.ok(Number(sale.orderId) > placed);
      assert.deepEqual((await course.order(sale.orderId)).body, {
        data: { number: Number(sale.orderId), name: "Bear", quantity: 3 },
      });
      assert.equal(await course.quantityOf("Bear"), 5);
    });

    it("answers an unknown toy and an unknown order (or no order number at all) with 404", async () => {
      const unicorn = await course.place('{"name":"Unicorn","quantity":1}');
      assert.equal(unicorn.text, '{"error":{"code":404,"message":"product not found"}}');
      assert.equal(unicorn.status, 404);
      for (const number of [
        "999999",
        "abc",
        "010",
        "0",
        "-1",
        "1.5",
        "",
        "1/x",
        "9".repeat(65),
        "%E2%82%AC",
      ]) {
        const got = await course.order(number);
        assert.equal(got.status, 404, number);
        assert.equal(got.text, '{"error":{"code":404,"message":"order not found"}}', number);
      }
    });

    it("refuses a malformed order with 400 and a message saying what is wrong, selling nothing", async () => {
      const before = await course.quantityOf("Owl");
      const cases: [string | undefined, RegExp][] = [
        [undefined, /JSON object with "name" and "quantity"/],
        ["", /JSON object with "name" and "quantity"/],
        ["not json", /not JSON/],
        ['{"name":"Owl","quantity":1', /not JSON/],
        ["[1]", /must be a JSON object/],
        ['"Owl"', /must be a JSON object/],
        ["3", /must be a JSON object/],
        ["null", /must be a JSON object/],
        ["{}", /"name" is required/],
        ['{"quantity":1}', /"name" is required/],
        ['{"name":"Owl"}', /"quantity" is required/],
        ['{"name":"Owl","quantity":1,"price":5}', /unknown field price/],
        ['{"name":5,"quantity":1}', /"name" must be a string/],
        ['{"name":["Owl"],"quantity":1}', /"name" must be a string/],
        ['{"name":"Owl","quantity":"1"}', /quantity must be a whole number from 1 to 1000000/],
        ['{"name":"Owl","quantity":0}', /quantity must be a whole number/],
        ['{"name":"Owl","quantity":-2}', /quantity must be a whole number/],
        ['{"name":"Owl","quantity":1.5}', /quantity must be a whole number/],
        ['{"name":"Owl","quantity":1000001}', /quantity must be a whole number/],
        ['{"name":"Owl","quantity":null}', /quantity must be a whole number/],
        ['{"name":"","quantity":1}', /empty name/],
        ['{"name":"   ","quantity":1}', /empty name/],
        [`{"name":"${"o".repeat(300)}","quantity":1}`, /name too long/],
      ];
      for (const [body, message] of cases) assertCourseError(await course.place(body), 400, message);
      assert.equal(await course.quantityOf("Owl"), before, "nothing sold");
    });

    it("answers an order retried under its Idempotency-Key with the first order, selling once", async () => {
      const before = await course.quantityOf("Owl");
      const key = { "idempotency-key": `course-${kind}-1` };
      const first = orderNumberOf(await course.place('{"name":"Owl","quantity":2}', key));
      const again = orderNumberOf(await course.place('{"name":"owl","quantity":2}', key));
      assert.equal(again, first);
      assert.equal(await course.quantityOf("Owl"), before - 2, "sold once");
      assertCourseError(await course.place('{"name":"Owl","quantity":3}', key), 400, /already used/);
      assertCourseError(await course.place('{"name":"Owl","quantity":1}', { "idempotency-key": "a b" }), 400);
      assert.equal(await course.quantityOf("Owl"), before - 2, "a refused key sells nothing");
    });

    it("numbers orders placed at once uniquely, each found by its number, and sells no more than the stock", async () => {
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => course.place('{"name":"Whale","quantity":1}')),
      );
      const numbers = answers.filter((a) => a.status === 200).map(orderNumberOf);
      assert.equal(numbers.length, 8, "eight in stock");
      assert.equal(new Set(numbers).size, 8, "unique");
      for (const refused of answers.filter((a) => a.status !== 200))
        assertCourseError(refused, 400, "out of stock");
      for (const number of numbers)
        assert.deepEqual((await course.order(number)).body, { data: { number, name: "Whale", quantity: 1 } });
      assert.equal(await course.quantityOf("Whale"), 0);
      // One after all of them: a larger number than any before.
      await fetch(`${base}/api/toys/Tux/buy`, { method: "POST" });
      const later = orderNumberOf(await course.place('{"name":"Tux","quantity":1}'));
      assert.ok(numbers.every((n) => n < later));
    });
  });
}

/** A store whose queries wait until released (the first tells `reached`), and whose order 13 fails. */
function gatedCatalog(toys: readonly Toy[]) {
  const inner = new InMemoryCatalog(toys);
  let release = (): void => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let enter = (): void => {};
  const reached = new Promise<void>((resolve) => {
    enter = resolve;
  });
  const store: CatalogStore = {
    query: (name) => {
      enter();
      return gate.then(() => inner.query(name));
    },
    buy: (name, quantity) => inner.buy(name, quantity),
    order: (id) => (id === "13" ? Promise.reject(new Error("the disk is gone")) : inner.order(id)),
    list: () => inner.list(),
  };
  return { store, reached, release };
}

/** Sends raw bytes and collects everything until the server closes (bounded by `timeoutMs`). */
function rawExchange(port: number, request: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    let text = "";
    const timer = setTimeout(
      () => socket.destroy(new Error(`no close within ${timeoutMs} ms: ${text}`)),
      timeoutMs,
    );
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.on("error", reject);
  });
}

describe("the course HTTP API's errors, wherever they are found", () => {
  it("answers a wrong method with 405 and Allow, a long target with 414, a large body with 413, in the course's shape", async () => {
    const service = new StoreService(new InMemoryCatalog(TOYS));
    const http = await startHttpServer({ service, port: 0 });
    const base = `http://127.0.0.1:${http.address.port}`;
    try {
      const getOrders = await answer(await fetch(`${base}/orders`));
      assertCourseError(getOrders, 405, "GET is not allowed here");
      assert.equal(getOrders.headers.get("allow"), "POST");
      const deleteProduct = await answer(await fetch(`${base}/products/Tux`, { method: "DELETE" }));
      assertCourseError(deleteProduct, 405);
      assert.equal(deleteProduct.headers.get("allow"), "GET");
      assertCourseError(await answer(await fetch(`${base}/orders/1`, { method: "POST" })), 405);
      assertCourseError(await answer(await fetch(`${base}/products`)), 404);
      assertCourseError(await answer(await fetch(`${base}/products/${"y".repeat(3000)}`)), 414);
      assertCourseError(await answer(await fetch(`${base}/orders?x=${"y".repeat(3000)}`)), 414);
      const large = await fetch(`${base}/orders`, { method: "POST", body: "z".repeat(5000) });
      assertCourseError(await answer(large), 413, "bodies are at most 4096 bytes");
      const chunked = await rawExchange(
        http.address.port,
        `POST /orders HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n${" ".repeat(5000)}\r\n0\r\n\r\n`,
      );
      assert.match(chunked, /^HTTP\/1\.1 413/);
      assert.match(chunked, /\r\n\r\n\{"error":\{"code":413,"message":"bodies are at most 4096 bytes"\}\}$/);
      // /api keeps its RFC 9457 problems, with the same statuses.
      const apiWrong = await fetch(`${base}/api/toys/Tux`, { method: "DELETE" });
      assert.equal(apiWrong.status, 405);
      assert.equal(apiWrong.headers.get("content-type"), "application/problem+json");
      const apiMissing = await fetch(`${base}/api/toys/Nope`);
      assert.equal(apiMissing.headers.get("content-type"), "application/problem+json");
      assert.equal(((await apiMissing.json()) as { type: string }).type, "urn:toystore:problem:not_found");
    } finally {
      await http.close(1000);
      await service.close();
    }
  });

  it("answers busy with 503 and Retry-After, and a store's failure with /api's status", async () => {
    const { store, reached, release } = gatedCatalog(TOYS);
    const service = new StoreService(store);
    const http = await startHttpServer({ service, port: 0, maxConcurrency: 1, maxQueued: 0 });
    const base = `http://127.0.0.1:${http.address.port}`;
    try {
      const held = fetch(`${base}/products/Tux`);
      await reached;
      const busy = await answer(await fetch(`${base}/products/Tux`));
      assertCourseError(busy, 503, "too many requests queued, try again");
      assert.equal(busy.headers.get("retry-after"), "1");
      assertCourseError(
        await answer(await fetch(`${base}/orders`, { method: "POST", body: '{"name":"Tux","quantity":1}' })),
        503,
      );
      const apiBusy = await fetch(`${base}/api/toys/Tux`);
      assert.equal(apiBusy.status, 503);
      assert.equal(apiBusy.headers.get("content-type"), "application/problem+json");
      release();
      assert.equal((await answer(await held)).status, 200);
      const failed = await answer(await fetch(`${base}/orders/13`));
      const apiFailed = await fetch(`${base}/api/orders/13`);
      assert.ok(apiFailed.status >= 500);
      assertCourseError(failed, apiFailed.status);
      assert.doesNotMatch(failed.text, /disk/, "the cause is for the log only");
    } finally {
      release();
      await http.close(1000);
      await service.close();
    }
  });

  it("answers an order whose body arrives once the server shuts down with 503 shutting down", async () => {
    const service = new StoreService(new InMemoryCatalog(TOYS));
    const http = await startHttpServer({ service, port: 0 });
    const body = '{"name":"Tux","quantity":1}';
    try {
      const socket = connect(http.address.port, "127.0.0.1");
      socket.setEncoding("utf8");
      let text = "";
      socket.on("data", (chunk: string) => {
        text += chunk;
      });
      /** Resolves once what the server sent matches `wanted`. */
      const heard = (wanted: RegExp) =>
        new Promise<void>((resolve, reject) => {
          const check = () => {
            if (!wanted.test(text)) return;
            socket.off("data", check);
            resolve();
          };
          socket.on("data", check);
          socket.once("error", reject);
          socket.once("close", () => (wanted.test(text) ? resolve() : reject(new Error(`closed: ${text}`))));
        });
      // Node answers 100 Continue as it hands the request to the server: the request is being read.
      const continued = heard(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
      socket.write(
        `POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
      );
      await continued;
      const closing = http.close(2000);
      const answered = heard(/\r\n\r\n\{.*\}$/s);
      socket.write(body);
      await answered;
      socket.destroy();
      await closing;
      const final = text.slice(text.indexOf("HTTP/1.1", 1));
      assert.equal(text.split("HTTP/1.1 ").length, 3, "100 Continue, then one answer");
      assert.match(final, /^HTTP\/1\.1 503 /);
      assert.match(final, /content-type: application\/json\r\n/i);
      assert.match(final, /retry-after: 1\r\n/i);
      assert.match(final, /\r\n\r\n\{"error":\{"code":503,"message":"shutting down"\}\}$/);
      const tux = await service.query("Tux");
      assert.ok(tux.kind === "in_stock" && tux.stock === 100, "nothing sold");
    } finally {
      await http.close(0);
      await service.close();
    }
  });

  it("describes the course API in the OpenAPI document", async () => {
    const service = new StoreService(new InMemoryCatalog(TOYS));
    const http = await startHttpServer({ service, port: 0 });
    try {
      const doc = (await (await fetch(`http://127.0.0.1:${http.address.port}/api/openapi.json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
        components: { schemas: Record<string, unknown> };
      };
      assert.ok(doc.paths["/products/{name}"]?.get);
      assert.ok(doc.paths["/orders"]?.post);
      assert.ok(doc.paths["/orders/{number}"]?.get);
      assert.ok(doc.paths["/api/toys/{name}/buy"]?.post, "the /api paths stay");
      for (const schema of [
        "CourseProduct",
        "CourseOrderRequest",
        "CourseOrderPlaced",
        "CourseOrder",
        "CourseError",
      ])
        assert.ok(schema in doc.components.schemas, schema);
    } finally {
      await http.close(1000);
      await service.close();
    }
  });
});
