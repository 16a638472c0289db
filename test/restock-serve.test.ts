// `toystore serve --restock-every`, as a user runs it: a real server process
// puts the sold-out toy back each period (seen through the course's API), and
// the timer's flags refuse bad values as usage errors.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startToystore } from "../src/study/measure/toystore-launch.js";
import { runCli } from "./helpers/cli.js";

/** Bound on waiting for a round. */
const WAIT_MS = 10_000;

async function quantityOf(port: number, name: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/products/${name}`);
  const body = (await response.json()) as { data: { quantity: number } };
  return body.data.quantity;
}

describe("serve --restock-every", () => {
  it("puts a sold-out toy back to --restock-to each period, while serving", async () => {
    const server = await startToystore({
      transports: ["http"],
      flags: { restockEvery: "100ms", restockTo: 7 },
      catalog: [
        { name: "Tux", price: "19.99", stock: 5 },
        { name: "Lion", price: "42.00", stock: 0 },
      ],
    });
    try {
      const port = server.ports.http!;
      let quantity = await quantityOf(port, "Lion");
      for (const start = performance.now(); quantity !== 7 && performance.now() - start < WAIT_MS; ) {
        await sleep(20);
        quantity = await quantityOf(port, "Lion");
      }
      assert.equal(quantity, 7, "Lion back to 7");
      // A toy in stock is left as it is.
      assert.equal(await quantityOf(port, "Tux"), 5);
      assert.ok(
        server.output.some((line) => line.includes("restocked 1 sold-out toy to 7")),
        server.output.join("\n"),
      );
    } finally {
      await server.stop();
    }
  });

  it("refuses --restock-to without --restock-every, and a period that is not a duration (exit 2)", async () => {
    const alone = await runCli(["serve", "--restock-to", "5"]);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--restock-to needs --restock-every/);
    const bad = await runCli(["serve", "--restock-every", "10"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--restock-every/);
  });
});
