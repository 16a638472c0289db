// The PostgreSQL store's options for its announcements and its query cache:
// declared once, as a schema serve turns into flags (refused with any other
// store, as the pool's are: see checkPostgresOnlyFlags).

import { choice, integer, type Schema, toggle } from "../../options/schema.js";

/** Whether a PostgreSQL store announces its stock changes, and whether it answers queries from memory. */
export interface PostgresCacheOptions {
  /** Answer queries from this process's memory, kept current by the announcements. Default off. */
  readonly queryCache: boolean;
  /** Toys the cache holds at most, least recently used out first. Default 10,000. */
  readonly queryCacheSize: number;
  /** "off": the statements announce nothing (no NOTIFY), to measure what announcing costs. Default "on". */
  readonly dbAnnounce: "on" | "off";
}

export const POSTGRES_CACHE_OPTIONS: Schema<PostgresCacheOptions> = {
  queryCache: toggle(
    "--query-cache",
    "answer queries from this server's memory, filled on a miss and kept current by every server's announcements of stock changes: a query may miss another server's sale until its announcement arrives (buys still decide in the database; a server reads its own changes); postgres:// stores only",
  ),
  queryCacheSize: integer(
    "--query-cache-size",
    "toys the query cache holds at most, the least recently used out first; postgres:// stores only",
    10_000,
    1,
    10_000_000,
  ),
  dbAnnounce: choice<"on" | "off">(
    "--db-announce",
    "announce each committed stock change to every server (NOTIFY in the changing statement); off, to measure what announcing costs, leaves each server's live stock to its own sales and allows no --query-cache; postgres:// stores only",
    "on",
    ["on", "off"],
    { hidden: true },
  ),
};

/** Why the options cannot go together (`given`: the ones typed), or undefined if they can. */
export function cacheOptionsProblem(given: Readonly<Partial<PostgresCacheOptions>>): string | undefined {
  if (given.queryCache === true && given.dbAnnounce === "off")
    return "--query-cache needs the announcements it is kept current by: it cannot go with --db-announce off";
  if (given.queryCacheSize !== undefined && given.queryCache !== true)
    return `--query-cache-size ${given.queryCacheSize} needs --query-cache`;
  return undefined;
}
