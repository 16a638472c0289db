// The bench engine's HTTP mode: the response scanner on framings and chunk
// splits, the split over processes, and short real runs of both generators
// against the HTTP baseline (tools/baselines/http-baseline.ts) and against a
// server that fails every request. Counts only, never timing.

import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { httpRequestBytes, isFailure, ResponseScanner } from "../src/study/throughput/http-load.js";
import { planProcesses, resolveBenchOptions } from "../src/study/throughput/options.js";
import { runBench } from "../src/study/throughput/run-bench.js";
import type { RunningServer } from "../tools/baselines/baseline-args.js";
import { BUY_BODY, QUERY_BODY, startHttpBaseline } from "../tools/baselines/http-baseline.js";

const SHORT = { durationMs: 300, warmupMs: 100, processes: 1 } as const;

/** Feeds `bytes` to a scanner in pieces of `size` bytes; returns the statuses seen, or "malformed". */
function scan(bytes: string, size: number): number[] | "malformed" {
  const scanner = new ResponseScanner();
  const statuses: number[] = [];
  const buffer = Buffer.from(bytes, "latin1");
  for (let at = 0; at < buffer.length; at += size) {
    if (!scanner.push(buffer.subarray(at, at + size), (status) => statuses.push(status))) return "malformed";
  }
  return statuses;
}

const response = (status: number, body: string, extra = "") =>
  `HTTP/1.1 ${status} X\r\nContent-Type: application/json\r\n${extra}Content-Length: ${Buffer.byteLength(body, "latin1")}\r\n\r\n${body}`;

describe("ResponseScanner", () => {
  const stream = [
    response(200, QUERY_BODY.toString("latin1")),
    "HTTP/1.1 100 Continue\r\n\r\n",
    response(409, '{"type":"urn:toystore:problem:sold_out"}', "retry-after: 1\r\n"),
    "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nx-trailer: 1\r\n\r\n",
    "HTTP/1.1 204 No Content\r\n\r\n",
    response(503, ""),
  ].join("");

  it("reports each response's status once, however the bytes are split", () => {
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      assert.deepEqual(scan(stream, size), [200, 409, 200, 204, 503], `pieces of ${size}`);
    }
  });

  it("refuses a stream that is not HTTP, or a bad length", () => {
    assert.equal(scan("19.99 100\n\r\n\r\n", 64), "malformed");
    assert.equal(scan("HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n", 64), "malformed");
    assert.equal(scan("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n", 64), "malformed");
  });

  it("counts error statuses as failures, but not the business outcomes", () => {
    assert.deepEqual([200, 404, 409, 400, 429, 500, 503].map(isFailure), [
      false,
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
  });

  it("pre-serialises keep-alive requests, a buy with an empty body", () => {
    assert.deepEqual(httpRequestBytes("mix", "Teddy Bär", "::1", 8080), [
      "GET /api/toys/Teddy%20B%C3%A4r HTTP/1.1\r\nHost: [::1]:8080\r\nAccept: application/json\r\n\r\n",
      "POST /api/toys/Teddy%20B%C3%A4r/buy HTTP/1.1\r\nHost: [::1]:8080\r\nAccept: application/json\r\nContent-Length: 0\r\n\r\n",
    ]);
  });
});

describe("bench options for HTTP", () => {
  it("splits connections, each with its pipeline, over processes; the net engine by default", () => {
    const plans = planProcesses(
      resolveBenchOptions({ transport: "http", port: 1, connections: 5, pipeline: 2, processes: 2 }),
    );
    assert.deepEqual(
      plans.map((plan) => [plan.transport, plan.loops, plan.depth, plan.httpEngine]),
      [
        ["http", 3, 2, "net"],
        ["http", 2, 2, "net"],
      ],
    );
    assert.throws(
      () => resolveBenchOptions({ transport: "http", port: 1, httpEngine: "curl" as "net" }),
      /--http-engine must be one of net, undici/,
    );
  });
});

describe("the HTTP baseline", () => {
  let baseline: RunningServer;
  before(async () => {
    baseline = await startHttpBaseline({ host: "127.0.0.1", port: 0 });
  });
  after(() => baseline.close());

  it("answers Query and Buy with our server's bytes, and anything else 404", async () => {
    const base = `http://127.0.0.1:${baseline.port}`;
    const query = await fetch(`${base}/api/toys/Tux`);
    assert.equal(query.headers.get("content-type"), "application/json");
    assert.deepEqual(Buffer.from(await query.arrayBuffer()), QUERY_BODY);
    const buy = await fetch(`${base}/api/toys/Tux/buy`, { method: "POST" });
    assert.deepEqual(Buffer.from(await buy.arrayBuffer()), BUY_BODY);
    assert.equal((await fetch(`${base}/api/toys/Lion`)).status, 404);
  });

  for (const httpEngine of ["net", "undici"] as const) {
    it(`keeps ${httpEngine} connections busy with a mixed load, without errors`, async () => {
      const result = await runBench({
        ...SHORT,
        transport: "http",
        port: baseline.port,
        connections: 4,
        op: "mix",
        httpEngine,
      });
      assert.equal(result.stopReason, "duration");
      assert.ok(result.latency.count > 0);
      assert.deepEqual(result.errors, {});
      assert.ok(result.latency.p50 <= result.latency.p99 && result.latency.p99 <= result.latency.max);
    });
  }

  it("pipelines requests on the net engine", async () => {
    const result = await runBench({
      ...SHORT,
      transport: "http",
      port: baseline.port,
      connections: 2,
      pipeline: 8,
    });
    assert.ok(result.latency.count > 0);
    assert.deepEqual(result.errors, {});
  });
});

describe("runBench --transport http against a server that fails every request", () => {
  let server: http.Server;
  let port: number;
  before(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(503, { "content-type": "application/problem+json", "retry-after": "1" });
      res.end('{"type":"urn:toystore:problem:busy","title":"busy","status":503}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );

  it("reports every response as an error", async () => {
    const result = await runBench({ ...SHORT, transport: "http", port, connections: 2 });
    assert.ok(result.latency.count > 0);
    assert.deepEqual(result.errors, { failed: result.latency.count });
  });
});
