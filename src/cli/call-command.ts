// `toystore query <name>` and `toystore buy <name>`: one call, one human line.

import type { Command } from "commander";
import type { Op, StoreResult } from "../catalog/toy.js";
import { formatPrice } from "../catalog/toy.js";
import { connect } from "../client/connect.js";
import type { StoreClient } from "../client/store-client.js";
import { resolveTarget, TARGET_OPTIONS } from "../client/target.js";
import { integer, resolveOptions, type Schema } from "../options/schema.js";
import { CliFailure } from "./cli-failure.js";
import { addFlags, readFlags } from "./flags.js";

const CALL_OPTIONS: Schema<{ readonly timeoutMs: number }> = {
  timeoutMs: integer("--timeout-ms", "give up after this long", 5000, 1, 2 ** 31 - 1),
};

/** The human line, led by the original design's code (price and stock / 1 / 0 / -1). */
export function describeResult(name: string, result: StoreResult): string {
  switch (result.kind) {
    case "in_stock":
      return `${formatPrice(result.priceCents)} ${result.stock}   ${name}: in stock, ${result.stock} left at ${formatPrice(result.priceCents)}`;
    case "bought": {
      const left = result.stockLeft === undefined ? "" : `, ${result.stockLeft} left`;
      const order = result.orderId === undefined ? "" : ` (order ${result.orderId})`;
      return `1   ${name}: bought one${left}${order}`;
    }
    case "sold_out":
      return `0   ${name}: sold out`;
    case "not_found":
      return `-1   ${name}: no such toy`;
  }
}

/** Adds `query <name>` or `buy <name>` to the program. */
export function registerCallCommand(program: Command, op: Op): void {
  const command = program
    .command(`${op} <name>`)
    .description(
      op === "query"
        ? "ask the price and stock of a toy (prints: price and stock, 0 if sold out, -1 if no such toy)"
        : "buy one unit of a toy (prints: 1 if bought, 0 if sold out, -1 if no such toy)",
    );
  addFlags(command, TARGET_OPTIONS, CALL_OPTIONS).action(
    async (name: string, given: Record<string, unknown>) => {
      const target = resolveTarget(readFlags(TARGET_OPTIONS, given));
      const { timeoutMs } = resolveOptions(CALL_OPTIONS, readFlags(CALL_OPTIONS, given));
      let client: StoreClient;
      try {
        client = await connect({ ...target, connectTimeoutMs: timeoutMs });
      } catch (error) {
        throw new CliFailure((error as Error).message);
      }
      try {
        const result =
          op === "query" ? await client.query(name, { timeoutMs }) : await client.buy(name, { timeoutMs });
        console.log(describeResult(name.trim(), result));
      } catch (error) {
        throw new CliFailure(`${op} failed: ${(error as Error).message}`);
      } finally {
        await client.close();
      }
    },
  );
}
