// What the stress run checks once the load has stopped: the server still
// answers correctly, the books balance, well-behaved clients saw no error and
// no wrong answer, hostile cases got what the server promises, and the
// server's memory came back down.

import type { StoreClient, Transport } from "../../src/client/store-client.js";
import type { HostileTally } from "./hostile-runner.js";
import { RawSocket } from "./raw-socket.js";
import type { StressToy, ValidTally } from "./well-behaved.js";

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface AfterLoad {
  connect(transport: Transport): Promise<StoreClient>;
  readonly toys: readonly StressToy[];
  readonly decoy: StressToy;
  readonly soldOut: string;
  readonly valid: ValidTally;
  readonly hostile: HostileTally;
  /** The socket port, for a raw exchange. */
  readonly socketPort: number;
}

const MiB = 1024 * 1024;

function countAll(map: Map<string, number>): number {
  let sum = 0;
  for (const n of map.values()) sum += n;
  return sum;
}

async function stockLeft(client: StoreClient, name: string): Promise<number> {
  const result = await client.query(name);
  return result.kind === "in_stock" ? result.stock : 0;
}

export async function checkAfterLoad(a: AfterLoad): Promise<Check[]> {
  const checks: Check[] = [];
  const socket = await a.connect("socket");
  const grpc = await a.connect("grpc");
  try {
    // 1. Still answering, and answering right, over both transports and at the byte level.
    const answers: string[] = [];
    for (const client of [socket, grpc]) {
      const got = [
        (await client.query(a.soldOut)).kind,
        (await client.buy(a.soldOut)).kind,
        (await client.query("Nope")).kind,
        (await client.buy("Nope")).kind,
        (await client.query(a.toys[0]!.name)).kind,
      ];
      answers.push(`${client.transport}: ${got.join(", ")}`);
    }
    const raw = await RawSocket.open(a.socketPort);
    await raw.write("Sell: x\nQuery: Nope\n");
    const rawLines = await raw.waitForLines(2, 5000);
    await raw.destroy();
    answers.push(`raw: ${rawLines.join(" | ")}`);
    const expected = [
      "socket: sold_out, sold_out, not_found, not_found, in_stock",
      "grpc: sold_out, sold_out, not_found, not_found, in_stock",
      "raw: ERR unknown method 'Sell'; expected Query or Buy | -1",
    ];
    checks.push({
      name: "the server still answers correctly (both transports, raw socket)",
      ok: answers.join("\n") === expected.join("\n"),
      detail: answers.join("; "),
    });

    // 2. The books: initial = acknowledged buys + stock left, per toy, read over both transports.
    const lines: string[] = [];
    let balanced = true;
    const unknown = a.valid.unknownBuys;
    for (const toy of a.toys) {
      const leftSocket = await stockLeft(socket, toy.name);
      const leftGrpc = await stockLeft(grpc, toy.name);
      const sold = toy.stock - leftSocket;
      const acked = a.valid.acked.get(toy.name) ?? 0;
      // With no failed buy the books must balance exactly; a buy that failed may or may not have run.
      const ok = leftSocket === leftGrpc && sold >= acked && sold <= acked + unknown;
      balanced &&= ok;
      lines.push(
        `${toy.name}: ${toy.stock} = ${acked} acked + ${leftSocket} left${ok ? "" : ` (sold ${sold}, grpc says ${leftGrpc} left)`}`,
      );
    }
    checks.push({
      name: "the books balance: initial stock = acknowledged buys + stock left, per toy",
      ok: balanced,
      detail: `${lines.join("; ")}${unknown > 0 ? `; ${unknown} buys of unknown outcome` : ""}`,
    });

    const decoyLeft = await stockLeft(socket, a.decoy.name);
    const decoySold = a.decoy.stock - decoyLeft;
    const { sent, acked } = a.hostile.decoy;
    checks.push({
      name: "hostile buys: no more sold than sent, no fewer than acknowledged",
      ok: decoySold >= acked && decoySold <= sent,
      detail: `${a.decoy.name}: ${acked} acked <= ${decoySold} sold <= ${sent} sent`,
    });
  } finally {
    await socket.close();
    await grpc.close();
  }

  // 3. Well-behaved clients: no error, no wrong answer.
  const errors = countAll(a.valid.errors);
  checks.push({
    name: "errors seen by well-behaved clients: 0",
    ok: errors === 0,
    detail:
      errors === 0
        ? "none"
        : `${errors}: ${[...a.valid.errors].map(([k, n]) => `${k} x${n}`).join(", ")}; e.g. ${a.valid.errorSamples.join(" | ")}`,
  });
  checks.push({
    name: "wrong answers seen by well-behaved clients: 0",
    ok: a.valid.wrong.length === 0,
    detail: a.valid.wrong.length === 0 ? "none" : a.valid.wrong.slice(0, 5).join(" | "),
  });

  // 4. Hostile cases: each got the ERR line, the close or the answers the server promises.
  const anomalies = [...a.hostile.cases].filter(([, t]) => t.anomalies > 0);
  checks.push({
    name: "hostile cases answered as promised (ERR line, clean close, or right replies)",
    ok: anomalies.length === 0,
    detail:
      anomalies.length === 0
        ? "all"
        : anomalies
            .map(([name, t]) => `${name}: ${t.anomalies} of ${t.tried} (${t.samples.join(" | ")})`)
            .join("; "),
  });
  return checks;
}

/**
 * Memory comes back near where it started: the final RSS (after the quiet
 * pause) within max(32 MiB, 50 %) of the RSS after the warm-up. Measured
 * against the warm-up rather than the start, since the first seconds of any
 * Node server grow its heap and compile its code once and for all.
 */
export function checkMemory(m: { warm: number; final: number }): Check {
  const allowance = Math.max(32 * MiB, m.warm * 0.5);
  return {
    name: "memory back near where it started (final RSS within max(32 MiB, 50 %) of the warm RSS)",
    ok: m.final > 0 && m.final <= m.warm + allowance,
    detail: `warm ${(m.warm / MiB).toFixed(1)} MiB, final ${(m.final / MiB).toFixed(1)} MiB, allowed up to ${((m.warm + allowance) / MiB).toFixed(1)} MiB`,
  };
}
