// The stores an experiment's cells run on. Every cell starts on a store of its
// own, filled from the cell's catalog: a new SQLite file, or a new PostgreSQL
// database (on a throwaway local cluster, or on a server the user names),
// removed once the cell is done.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import type { Rule } from "../../options/rules.js";
import { describeStore, parseStoreSpec } from "../../stores/store-spec.js";
import { type PostgresCluster, startPostgresCluster } from "../measure/postgres-cluster.js";

/** memory, sqlite, postgres (a local throwaway cluster), or a postgres:// URL of a server to create databases on. */
export type ExperimentStore = string;

export const EXPERIMENT_STORE: Rule<ExperimentStore> = {
  expected: "memory, sqlite, postgres or a postgres:// URL",
  valid: (value) =>
    typeof value === "string" &&
    (value === "memory" ||
      value === "sqlite" ||
      value === "postgres" ||
      parseStoreSpec(value)?.kind === "postgres"),
  parse: (text) => (EXPERIMENT_STORE.valid(text) ? text : undefined),
};

/** How a cell's store is named in results: its kind alone. */
export function storeLabel(store: ExperimentStore): "memory" | "sqlite" | "postgres" {
  return store === "memory" || store === "sqlite" ? store : "postgres";
}

/** A cell's store: the `--store` value for its server (none: memory), and how to remove it. */
export interface CellStore {
  readonly flag: string | undefined;
  remove(): Promise<void>;
}

export class CellStores {
  #dir: string | undefined;
  #cluster: PostgresCluster | undefined;
  #made = 0;

  /** A new, empty store of the kind asked. */
  async create(store: ExperimentStore): Promise<CellStore> {
    this.#made += 1;
    if (store === "memory") return { flag: undefined, remove: async () => {} };
    if (store === "sqlite") {
      this.#dir ??= await mkdtemp(join(tmpdir(), "toystore-experiment-"));
      const file = join(this.#dir, `cell-${this.#made}.db`);
      return {
        flag: `sqlite:${file}`,
        remove: async () => {
          await rm(file, { force: true });
          await rm(`${file}-wal`, { force: true });
        },
      };
    }
    const server = store === "postgres" ? (await this.#localCluster()).url() : store;
    const name = `toystore_experiment_${process.pid}_${this.#made}`;
    await onServer(server, (sql) => sql.unsafe(`CREATE DATABASE ${name}`));
    const url = new URL(server);
    url.pathname = `/${name}`;
    return {
      flag: url.toString(),
      remove: () => onServer(server, (sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name}`)),
    };
  }

  /** Removes the folder and stops the cluster this made. */
  async close(): Promise<void> {
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
    await this.#cluster?.stop();
  }

  async #localCluster(): Promise<PostgresCluster> {
    this.#cluster ??= await startPostgresCluster();
    return this.#cluster;
  }
}

/** Runs one statement on a server's maintenance connection (CREATE/DROP DATABASE cannot run in a transaction). */
async function onServer(url: string, run: (sql: postgres.Sql) => Promise<unknown>): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await run(sql);
  } catch (error) {
    throw new Error(`${describeStore({ kind: "postgres", url })}: ${(error as Error).message}`);
  } finally {
    await sql.end({ timeout: 1 });
  }
}
