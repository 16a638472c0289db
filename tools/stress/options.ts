// The stress run's options: defaults in one object, parsed from argv once,
// each bad value named in the error.

import { parseArgs } from "node:util";

export interface StressOptions {
  /** Seconds of mixed valid and hostile traffic. */
  readonly durationS: number;
  /** Seconds of valid traffic alone first, after which the baseline RSS is read. */
  readonly warmupS: number;
  /** Seconds of quiet after the load, before the final RSS is read. */
  readonly settleS: number;
  /** Well-behaved sessions running at once, per transport. */
  readonly socketClients: number;
  readonly grpcClients: number;
  /** Hostile sessions running at once (each picks a case at random, runs it, picks again). */
  readonly hostile: number;
  /** Requests per well-behaved session before it reconnects. */
  readonly requestsPerSession: number;
  /** The server's simulated work per request (`serve --work-ms`). */
  readonly workMs: number;
  readonly seed: number;
  /** Run only the hostile cases whose name contains one of these (case-insensitive); empty: all. */
  readonly only: readonly string[];
  /** The server's V8 old-space limit in MiB (node --max-old-space-size). */
  readonly serverHeapMiB: number;
  /** Run the server from dist/ (after `npm run build`) instead of the source through tsx. */
  readonly fromDist: boolean;
  /** Also write the report as JSON to this file. */
  readonly jsonFile: string | undefined;
}

export const STRESS_DEFAULTS = {
  durationS: 40,
  warmupS: 3,
  settleS: 5,
  socketClients: 8,
  grpcClients: 8,
  hostile: 8,
  requestsPerSession: 500,
  workMs: 1,
  serverHeapMiB: 64,
} as const;

export const USAGE = `usage: tsx tools/stress/stress.ts [options]

Starts \`toystore serve\` on free loopback ports and runs well-behaved and
hostile sessions against both transports, then checks that the server still
answers correctly, that the books balance, that well-behaved clients saw no
error, and that its memory came back down. Exits 1 if a check fails.

  --duration <s>        seconds of mixed traffic (default ${STRESS_DEFAULTS.durationS})
  --warmup <s>          seconds of valid traffic first (default ${STRESS_DEFAULTS.warmupS})
  --settle <s>          seconds of quiet before the final memory reading (default ${STRESS_DEFAULTS.settleS})
  --socket-clients <n>  well-behaved socket sessions at once (default ${STRESS_DEFAULTS.socketClients})
  --grpc-clients <n>    well-behaved gRPC sessions at once (default ${STRESS_DEFAULTS.grpcClients})
  --hostile <n>         hostile sessions at once (default ${STRESS_DEFAULTS.hostile})
  --requests-per-session <n>  before a well-behaved session reconnects (default ${STRESS_DEFAULTS.requestsPerSession})
  --work-ms <ms>        the server's simulated work per request (default ${STRESS_DEFAULTS.workMs})
  --server-heap-mb <n>  the server's V8 old-space limit, as on a small machine (default ${STRESS_DEFAULTS.serverHeapMiB})
  --only <a,b,...>      only the hostile cases whose name contains one of these words
  --seed <n>            replay a run's random choices (default: from the clock)
  --from-dist           run dist/cli/main.js (npm run build first) instead of the source
  --json <file>         also write the report as JSON
  -h, --help            this text`;

function number(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`--${name} must be a number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** Parses argv; returns undefined when help was asked for. Throws RangeError/TypeError on bad input. */
export function parseStressOptions(argv: string[]): StressOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: "string" },
      warmup: { type: "string" },
      settle: { type: "string" },
      "socket-clients": { type: "string" },
      "grpc-clients": { type: "string" },
      hostile: { type: "string" },
      "requests-per-session": { type: "string" },
      "work-ms": { type: "string" },
      "server-heap-mb": { type: "string" },
      seed: { type: "string" },
      only: { type: "string" },
      "from-dist": { type: "boolean" },
      json: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const d = STRESS_DEFAULTS;
  return {
    durationS: number("duration", values.duration, d.durationS, 1, 3600),
    warmupS: number("warmup", values.warmup, d.warmupS, 0, 600),
    settleS: number("settle", values.settle, d.settleS, 0, 600),
    socketClients: Math.floor(number("socket-clients", values["socket-clients"], d.socketClients, 0, 200)),
    grpcClients: Math.floor(number("grpc-clients", values["grpc-clients"], d.grpcClients, 0, 200)),
    hostile: Math.floor(number("hostile", values.hostile, d.hostile, 0, 64)),
    requestsPerSession: Math.floor(
      number("requests-per-session", values["requests-per-session"], d.requestsPerSession, 1, 1e6),
    ),
    workMs: number("work-ms", values["work-ms"], d.workMs, 0, 1000),
    serverHeapMiB: Math.floor(number("server-heap-mb", values["server-heap-mb"], d.serverHeapMiB, 16, 65536)),
    seed: Math.floor(number("seed", values.seed, Date.now() % 2 ** 31, 0, 2 ** 32 - 1)),
    only: (values.only ?? "")
      .split(",")
      .map((word) => word.trim().toLowerCase())
      .filter((word) => word !== ""),
    fromDist: values["from-dist"] ?? false,
    jsonFile: values.json,
  };
}
