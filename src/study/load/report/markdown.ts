// report.md: the experiment's tables in Markdown, with the environment and
// the options that produced them, written from ExperimentResults alone.

import type { Environment } from "../../measure/environment.js";
import { storeLabel } from "../cell-stores.js";
import type { ExperimentResults } from "../results.js";
import { isCachingStudy } from "./caching-table.js";
import { buildSessionTables } from "./session-tables.js";
import { buildTables, type Table } from "./tables.js";

export interface MarkdownOptions {
  /** Relative paths of chart images to embed under the title, e.g. ["latency-vs-clients.svg"]. */
  readonly charts?: readonly string[];
}

/** The whole report as Markdown (GitHub-flavoured tables). */
export function renderMarkdown(results: ExperimentResults, options: MarkdownOptions = {}): string {
  if (results.sessionCells !== undefined) return renderSessionMarkdown(results, options);
  const { options: run } = results;
  const lines: string[] = [
    "# toystore experiment",
    "",
    `${results.cells.length} cells: transports ${run.transports.join(", ")}; stores ${(run.stores ?? ["memory"]).map(storeLabel).join(", ")}; locks ${run.locks.join(", ")}; ops ${run.ops.join(", ")}; clients ${run.clients.join(", ")}. ` +
      `Simulated work ${run.workMs} ms per request, ${run.requests} requests per client, socket pool ${run.socketPoolSize}, gRPC concurrency ${run.grpcMaxConcurrency}` +
      // Results written before the HTTP transport have no HTTP setting.
      `${run.transports.includes("http") && run.httpMaxConcurrency !== undefined ? `, HTTP concurrency ${run.httpMaxConcurrency}` : ""}` +
      `${run.quick ? " (--quick)" : ""}. ${servedBy(results)} clients connected first and started together.`,
    "",
    describeEnvironment(results.environment, results),
    "",
  ];
  for (const chart of options.charts ?? [])
    lines.push(`![Mean latency against the number of clients](${chart})`, "");
  for (const table of buildTables(results)) lines.push(...renderTable(table), "");
  return `${lines.join("\n").trimEnd()}\n`;
}

/** A session experiment's report: what ran, where, the chart, then its tables. */
function renderSessionMarkdown(results: ExperimentResults, options: MarkdownOptions): string {
  const { options: run } = results;
  const caching = isCachingStudy(results);
  const lines: string[] = [
    caching ? "# toystore experiment: the caching study" : "# toystore experiment: session clients",
    "",
    `${results.sessionCells?.length ?? 0} cells: transports ${run.transports.join(", ")}; stores ${run.stores.map(storeLabel).join(", ")}; locks ${run.locks.join(", ")}; clients ${run.clients.join(", ")}; buy probabilities ${run.buyProbabilities.join(", ")}. ` +
      `Each client runs ${run.requests} session steps (a query of a random toy, then with probability P a buy of 1 to 5 if it is in stock) and reads its orders back at the end. ` +
      `Simulated work ${run.workMs} ms per request, socket pool ${run.socketPoolSize}, gRPC concurrency ${run.grpcMaxConcurrency}` +
      `${run.transports.includes("http") ? `, HTTP concurrency ${run.httpMaxConcurrency}` : ""}` +
      `${run.quick ? " (--quick)" : ""}. ${servedBy(results)} clients connected first and started together.`,
    "",
    describeEnvironment(results.environment, results),
    "",
  ];
  const alt = caching
    ? "Latency of queries and buys against the buy probability, query cache off and on"
    : "Mean latency of queries and buys against the buy probability";
  for (const chart of options.charts ?? []) lines.push(`![${alt}](${chart})`, "");
  for (const table of buildSessionTables(results)) lines.push(...renderTable(table), "");
  return `${lines.join("\n").trimEnd()}\n`;
}

/** Where a session experiment's cells ran: one fresh server each, or several on one store, and the cache. */
function servedBy(results: ExperimentResults): string {
  const { serversPerCell = 1, queryCache = null, queryCacheSize = null } = results.options;
  const servers =
    serversPerCell === 1
      ? "Each cell ran on a fresh server"
      : `Each cell ran ${serversPerCell} fresh servers on one new store, client i on server i mod ${serversPerCell} (every buy then carries an idempotency key)`;
  const cache =
    queryCache === null
      ? ""
      : `, with serve --query-cache ${queryCache.join(" and ")}${queryCacheSize === null ? "" : ` (--query-cache-size ${queryCacheSize})`}, each server's /api/stats read at the end of the cell`;
  return `${servers}${cache};`;
}

/** One table as Markdown: a level-2 title, its caption, the rows. */
export function renderTable(table: Table): string[] {
  const escapePipes = (text: string) => text.replaceAll("|", "\\|");
  const row = (cells: readonly string[]) => `| ${cells.map(escapePipes).join(" | ")} |`;
  return [
    `## ${table.title}`,
    "",
    table.caption,
    "",
    row(table.header),
    `|${table.numeric.map((right) => (right ? " ---: " : " --- ")).join("|")}|`,
    ...table.rows.map(row),
  ];
}

function describeEnvironment(env: Environment, results: ExperimentResults): string {
  const commit =
    env.gitCommit === null
      ? "unknown commit"
      : `commit ${env.gitCommit.slice(0, 12)}${env.gitDirty ? " (with local changes)" : ""}`;
  const memory = `${Math.round(env.totalMemoryBytes / 2 ** 30)} GiB`;
  const hosts = results.serverHosts;
  const where =
    hosts === undefined
      ? ""
      : ` The clients ran on one host and each cell's ${hosts.length === 1 ? "server on another" : `${hosts.length} servers on others, the clients spread over them,`} (${hosts.join(", ")}), over veth links between network namespaces of that machine.`;
  return `Measured ${results.startedAt} on ${env.cpuModel} (${env.cpuCores} cores, ${memory}), ${env.platform} ${env.osRelease} ${env.arch}, Node.js ${env.node}, ${commit}.${where}`;
}
