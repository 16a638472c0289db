// What the stress run checks once the load has stopped: the server still
// answers correctly, the books balance, well-behaved clients saw no error and
// no wrong answer, hostile cases got what the server promises, the server's
// memory came back down, and it shuts down cleanly.

import { connect } from "../../src/client/connect.js";
import type { StoreClient } from "../../src/client/store-client.js";
import { addCounts, formatCounts } from "../../src/study/measure/results.js";
import type { ServerProcess } from "../../src/study/measure/server.js";
import { withRawSocket } from "./raw-socket.js";
import type { StressReport, WellBehavedSummary } from "./report.js";
import type { StressToy, WellBehavedPlan } from "./well-behaved.js";

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What the load left: the store it traded in, and what its sessions saw. */
export type AfterLoad = Pick<StressReport, "wellBehaved" | "hostile"> &
  Pick<WellBehavedPlan, "toys" | "soldOut"> & {
    readonly decoy: StressToy;
    socketPort: number;
    grpcPort: number;
  };

const MiB = 1024 * 1024;
const check = (name: string, ok: boolean, detail: string): Check => ({ name, ok, detail });
/** Passes when there is no problem; the detail lists them, or says `clean`. */
const noProblem = (name: string, problems: readonly string[], clean = "none") =>
  check(name, problems.length === 0, problems.length === 0 ? clean : problems.join("; "));

async function stockLeft(client: StoreClient, name: string): Promise<number> {
  const result = await client.query(name);
  return result.kind === "in_stock" ? result.stock : 0;
}

/** Still answering, and answering right, over both transports and at the byte level. */
async function checkAnswers(a: AfterLoad, clients: readonly StoreClient[]): Promise<Check> {
  const answers: string[] = [];
  for (const client of clients) {
    const kinds = [];
    for (const name of [a.soldOut, "Nope"])
      kinds.push((await client.query(name)).kind, (await client.buy(name)).kind);
    kinds.push((await client.query(a.toys[0]!.name)).kind);
    answers.push(`${client.transport}: ${kinds.join(", ")}`);
  }
  const raw = await withRawSocket(a.socketPort, async (c) => {
    await c.write("Sell: x\nQuery: Nope\n");
    return c.waitForLines(2, 5000);
  });
  answers.push(`raw: ${raw.join(" | ")}`);
  const expected = [
    "socket: sold_out, sold_out, not_found, not_found, in_stock",
    "grpc: sold_out, sold_out, not_found, not_found, in_stock",
    "raw: ERR unknown method 'Sell'; expected Query, Buy, Buy*<n>, Order or List | -1",
  ];
  const ok = answers.join("\n") === expected.join("\n");
  return check("the server still answers correctly (both transports, raw socket)", ok, answers.join("; "));
}

/** The books, read over both transports: initial = acknowledged buys + stock left, per toy. */
async function checkBooks(a: AfterLoad, socket: StoreClient, grpc: StoreClient): Promise<Check[]> {
  const acked = addCounts(a.wellBehaved.map((s) => s.acked));
  const unknown = a.wellBehaved.reduce((n, s) => n + s.unknownBuys, 0);
  const lines: string[] = [];
  let balanced = true;
  for (const { name, stock } of a.toys) {
    const [left, leftGrpc, mine] = [
      await stockLeft(socket, name),
      await stockLeft(grpc, name),
      acked[name] ?? 0,
    ];
    // With no failed buy the books must balance exactly; a buy that failed may or may not have run.
    const ok = left === leftGrpc && stock - left >= mine && stock - left <= mine + unknown;
    balanced &&= ok;
    lines.push(
      `${name}: ${stock} = ${mine} acked + ${left} left${ok ? "" : ` (gRPC says ${leftGrpc} left)`}`,
    );
  }
  if (unknown > 0) lines.push(`${unknown} buys of unknown outcome`);
  const sold = a.decoy.stock - (await stockLeft(socket, a.decoy.name));
  const { sent, acked: decoyAcked } = a.hostile.decoy;
  return [
    check(
      "the books balance: initial stock = acknowledged buys + stock left, per toy",
      balanced,
      lines.join("; "),
    ),
    check(
      "hostile buys: no more sold than sent, no fewer than acknowledged",
      sold >= decoyAcked && sold <= sent,
      `${a.decoy.name}: ${decoyAcked} acked <= ${sold} sold <= ${sent} sent`,
    ),
  ];
}

export async function checkAfterLoad(a: AfterLoad): Promise<Check[]> {
  const [socket, grpc] = await Promise.all([
    connect({ transport: "socket", port: a.socketPort }),
    connect({ transport: "grpc", port: a.grpcPort }),
  ]);
  const per = (pick: (s: WellBehavedSummary) => string | undefined) =>
    a.wellBehaved.flatMap((s) => pick(s) ?? []);
  try {
    return [
      await checkAnswers(a, [socket, grpc]),
      ...(await checkBooks(a, socket, grpc)),
      noProblem(
        "errors seen by well-behaved clients: 0",
        per((s) =>
          Object.keys(s.errors).length === 0
            ? undefined
            : `${s.transport}: ${formatCounts(s.errors)}, e.g. ${s.errorSamples.slice(0, 3).join(" | ")}`,
        ),
      ),
      noProblem(
        "wrong answers seen by well-behaved clients: 0",
        per((s) =>
          s.outcomes.wrong === undefined
            ? undefined
            : `${s.outcomes.wrong} wrong, e.g. ${s.wrong.slice(0, 5).join(" | ")}`,
        ),
      ),
      noProblem(
        "hostile cases answered as promised (ERR line, clean close, or right replies)",
        Object.entries(a.hostile.cases)
          .filter(([, t]) => t.anomalies > 0)
          .map(([name, t]) => `${name}: ${t.anomalies} of ${t.tried} (${t.samples.join(" | ")})`),
        "all",
      ),
    ];
  } finally {
    await Promise.all([socket.close(), grpc.close()]);
  }
}

/**
 * Memory comes back near where it started: the final RSS (after the quiet
 * pause) within max(32 MiB, 50 %) of the RSS after the warm-up. Measured
 * against the warm-up rather than the start, since the first seconds of any
 * Node server grow its heap and compile its code once and for all.
 */
export function checkMemory(m: { warm: number; final: number }): Check {
  const allowed = m.warm + Math.max(32 * MiB, m.warm * 0.5);
  return check(
    "memory back near where it started (final RSS within max(32 MiB, 50 %) of the warm RSS)",
    m.final > 0 && m.final <= allowed,
    `warm ${(m.warm / MiB).toFixed(1)} MiB, final ${(m.final / MiB).toFixed(1)} MiB, allowed up to ${(allowed / MiB).toFixed(1)} MiB`,
  );
}

/** The server logged no error, and SIGTERM ends it with exit 0 within its grace period (10 s; killed 5 s later). */
export async function checkShutdown(server: ServerProcess): Promise<Check[]> {
  const logged = noProblem("the server logged no error", server.stderr.slice(0, 5), "stderr empty");
  const exit = await server.stop(15_000);
  return [
    logged,
    check(
      "SIGTERM: graceful exit 0",
      exit.code === 0 && !exit.killed,
      exit.killed ? "killed after the grace period" : `exit code ${exit.code}, signal ${exit.signal}`,
    ),
  ];
}
