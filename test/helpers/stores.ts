// Every store kind for the suites that must hold on all of them: a describe
// per kind that gets a fresh, empty store spec per test (a new SQLite file, a
// new PostgreSQL database) and removes them afterwards.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe } from "node:test";
import type { AnyStore } from "../../src/catalog/catalog-store.js";
import type { Toy } from "../../src/catalog/toy.js";
import { openStore } from "../../src/stores/open-store.js";
import { MEMORY_STORE, type StoreSpec } from "../../src/stores/store-spec.js";
import type { PostgresCluster } from "../../src/study/measure/postgres-cluster.js";
import { freshDatabase, postgresOrSkip, startTestCluster } from "./postgres.js";

export type StoreKind = StoreSpec["kind"];
export const STORE_KINDS: readonly StoreKind[] = ["memory", "sqlite", "postgres"];
export const DURABLE_STORE_KINDS: readonly StoreKind[] = ["sqlite", "postgres"];

export interface StoreFixture {
  readonly kind: StoreKind;
  /** A new, empty store of this kind. */
  fresh(): Promise<StoreSpec>;
  /** A new store of this kind holding `toys`, opened in this process. */
  open(toys: readonly Toy[]): Promise<{ readonly store: AnyStore; readonly spec: StoreSpec }>;
  /** The cluster behind a postgres fixture. */
  readonly cluster: PostgresCluster | undefined;
}

/** A describe() for `kind` whose body gets the fixture; PostgreSQL's suites skip (saying why) where it is missing. */
export function describeStore(kind: StoreKind, title: string, body: (fixture: StoreFixture) => void): void {
  const skip = kind === "postgres" ? postgresOrSkip().skip : false;
  describe(`${title} (${kind} store)`, { skip }, () => {
    let dir = "";
    let files = 0;
    let cluster: PostgresCluster | undefined;
    before(async () => {
      if (kind === "sqlite") dir = await mkdtemp(join(tmpdir(), "toystore-sqlite-"));
      if (kind === "postgres") cluster = await startTestCluster();
    });
    after(async () => {
      if (dir !== "") await rm(dir, { recursive: true, force: true });
      await cluster?.stop();
    });
    const fixture: StoreFixture = {
      kind,
      get cluster() {
        return cluster;
      },
      async fresh() {
        switch (kind) {
          case "memory":
            return MEMORY_STORE;
          case "sqlite":
            files += 1;
            return { kind: "sqlite", path: join(dir, `store-${files}.db`) };
          case "postgres":
            if (cluster === undefined) throw new Error("the test cluster did not start");
            return { kind: "postgres", url: await freshDatabase(cluster) };
        }
      },
      async open(toys) {
        const spec = await fixture.fresh();
        const { store } = await openStore(spec, { toys, given: false });
        return { store, spec };
      },
    };
    body(fixture);
  });
}
