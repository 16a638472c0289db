// The contract from another language: scripts/python-client-check.sh builds
// Python stubs from proto/toystore.proto alone and calls every method of a
// real server. Skipped when Debian's python3-grpcio and python3-grpc-tools are
// not installed; TOYSTORE_REQUIRE_PYTHON_GRPC=1 makes that a failure instead.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startTestGrpcServer } from "./helpers/grpc-server.js";
import { PYTHON, pythonGrpcOrSkip } from "./helpers/python-grpc.js";

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("../scripts/python-client-check.sh", import.meta.url));

test("a Python client built from the proto alone calls every method", {
  skip: pythonGrpcOrSkip(),
}, async () => {
  const store = await startTestGrpcServer({ toys: [{ name: "Tux", priceCents: 1999, stock: 10 }] });
  try {
    const { stdout } = await run("sh", [SCRIPT, store.target, "Tux"], { env: { ...process.env, PYTHON } });
    assert.match(stdout, /Query\('Tux'\) -> status=QUERY_STATUS_IN_STOCK price_cents=1999 stock=10/);
    assert.match(stdout, /Buy\('Tux'\) -> status=BUY_STATUS_BOUGHT stock_left=9/);
    assert.match(
      stdout,
      /Buy\('Tux', quantity=2\) -> status=BUY_STATUS_BOUGHT order_id='2' unit_price_cents=1999 quantity=2 stock_left=7/,
    );
    assert.match(
      stdout,
      /GetOrder\('2'\) -> status=ORDER_STATUS_FOUND toy='Tux' quantity=2 unit_price_cents=1999/,
    );
    assert.match(stdout, /GetOrder\('999999999'\) -> status=ORDER_STATUS_NOT_FOUND/);
    assert.match(stdout, /ListToys\(\) -> 1 toys: Tux 1999 7/);
    assert.match(stdout, /Query\(''\) -> INVALID_ARGUMENT: empty name/);
    assert.deepEqual(await store.client().query("Tux"), { kind: "in_stock", priceCents: 1999, stock: 7 });
  } finally {
    await store.close();
  }
});
