// The caching study's figures: each server's cache counters and announcement
// delays, read from its GET /api/stats at the end of a cell, and what a
// cell's servers add up to (the hit ratio over all of them, the staleness
// window of the worst of them). Plain data in, plain data out.

import { formatHostPort } from "../../net/host-port.js";
import type { DelayFigures, ServerCachingStats } from "./results.js";

/** How long a cell waits for a server's /api/stats. */
const STATS_TIMEOUT_MS = 5000;

/**
 * Reads one server's /api/stats over HTTP and keeps its `cache` and
 * `announcements` (null when it has none). Throws when the server does not
 * answer 200 with JSON in time.
 */
export async function readCachingStats(host: string, httpPort: number): Promise<ServerCachingStats> {
  const url = `http://${formatHostPort(host, httpPort)}/api/stats`;
  const response = await fetch(url, { signal: AbortSignal.timeout(STATS_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return parseCachingStats(await response.json());
}

/** The cache and announcement figures of a /api/stats document; what is missing or malformed is null. */
export function parseCachingStats(stats: unknown): ServerCachingStats {
  const body = record(stats);
  const cache = record(body?.cache);
  const [hits, misses, entries] = [cache?.hits, cache?.misses, cache?.entries].map(count);
  const all = announced(body?.announcements);
  const others = announced(record(body?.announcements)?.fromOthers);
  return {
    cache:
      hits === undefined || misses === undefined || entries === undefined ? null : { hits, misses, entries },
    announcements: all === null ? null : { ...all, fromOthers: others },
  };
}

/** `{ received, delayMs }` of an announcements block; null when it is not one. */
function announced(value: unknown): { received: number; delayMs: DelayFigures } | null {
  const block = record(value);
  const received = count(block?.received);
  if (received === undefined) return null;
  const delay = record(block?.delayMs);
  return {
    received,
    delayMs: { p50: milliseconds(delay?.p50), p99: milliseconds(delay?.p99), max: milliseconds(delay?.max) },
  };
}

/** What a cell's servers add up to. */
export interface CachingFigures {
  readonly hits: number;
  readonly misses: number;
  /** hits / (hits + misses) over every server; null when none counted a query. */
  readonly hitRatio: number | null;
  /** Toys cached at the end, summed over the servers. */
  readonly entries: number;
  /** Announcements received, summed over the servers (each server hears its own changes too). */
  readonly announcements: number;
  /** Of those, the ones made by another server, summed. */
  readonly fromOthers: number;
  /**
   * The staleness window: the delays of the announcements from other servers,
   * the figures of the server where each was largest (percentiles of two
   * servers cannot be merged exactly, so the worse is kept). A server that
   * does not tell others' apart gives all of its delays instead. null when no
   * server reported any.
   */
  readonly delayMs: { readonly p50: number; readonly p99: number; readonly max: number } | null;
}

/** The cell's figures from its servers' stats. */
export function cachingFigures(servers: readonly ServerCachingStats[]): CachingFigures {
  const caches = servers.flatMap((server) => (server.cache === null ? [] : [server.cache]));
  const hits = sum(caches.map((cache) => cache.hits));
  const misses = sum(caches.map((cache) => cache.misses));
  const heard = servers.flatMap((server) => (server.announcements === null ? [] : [server.announcements]));
  const windows = heard.map((each) => (each.fromOthers ?? each).delayMs);
  const worst = (pick: (delay: DelayFigures) => number | null): number | null => {
    const values = windows.flatMap((delay) => {
      const value = pick(delay);
      return value === null ? [] : [value];
    });
    return values.length === 0 ? null : Math.max(...values);
  };
  const [p50, p99, max] = [worst((d) => d.p50), worst((d) => d.p99), worst((d) => d.max)];
  return {
    hits,
    misses,
    hitRatio: hits + misses === 0 ? null : hits / (hits + misses),
    entries: sum(caches.map((cache) => cache.entries)),
    announcements: sum(heard.map((each) => each.received)),
    fromOthers: sum(heard.map((each) => each.fromOthers?.received ?? 0)),
    delayMs: p50 === null || p99 === null || max === null ? null : { p50, p99, max },
  };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function milliseconds(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
