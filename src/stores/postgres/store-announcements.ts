// What one PostgreSQL store does with the announcements of stock changes:
// makes them (this server's id in each, unless --db-announce off), listens
// for every server's (stock-listener.ts) while anyone watches or the query
// cache is on, passes them to the feed's watchers and the cache
// (cached-stock.ts), and tells the store's hooks of each one's delay.

import { randomBytes } from "node:crypto";
import type { StockFeed } from "../../catalog/catalog-store.js";
import type { StoreLog } from "../open-options.js";
import { parsePostgresUrl } from "../store-spec.js";
import type { Announcing } from "./announce.js";
import { POSTGRES_CACHE_OPTIONS, type PostgresCacheOptions } from "./cache-options.js";
import { CachedStock } from "./cached-stock.js";
import { StockListener } from "./stock-listener.js";

/** The feed, and whether it listens now (while it does not, watchers may miss changes until their resync()). */
export type ListeningFeed = StockFeed & { readonly listening: boolean };

/** The hooks the store offers (SharedStore), read at each call. */
export interface AnnouncementHooks {
  readonly onAnnouncement?: ((delayMs: number, fromOther: boolean) => void) | undefined;
  readonly onCacheLookup?: ((hit: boolean) => void) | undefined;
}

export class StoreAnnouncements {
  /** How the store's statements announce (undefined: they do not). */
  readonly announcing: Announcing;
  /** Every server's announcements; undefined when this store makes none. */
  readonly feed: ListeningFeed | undefined;
  /** The query cache; undefined without --query-cache. */
  readonly cache: CachedStock | undefined;
  readonly #listener: StockListener | undefined;
  readonly #stopCaching: () => void = () => {};

  /** Why the options cannot go together, or undefined if they can. */
  static problem(options: Partial<PostgresCacheOptions>): string | undefined {
    return options.queryCache === true && options.dbAnnounce === "off"
      ? "the query cache is kept current by the announcements: it cannot go with --db-announce off"
      : undefined;
  }

  /** For the store on `url`; listens at once if the cache is on. Throws a RangeError on options problem() refuses. */
  constructor(url: string, log: StoreLog, options: Partial<PostgresCacheOptions>, hooks: AnnouncementHooks) {
    const problem = StoreAnnouncements.problem(options);
    if (problem !== undefined) throw new RangeError(problem);
    if ((options.dbAnnounce ?? POSTGRES_CACHE_OPTIONS.dbAnnounce.default) === "off") return;
    const server = randomBytes(6).toString("base64url");
    this.announcing = { server };
    const listener = new StockListener(url, parsePostgresUrl(url)?.hosts.length ?? 1, log, (announcement) =>
      hooks.onAnnouncement?.(Date.now() - announcement.atMs, announcement.server !== server),
    );
    this.#listener = listener;
    this.feed = {
      watchStock: (change, resync) =>
        listener.subscribe({ change: (a) => change(a.name, a.stock), down: () => {}, resync }),
      get listening() {
        return listener.listening;
      },
    };
    if (options.queryCache === true) {
      const cache = new CachedStock(options.queryCacheSize ?? POSTGRES_CACHE_OPTIONS.queryCacheSize.default);
      cache.onLookup = (hit) => hooks.onCacheLookup?.(hit);
      this.cache = cache;
      this.#stopCaching = listener.subscribe(cache);
    }
  }

  /** The database looks away: the listening connection may sit on a dead link, so it is dropped and made again. */
  restart(): void {
    this.#listener?.restart();
  }

  async close(): Promise<void> {
    this.#stopCaching();
    await this.#listener?.close();
  }
}
