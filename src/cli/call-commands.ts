// `toystore query <name>` and `toystore buy <name>`: one call, one human line.

import type { Command } from "commander";
import { Option } from "commander";
import { formatPrice, type StoreResult } from "../catalog/toy.js";
import { connect } from "../client/connect.js";
import type { Transport } from "../client/store-client.js";
import { CliFailure } from "./cli-failure.js";
import { integerIn, port } from "./parse-options.js";

interface CallFlags {
  transport: Transport;
  host: string;
  socketPort: number;
  grpcPort: number;
  timeoutMs: number;
}

/** The human line, led by the seed's code (price and stock / 1 / 0 / -1). */
export function describeResult(name: string, result: StoreResult): string {
  switch (result.kind) {
    case "in_stock":
      return `${formatPrice(result.priceCents)} ${result.stock}   ${name}: in stock, ${result.stock} left at ${formatPrice(result.priceCents)}`;
    case "bought":
      return result.stockLeft === undefined
        ? `1   ${name}: bought one`
        : `1   ${name}: bought one, ${result.stockLeft} left`;
    case "sold_out":
      return `0   ${name}: sold out`;
    case "not_found":
      return `-1   ${name}: no such toy`;
  }
}

export function registerCallCommands(program: Command): void {
  for (const op of ["query", "buy"] as const) {
    program
      .command(`${op} <name>`)
      .description(
        op === "query"
          ? "ask the price and stock of a toy (prints: price and stock, 0 if sold out, -1 if no such toy)"
          : "buy one unit of a toy (prints: 1 if bought, 0 if sold out, -1 if no such toy)",
      )
      .addOption(
        new Option("--transport <transport>", "which transport to call")
          .choices(["socket", "grpc"])
          .default("socket"),
      )
      .option("--host <host>", "server address", "127.0.0.1")
      .option("--socket-port <port>", "socket transport port", port, 7070)
      .option("--grpc-port <port>", "gRPC transport port", port, 50051)
      .option("--timeout-ms <ms>", "give up after this long", integerIn(1), 5000)
      .action(async (name: string, flags: CallFlags) => {
        const target = flags.transport === "socket" ? flags.socketPort : flags.grpcPort;
        let client: Awaited<ReturnType<typeof connect>>;
        try {
          client = await connect({
            transport: flags.transport,
            host: flags.host,
            port: target,
            connectTimeoutMs: flags.timeoutMs,
          });
        } catch (error) {
          throw new CliFailure((error as Error).message);
        }
        try {
          const result =
            op === "query"
              ? await client.query(name, { timeoutMs: flags.timeoutMs })
              : await client.buy(name, { timeoutMs: flags.timeoutMs });
          console.log(describeResult(name.trim(), result));
        } catch (error) {
          throw new CliFailure(`${op} failed: ${(error as Error).message}`);
        } finally {
          await client.close();
        }
      });
  }
}
