// The benchmark's report, plain data: the options, the environment, and per
// suite its definition, its servers, every run and the summary. `--json`
// prints it as it is; the tables (table.ts) are written from it alone.

import type { Environment } from "../../src/study/measure/environment.js";
import type { RoundOptions, RunRecord } from "./rounds.js";
import type { Suite } from "./suite.js";
import type { SuiteSummary } from "./summary.js";

/** One suite's part of the report. */
export interface SuiteReport {
  readonly suite: Suite;
  readonly options: RoundOptions;
  /** Our servers and the Node baselines ran under callgrind: their req/s and CPU are valgrind's. */
  readonly callgrind: boolean;
  /** Each server's command line, or "not started: <why>". */
  readonly servers: Readonly<Record<string, string>>;
  readonly runs: readonly RunRecord[];
  readonly summary: SuiteSummary;
}

/** Everything one invocation of the runner measured. */
export interface BenchReport {
  readonly kind: "toystore-bench-suites";
  readonly version: 1;
  readonly options: RoundOptions & { readonly suites: readonly string[] };
  readonly environment: Environment;
  readonly suites: readonly SuiteReport[];
}

/** Every ratio with a goal that was measured and missed, across the suites: "suite ratio". */
export function missedRatios(report: BenchReport): string[] {
  return report.suites.flatMap((each) =>
    each.summary.ratios
      .filter((ratio) => ratio.met === false)
      .map((ratio) => `${each.suite.name} ${ratio.name}`),
  );
}
