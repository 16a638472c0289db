// The stress run's options: the numeric flags in one table (flag, default,
// range, help), parsed from argv with node:util parseArgs, each bad value
// named in the error.

import { parseArgs } from "node:util";

/** Option: flag, its argument ("n": a whole number), default, min, max, help. */
const NUMBERS = {
  durationS: ["duration", "s", 40, 1, 3600, "seconds of mixed traffic"],
  warmupS: ["warmup", "s", 3, 0, 600, "seconds of valid traffic alone first, then the baseline RSS"],
  settleS: ["settle", "s", 5, 0, 600, "seconds of quiet before the final memory reading"],
  socketClients: ["socket-clients", "n", 8, 0, 200, "well-behaved socket sessions at once"],
  grpcClients: ["grpc-clients", "n", 8, 0, 200, "well-behaved gRPC sessions at once"],
  hostile: ["hostile", "n", 8, 0, 64, "hostile sessions at once, each running case after case"],
  requestsPerSession: ["requests-per-session", "n", 500, 1, 1e6, "before a well-behaved session reconnects"],
  workMs: ["work-ms", "ms", 1, 0, 1000, "the server's simulated work per request"],
  serverHeapMiB: [
    "server-heap-mb",
    "n",
    64,
    16,
    65536,
    "the server's V8 old-space limit, as on a small machine",
  ],
} as const;

export type StressOptions = { readonly [K in keyof typeof NUMBERS]: number } & {
  readonly seed: number;
  /** Run only the hostile cases whose name contains one of these (lower case); empty: all. */
  readonly only: readonly string[];
  /** Run the server from dist/ (after `npm run build`) instead of the source through tsx. */
  readonly fromDist: boolean;
  /** Also write the report as JSON to this file. */
  readonly jsonFile: string | undefined;
};

const row = (flag: string, help: string) => `  ${flag.padEnd(28)}${help}`;

export const USAGE = `usage: tsx tools/stress/stress.ts [options]

Starts \`toystore serve\` on free loopback ports and runs well-behaved and
hostile sessions against both transports, then checks that the server still
answers correctly, that the books balance, that well-behaved clients saw no
error, and that its memory came back down. Exits 1 if a check fails.

${[
  ...Object.values(NUMBERS).map(([flag, arg, fallback, , , help]) =>
    row(`--${flag} <${arg}>`, `${help} (default ${fallback})`),
  ),
  row("--only <a,b,...>", "only the hostile cases whose name contains one of these words"),
  row("--seed <n>", "replay a run's random choices (default: from the clock)"),
  row("--from-dist", "run dist/cli/main.js (npm run build first) instead of the source"),
  row("--json <file>", "also write the report as JSON"),
  row("-h, --help", "this text"),
].join("\n")}`;

function number(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`--${flag} must be a number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** Parses argv; returns undefined when help was asked for. Throws RangeError/TypeError on bad input. */
export function parseStressOptions(argv: string[]): StressOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(Object.values(NUMBERS).map(([flag]) => [flag, { type: "string" as const }])),
      seed: { type: "string" },
      only: { type: "string" },
      "from-dist": { type: "boolean" },
      json: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const text = (flag: string) => (values as Record<string, string | undefined>)[flag];
  const numbers = Object.entries(NUMBERS).map(([key, [flag, arg, fallback, min, max]]) => {
    const value = number(flag, text(flag), fallback, min, max);
    return [key, arg === "n" ? Math.floor(value) : value];
  });
  return {
    ...(Object.fromEntries(numbers) as { [K in keyof typeof NUMBERS]: number }),
    seed: Math.floor(number("seed", values.seed, Date.now() % 2 ** 31, 0, 2 ** 32 - 1)),
    only: (values.only ?? "")
      .split(",")
      .map((word) => word.trim().toLowerCase())
      .filter((word) => word !== ""),
    fromDist: values["from-dist"] ?? false,
    jsonFile: values.json,
  };
}
