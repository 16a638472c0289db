// What `toystore serve` reads before it starts: the catalog file, the admin
// token, the TLS files; and the small helpers around its lifecycle.

import { readFile } from "node:fs/promises";
import type { AnyStore } from "../catalog/catalog-store.js";
import { DEFAULT_CATALOG } from "../catalog/default-catalog.js";
import { CatalogError, loadCatalogFile } from "../catalog/load-catalog.js";
import type { Toy } from "../catalog/toy.js";
import type { Logger } from "../observability/logger.js";
import type { Schema } from "../options/schema.js";
import type { StoreSpec } from "../stores/store-spec.js";
import { CliFailure, UsageError } from "./cli-failure.js";

/** The environment variable that may hold the admin token (a flag's value would show in `ps`). */
export const ADMIN_TOKEN_ENV = "TOYSTORE_ADMIN_TOKEN";

export async function readCatalog(file: string | null): Promise<readonly Toy[]> {
  if (file === null) return DEFAULT_CATALOG;
  try {
    return await loadCatalogFile(file);
  } catch (error) {
    if (error instanceof CatalogError) throw new CliFailure(`bad catalog: ${error.message}`);
    throw error;
  }
}

async function readText(what: string, file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new CliFailure(
      `cannot read the ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** The staff's token, from --admin-token-file or the environment; undefined: the admin API is off. */
export async function readAdminToken(file: string | null): Promise<string | undefined> {
  const token =
    file === null ? process.env[ADMIN_TOKEN_ENV] : (await readText("admin token file", file)).trim();
  if (token === undefined || token === "") {
    if (file !== null) throw new CliFailure(`the admin token file ${file} is empty`);
    return undefined;
  }
  if (token.length < 16) throw new CliFailure("the admin token must be at least 16 characters long");
  return token;
}

/** The certificate and key for TLS, both or neither. */
export async function readTls(
  cert: string | null,
  key: string | null,
): Promise<{ cert: string; key: string } | undefined> {
  if (cert === null && key === null) return undefined;
  if (cert === null || key === null) throw new UsageError("--tls-cert and --tls-key go together");
  return { cert: await readText("TLS certificate", cert), key: await readText("TLS key", key) };
}

export async function listen<T extends { address: { host: string; port: number } }>(
  what: string,
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await start();
  } catch (error) {
    throw new CliFailure(`cannot serve ${what}: ${(error as Error).message}`);
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
export function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

/**
 * Throws a UsageError if flags of a postgres store's (`given`: the ones typed,
 * as readFlags returns them) come with another store: they would do nothing.
 */
export function checkPostgresOnlyFlags<O>(
  store: StoreSpec,
  schema: Schema<O>,
  given: Readonly<Partial<O>>,
): void {
  if (store.kind === "postgres") return;
  const typed = (Object.keys(schema) as (keyof O)[]).filter((key) => given[key] !== undefined);
  if (typed.length === 0) return;
  // A switch (--query-cache) is named alone; a flag with its value.
  const flags = typed
    .map((key) => (given[key] === true ? schema[key].flag : `${schema[key].flag} ${String(given[key])}`))
    .join(", ");
  throw new UsageError(
    `${flags} ${typed.length === 1 ? "needs" : "need"} --store postgres://...; the memory store and sqlite: files use no database connections`,
  );
}

/** What follows the store's health: a transport's readiness (gRPC health, /readyz). */
export interface Readiness {
  setReady(ready: boolean, reason?: string): void;
}

/**
 * Keeps `transports` ready exactly while the store's database answers (a
 * store without a health check is always ready), and logs each change.
 */
export function followStoreHealth(store: AnyStore, transports: readonly Readiness[], log: Logger): void {
  if (store.shared !== true || store.healthy === undefined) return;
  const tell = (healthy: boolean, reason: string | undefined): void => {
    for (const transport of transports) transport.setReady(healthy, reason);
  };
  store.onHealth = (healthy, reason) => {
    if (healthy) log.info("database reachable again: serving");
    else
      log.warn(
        { reason },
        `database unreachable: ${reason}; requests fail unavailable, gRPC health NOT_SERVING, /readyz 503, until it answers again`,
      );
    tell(
      healthy,
      reason === undefined ? undefined : `store unavailable: cannot reach the database: ${reason}`,
    );
  };
  // It may have gone away while the transports started.
  if (!store.healthy) tell(false, "store unavailable: cannot reach the database");
}
