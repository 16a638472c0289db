// `toystore serve`: builds the catalog, the service and the listeners from
// the components' own options, prints where they listen, and shuts down
// gracefully on SIGINT/SIGTERM. With --workers N > 1 it is a cluster primary
// instead, whose N workers each run this same code (src/cli/serve-cluster.ts).

import cluster from "node:cluster";
import type { Command } from "commander";
import { createLogger, LOG_LEVEL_OPTION, type LogLevel } from "../observability/logger.js";
import { StoreMetrics } from "../observability/store-metrics.js";
import { oneOf } from "../options/rules.js";
import { choice, type Field, integer, list, resolveOptions, type Schema, text } from "../options/schema.js";
import type { StoreRequest, StoreResult } from "../service/operations/index.js";
import {
  RESTOCK_TIMER_OPTIONS,
  type RestockTimer,
  resolveRestockTimerOptions,
  startRestockTimer,
} from "../service/restock-timer.js";
import { StoreService } from "../service/store-service.js";
import { STORE_SERVICE_OPTIONS } from "../service/store-service-options.js";
import { openStore } from "../stores/open-store.js";
import { cacheOptionsProblem, POSTGRES_CACHE_OPTIONS } from "../stores/postgres/cache-options.js";
import { POSTGRES_POOL_OPTIONS } from "../stores/postgres/connection.js";
import { StoreOpenError } from "../stores/store-errors.js";
import { STORE_OPTION, type StoreSpec } from "../stores/store-spec.js";
import { CliFailure, UsageError } from "./cli-failure.js";
import { workerLogger, workerSettings } from "./cluster-worker.js";
import { addFlags, readFlags } from "./flags.js";
import { checkWorkersShareStore, MAX_WORKERS, serveCluster } from "./serve-cluster.js";
import {
  ADMIN_TOKEN_ENV,
  checkPostgresOnlyFlags,
  followStoreHealth,
  type Readiness,
  readAdminToken,
  readCatalog,
  readTls,
  waitForSignal,
} from "./serve-setup.js";
import {
  DEFAULT_TRANSPORTS,
  readTransportFlags,
  SERVABLE_TRANSPORTS,
  type ServedTransport,
  startTransports,
  TRANSPORT_SCHEMAS,
} from "./serve-transports.js";

interface ServeSettings {
  readonly transport: readonly ServedTransport[];
  readonly store: StoreSpec;
  /** A JSON catalog file; null = the default catalog. */
  readonly catalog: string | null;
  readonly graceMs: number;
  readonly adminTokenFile: string | null;
  readonly tlsCert: string | null;
  readonly tlsKey: string | null;
  readonly logLevel: LogLevel;
  /** Processes serving the same ports (node:cluster); 1 = this process alone, no cluster. */
  readonly workers: number;
  /** "off": no request is recorded (GET /metrics answers 404, the live panel is empty): to measure what recording costs. */
  readonly metrics: "on" | "off";
}

const TRANSPORT_LIST = list(
  "--transport",
  "transports to serve, comma-separated: socket, original-socket, grpc, http (both: socket,grpc)",
  DEFAULT_TRANSPORTS,
  oneOf(SERVABLE_TRANSPORTS),
);
/** The list, and `both` as it meant before there were three. */
const TRANSPORT_OPTION: Field<readonly ServedTransport[]> = {
  ...TRANSPORT_LIST,
  parse: (value) => (value === "both" ? ["socket", "grpc"] : TRANSPORT_LIST.parse(value)),
};

const SERVE_OPTIONS: Schema<ServeSettings> = {
  transport: TRANSPORT_OPTION,
  store: STORE_OPTION,
  catalog: text(
    "--catalog",
    "a JSON catalog file to fill a new store with, instead of the default one",
    null,
    {
      arg: "<file>",
    },
  ),
  graceMs: integer(
    "--grace-ms",
    "on shutdown, force-close connections after this long",
    10_000,
    0,
    2 ** 31 - 1,
  ),
  adminTokenFile: text(
    "--admin-token-file",
    `a file holding the staff's bearer token for PUT /api/toys/{name} (or set ${ADMIN_TOKEN_ENV}); without one the admin API is off`,
    null,
    { arg: "<file>" },
  ),
  tlsCert: text("--tls-cert", "serve HTTP and gRPC over TLS with this certificate (PEM)", null, {
    arg: "<file>",
  }),
  tlsKey: text("--tls-key", "the TLS certificate's private key (PEM)", null, { arg: "<file>" }),
  logLevel: LOG_LEVEL_OPTION,
  workers: integer(
    "--workers",
    "processes serving the same ports (node:cluster), restarted if they die; more than 1 needs a store several processes share (postgres://...)",
    1,
    1,
    MAX_WORKERS,
  ),
  metrics: choice<"on" | "off">(
    "--metrics",
    "record every request for GET /metrics and the storefront's live panel (off: nothing recorded, to measure what recording costs)",
    "on",
    ["on", "off"],
  ),
};

type Closer = (graceMs: number) => Promise<void>;

export function registerServeCommand(program: Command): void {
  const command = program
    .command("serve")
    .description(
      "serve the store over the socket protocol, gRPC and HTTP (and, when asked, the original design's socket protocol) until SIGINT or SIGTERM, from one process or from --workers processes sharing the ports",
    );
  addFlags(
    command,
    SERVE_OPTIONS,
    POSTGRES_POOL_OPTIONS,
    POSTGRES_CACHE_OPTIONS,
    STORE_SERVICE_OPTIONS,
    RESTOCK_TIMER_OPTIONS,
    ...TRANSPORT_SCHEMAS,
  );
  command.action(async (given: Record<string, unknown>) => {
    const settings = resolveOptions(SERVE_OPTIONS, readFlags(SERVE_OPTIONS, given));
    checkWorkersShareStore(settings.workers, settings.store);
    const poolOptions = readFlags(POSTGRES_POOL_OPTIONS, given);
    checkPostgresOnlyFlags(settings.store, POSTGRES_POOL_OPTIONS, poolOptions);
    const cacheOptions = readFlags(POSTGRES_CACHE_OPTIONS, given);
    checkPostgresOnlyFlags(settings.store, POSTGRES_CACHE_OPTIONS, cacheOptions);
    const cacheProblem = cacheOptionsProblem(cacheOptions);
    if (cacheProblem !== undefined) throw new UsageError(cacheProblem);
    // Checked before a cluster forks, so a bad value exits 2 from the primary too.
    const restock = resolveRestockTimerOptions(readFlags(RESTOCK_TIMER_OPTIONS, given));
    // JSON lines for machines; readable lines when a person watches.
    const pretty = process.stdout.isTTY === true;
    if (settings.workers > 1 && cluster.isPrimary) {
      const log = createLogger({ level: settings.logLevel, pretty });
      const code = await serveCluster({ workers: settings.workers, graceMs: settings.graceMs }, log);
      // A worker failed the start and said why on stderr: the primary only passes on its exit code.
      if (code !== 0) process.exit(code);
      return;
    }
    // In a worker: the same code, reporting to the primary instead of printing the ready lines.
    const serve = cluster.isWorker ? workerSettings(settings) : settings;
    const base = createLogger({ level: serve.logLevel, pretty });
    const log = cluster.isWorker ? workerLogger(base, serve.transport) : base;
    const metrics = serve.metrics === "on" ? new StoreMetrics() : undefined;
    const transportFlags = readTransportFlags(given);
    const serviceOptions = readFlags(STORE_SERVICE_OPTIONS, given);
    const toys = await readCatalog(serve.catalog);
    const adminToken = await readAdminToken(serve.adminTokenFile);
    const tls = await readTls(serve.tlsCert, serve.tlsKey);
    const opened = await openStore(
      serve.store,
      { toys, given: serve.catalog !== null },
      { ...poolOptions, ...cacheOptions, log: (message) => log.error(message) },
    ).catch((error: unknown) => {
      throw error instanceof StoreOpenError ? new CliFailure(error.message) : error;
    });
    // One service for every transport: a buy over gRPC is seen by a query over the socket.
    let service: StoreService;
    try {
      service = new StoreService(opened.store, serviceOptions, {
        onLockWait: (ms) => metrics?.observeLockWait(ms),
        onFailure: (error) => {
          const store = opened.store;
          // While the database is away every request fails, and the outage was logged once already.
          const away = store.shared === true && store.healthy === false;
          (away ? log.debug : log.error).call(
            log,
            { err: error.cause ?? error },
            `a request failed: ${error.message}`,
          );
        },
        onBug: (message, error) => log.error({ err: error }, message),
        ...(log.isLevelEnabled("debug")
          ? {
              onAnswer: (request: StoreRequest, result: StoreResult) =>
                log.debug({ request, result }, "answered"),
            }
          : {}),
      });
    } catch (error) {
      await opened.store.close?.();
      throw error;
    }
    const storeKind = serve.store.kind;
    if (storeKind !== "memory")
      opened.store.onCommitBatch = (size) => metrics?.observeCommitBatch(storeKind, size);
    const shared = opened.store.shared === true ? opened.store : undefined;
    if (metrics !== undefined && shared !== undefined) {
      if (shared.feed !== undefined) {
        metrics.cache.watchAnnouncements();
        shared.onAnnouncement = (delayMs, fromOther) => metrics.cache.observeAnnouncement(delayMs, fromOther);
      }
      if (shared.cacheEntries !== undefined) {
        metrics.cache.watchCache(() => shared.cacheEntries);
        shared.onCacheLookup = (hit) => metrics.cache.observeLookup(hit);
      }
    }
    log.info({ store: serve.store.kind }, opened.summary);

    const closers: Closer[] = [];
    // The transports that say whether the server can answer: NOT_SERVING and 503 while the database is away.
    const readiness: Readiness[] = [];
    // Transports first, so the requests in flight finish; then the store, which stores what is pending.
    let restockTimer: RestockTimer | undefined;
    const stopAll = async (): Promise<void> => {
      await Promise.all(closers.map((close) => close(serve.graceMs)));
      await restockTimer?.stop();
      await service.close();
    };
    const served = new Set(serve.transport);
    // Listen for the signal before the first "listening" line: a supervisor may send SIGTERM as
    // soon as it reads it, and until a listener is added the signal's default action kills at once.
    const signalled = waitForSignal();
    try {
      await startTransports(
        served,
        { service, metrics, log, flags: transportFlags, tls, adminToken },
        closers,
        readiness,
      );
    } catch (error) {
      await stopAll();
      throw error;
    }
    followStoreHealth(opened.store, readiness, log);
    // Started once the transports listen, so a round shows on /api/events like a sale.
    restockTimer = startRestockTimer(service, restock, {
      onRound: (outcome) => {
        if (outcome.kind === "refilled" && outcome.toys.length > 0)
          log.info(
            { toys: outcome.toys.map((toy) => toy.name) },
            `restocked ${outcome.toys.length} sold-out ${outcome.toys.length === 1 ? "toy" : "toys"} to ${restock.restockTo}`,
          );
      },
      // A failed round already reached the service's onFailure, which logs it.
      onError: (error) => log.debug({ err: error }, "a restock round failed"),
    });
    const signal = await signalled;
    log.info({ signal }, "shutting down: finishing requests in flight");
    await stopAll();
    log.info("stopped");
  });
}
