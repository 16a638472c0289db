// What the Debian generators print, read into the runner's figures (samples
// from wrk 4.1, redis-benchmark 7.0 and pgbench 15).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePgbench, parseRedisBenchmark, parseWrk } from "./command-generators.js";
import { spreadConnections } from "./engine.js";

const WRK = `Running 1s test @ http://127.0.0.1:42289/api/toys/Tux
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   407.81us    1.02ms  12.05ms   91.75%
    Req/Sec    38.99k    21.25k   58.37k    70.00%
  Latency Distribution
     50%   76.00us
     75%  134.00us
     90%    1.13ms
     99%    5.23ms
  38798 requests in 1.01s, 8.44MB read
  Non-2xx or 3xx responses: 3
  Socket errors: connect 0, read 1, write 0, timeout 2
Requests/sec:  38530.56
Transfer/sec:      8.38MB
`;

const REDIS = `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"GET","100000.00","0.025","0.008","0.023","0.047","0.071","1.087"
`;

const PGBENCH = `pgbench (15.14 (Debian 15.14-0+deb12u1))
transaction type: /tmp/pgbench-select.sql
scaling factor: 1
query mode: prepared
number of clients: 10
number of threads: 1
maximum number of tries: 1
duration: 1 s
number of transactions actually processed: 45421
number of failed transactions: 2 (0.004%)
latency average = 0.220 ms
initial connection time = 12.345 ms
tps = 45421.123456 (without initial connection time)
`;

describe("the Debian generators' reports", () => {
  it("wrk: rate, count, percentiles in µs whatever the unit, errors and non-2xx replies", () => {
    assert.deepEqual(parseWrk(WRK), {
      requestsPerSecond: 38531,
      requests: 38798,
      p50Us: 76,
      p99Us: 5230,
      meanUs: 408,
      errors: 6,
    });
    assert.throws(() => parseWrk("unable to connect"), /wrk printed no request rate/);
  });

  it("redis-benchmark: the CSV's columns by name, ms to µs", () => {
    assert.deepEqual(parseRedisBenchmark(REDIS), {
      requestsPerSecond: 100_000,
      requests: 0,
      p50Us: 23,
      p99Us: 71,
      meanUs: 25,
      errors: 0,
    });
    assert.throws(() => parseRedisBenchmark(""), /redis-benchmark printed no result/);
  });

  it("pgbench: tps, transactions, mean latency and failures", () => {
    assert.deepEqual(parsePgbench(PGBENCH), {
      requestsPerSecond: 45421,
      requests: 45421,
      meanUs: 220,
      errors: 2,
    });
    assert.throws(() => parsePgbench("connection refused"), /pgbench printed no tps/);
  });

  it("spread a row's connections over its toys as evenly as integers allow", () => {
    assert.deepEqual(
      spreadConnections(["a", "b", "c"], 10).map((part) => part.connections),
      [4, 3, 3],
    );
    assert.deepEqual(spreadConnections(["a", "b", "c"], 2), [
      { name: "a", connections: 1 },
      { name: "b", connections: 1 },
    ]);
  });
});
