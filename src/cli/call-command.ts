// `toystore query <name>`, `buy <name>`, `order <id>` and `list`: one call,
// then human lines, the first led by the original design's reply code where
// there is one. One table: each command's argument, flags, call and printing.

import type { Command } from "commander";
import {
  type BuyResult,
  formatPrice,
  MAX_QUANTITY,
  type Order,
  type QueryResult,
  type Toy,
} from "../catalog/toy.js";
import { connect } from "../client/connect.js";
import type { StoreClient } from "../client/store-client.js";
import { resolveTarget, TARGET_OPTIONS } from "../client/target.js";
import { integer, resolveOptions, type Schema } from "../options/schema.js";
import { CliFailure } from "./cli-failure.js";
import { addFlags, readFlags } from "./flags.js";

interface Timed {
  readonly timeoutMs: number;
}

const TIMEOUT = integer("--timeout-ms", "give up after this long", 5000, 1, 2 ** 31 - 1);
const QUANTITY = integer("--quantity", "units to buy, all or nothing", 1, 1, MAX_QUANTITY);

interface CallCommand<F extends Timed> {
  readonly usage: string;
  readonly description: string;
  readonly flags: Schema<F>;
  /** Makes the call and returns the lines to print. */
  call(client: StoreClient, argument: string, flags: F): Promise<readonly string[]>;
}

/** The human line for a query, led by its code (price and stock / 0 / -1). */
export function describeQuery(name: string, result: QueryResult): string {
  switch (result.kind) {
    case "in_stock":
      // The original socket protocol answers the price alone: its client reports the stock as NaN.
      if (Number.isNaN(result.stock))
        return `${formatPrice(result.priceCents)}   ${name}: in stock at ${formatPrice(result.priceCents)}`;
      return `${formatPrice(result.priceCents)} ${result.stock}   ${name}: in stock, ${result.stock} left at ${formatPrice(result.priceCents)}`;
    case "sold_out":
      return `0   ${name}: sold out`;
    case "not_found":
      return `-1   ${name}: no such toy`;
  }
}

/** The human line for a buy, led by its code (1 / 0 / -1). */
export function describeBuy(name: string, result: BuyResult, quantity = 1): string {
  switch (result.kind) {
    case "bought": {
      const units = quantity === 1 ? "one" : String(quantity);
      const price = result.unitPriceCents === undefined ? "" : ` at ${formatPrice(result.unitPriceCents)}`;
      const left = result.stockLeft === undefined ? "" : `, ${result.stockLeft} left`;
      const order = result.orderId === undefined ? "" : ` (order ${result.orderId})`;
      return `1   ${name}: bought ${units}${price}${left}${order}`;
    }
    case "sold_out":
      return quantity === 1
        ? `0   ${name}: sold out`
        : `0   ${name}: fewer than ${quantity} left, nothing sold`;
    case "not_found":
      return `-1   ${name}: no such toy`;
  }
}

function describeOrder(id: string, order: Order | undefined): string {
  if (order === undefined) return `-1   order ${id}: no such order`;
  return `${order.id} ${order.quantity} ${formatPrice(order.unitPriceCents)} ${order.time} ${order.toy}`;
}

function describeToy(toy: Toy): string {
  return `${formatPrice(toy.priceCents)} ${toy.stock} ${toy.name}`;
}

const QUERY: CallCommand<Timed> = {
  usage: "query <name>",
  description: "ask the price and stock of a toy (prints: price and stock, 0 if sold out, -1 if no such toy)",
  flags: { timeoutMs: TIMEOUT },
  call: async (client, name, { timeoutMs }) => [
    describeQuery(name.trim(), await client.query(name, { timeoutMs })),
  ],
};

const BUY: CallCommand<Timed & { readonly quantity: number }> = {
  usage: "buy <name>",
  description:
    "buy units of a toy, all or nothing (prints: 1 if bought, 0 if sold out or fewer left than asked, -1 if no such toy)",
  flags: { timeoutMs: TIMEOUT, quantity: QUANTITY },
  call: async (client, name, { timeoutMs, quantity }) => {
    // A plain buy asks as the original design's clients do; a quantity asks for the order back.
    const result = await client.buy(name, quantity === 1 ? { timeoutMs } : { timeoutMs, quantity });
    return [describeBuy(name.trim(), result, quantity)];
  },
};

const ORDER: CallCommand<Timed> = {
  usage: "order <id>",
  description: "read an order back (prints: id, quantity, unit price, time and toy; -1 if no such order)",
  flags: { timeoutMs: TIMEOUT },
  call: async (client, id, { timeoutMs }) => [describeOrder(id, await client.order(id, { timeoutMs }))],
};

const LIST: CallCommand<Timed> = {
  usage: "list",
  description: "list the catalog (prints: one line per toy: price, stock and name)",
  flags: { timeoutMs: TIMEOUT },
  call: async (client, _argument, { timeoutMs }) => (await client.list({ timeoutMs })).map(describeToy),
};

/** Adds query, buy, order and list to the program. */
export function registerCallCommands(program: Command): void {
  register(program, QUERY);
  register(program, BUY);
  register(program, ORDER);
  register(program, LIST);
}

function register<F extends Timed>(program: Command, spec: CallCommand<F>): void {
  const command = program.command(spec.usage).description(spec.description);
  const name = spec.usage.split(" ")[0]!;
  const takesArgument = spec.usage.includes("<");
  addFlags(command, TARGET_OPTIONS, spec.flags).action(async (...args: unknown[]) => {
    const argument = takesArgument ? (args[0] as string) : "";
    const given = (takesArgument ? args[1] : args[0]) as Record<string, unknown>;
    const target = resolveTarget(readFlags(TARGET_OPTIONS, given));
    const flags = resolveOptions(spec.flags, readFlags(spec.flags, given));
    let client: StoreClient;
    try {
      client = await connect({ ...target, connectTimeoutMs: flags.timeoutMs });
    } catch (error) {
      throw new CliFailure((error as Error).message);
    }
    try {
      for (const line of await spec.call(client, argument, flags)) console.log(line);
    } catch (error) {
      throw new CliFailure(`${name} failed: ${(error as Error).message}`);
    } finally {
      await client.close();
    }
  });
}
