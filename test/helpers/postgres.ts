// PostgreSQL for node:test suites: whether to skip (never silently in CI), a
// throwaway cluster per suite, and a fresh database per test.
//
//   describe("...", { skip: postgresOrSkip().skip }, () => {
//     let cluster: PostgresCluster;
//     before(async () => { cluster = await startTestCluster(); });
//     after(() => cluster?.stop());
//     it("...", async () => { const url = await freshDatabase(cluster); ... });
//   });

import { postgresBinaries } from "../../src/study/measure/postgres-binaries.js";
import {
  type PostgresCluster,
  type PostgresClusterOptions,
  startPostgresCluster,
} from "../../src/study/measure/postgres-cluster.js";

let skipReason: string | false | undefined;

/**
 * `{ skip: false }` when PostgreSQL's binaries are here, else `{ skip: reason }`.
 * Throws instead when TOYSTORE_REQUIRE_POSTGRES=1: CI must run these suites.
 */
export function postgresOrSkip(): { skip: string | false } {
  if (skipReason === undefined) {
    const found = postgresBinaries();
    if ("missing" in found && process.env.TOYSTORE_REQUIRE_POSTGRES === "1") {
      throw new Error(`TOYSTORE_REQUIRE_POSTGRES=1, but ${found.missing}`);
    }
    skipReason = "missing" in found ? found.missing : false;
  }
  return { skip: skipReason };
}

/**
 * A new cluster in a temporary directory; the suite stops it with
 * `after(() => cluster.stop())` (node:test's `after` only works inside a suite,
 * so the helper cannot register it). fsync is off: the data still survives a
 * killed server, only not a crashed machine, which no test does.
 */
export async function startTestCluster(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const { skip } = postgresOrSkip();
  if (skip) throw new Error(skip);
  return startPostgresCluster({ ...options, settings: { fsync: "off", ...options.settings } });
}

let databases = 0;

/** Creates toystore_test_<counter>_<pid> (unique across the runner's parallel files) and returns its URL. */
export async function freshDatabase(cluster: PostgresCluster): Promise<string> {
  databases += 1;
  return cluster.createDatabase(`toystore_test_${databases}_${process.pid}`);
}
