// Which store a server runs on, from `--store`: memory, sqlite:PATH or a
// postgres:// URL, with one host or several (a cluster with standbys: the
// server connects to whichever is the primary). A malformed value is a usage
// error (exit 2); whether the store opens is found out later, when the server
// starts (exit 1).

import type { Field } from "../options/schema.js";

export type StoreSpec =
  | { readonly kind: "memory" }
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgres"; readonly url: string };

export const MEMORY_STORE: StoreSpec = Object.freeze({ kind: "memory" });

/** The spec in `text`, or undefined if it is not one. */
export function parseStoreSpec(text: string): StoreSpec | undefined {
  if (text === "memory") return MEMORY_STORE;
  if (text.startsWith("sqlite:")) {
    const path = text.slice("sqlite:".length);
    return path.trim() === "" || path.includes("\0") ? undefined : { kind: "sqlite", path };
  }
  if (/^postgres(ql)?:\/\//.test(text))
    return parsePostgresUrl(text) === undefined ? undefined : { kind: "postgres", url: text };
  return undefined;
}

/** One server of a postgres:// URL; `port` undefined: the driver's default, 5432. */
export interface PostgresHost {
  readonly host: string;
  readonly port: number | undefined;
}

/** The parts of a postgres:// URL a store needs to know about. */
export interface PostgresUrl {
  /** postgres:// or postgresql://. */
  readonly scheme: string;
  /** user[:password], as written (still percent-encoded); "" when absent. */
  readonly userinfo: string;
  /** One or more, in the order written: the driver tries them in turn. */
  readonly hosts: readonly PostgresHost[];
  /** The path and query, as written: "/db?..." */
  readonly rest: string;
}

const HOST_NAME = /^[A-Za-z0-9._~%-]+$/;
/** The sessions a store can use: it writes, so only a primary will do ("read-write" is taken to mean it). */
const WRITABLE_SESSIONS = new Set(["primary", "read-write"]);

/**
 * Parses postgres://[user[:password]@]host[:port][,host[:port]...]/database[?params]
 * (WHATWG URL refuses the comma-separated hosts libpq and the driver take);
 * undefined when malformed, or when target_session_attrs asks for a session
 * that cannot write (standby, read-only, prefer-standby).
 */
export function parsePostgresUrl(text: string): PostgresUrl | undefined {
  const match = /^(postgres(?:ql)?:\/\/)([^/?#]*)(\/[^#]*)$/.exec(text);
  if (match === null || text.includes("\0")) return undefined;
  const [, scheme = "", authority = "", rest = ""] = match;
  const at = authority.lastIndexOf("@");
  const hosts = authority
    .slice(at + 1)
    .split(",")
    .map(parseHost);
  if (!hosts.every((h): h is PostgresHost => h !== undefined)) return undefined;
  const query = rest.indexOf("?");
  let database: string;
  try {
    database = decodeURIComponent(query === -1 ? rest.slice(1) : rest.slice(1, query));
  } catch {
    return undefined;
  }
  if (database === "" || database.includes("/")) return undefined;
  const session = new URLSearchParams(query === -1 ? "" : rest.slice(query + 1)).get("target_session_attrs");
  if (session !== null && !WRITABLE_SESSIONS.has(session)) return undefined;
  return { scheme, userinfo: at === -1 ? "" : authority.slice(0, at), hosts, rest };
}

function parseHost(text: string): PostgresHost | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text);
  if (match === null) return undefined;
  const host = match[1] ?? match[2] ?? "";
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (
    (match[2] !== undefined && !HOST_NAME.test(host)) ||
    (port !== undefined && (port < 1 || port > 65_535))
  )
    return undefined;
  return { host, port };
}

/** The spec as a user would type it, without a password: for messages and logs. */
export function describeStore(spec: StoreSpec): string {
  switch (spec.kind) {
    case "memory":
      return "memory";
    case "sqlite":
      return `sqlite:${spec.path}`;
    case "postgres": {
      const url = parsePostgresUrl(spec.url);
      if (url === undefined) return spec.url;
      const colon = url.userinfo.indexOf(":");
      return formatPostgresUrl({
        ...url,
        userinfo: colon === -1 ? url.userinfo : `${url.userinfo.slice(0, colon)}:***`,
      });
    }
  }
}

/** The URL text of `url`'s parts. */
export function formatPostgresUrl(url: PostgresUrl): string {
  const hosts = url.hosts.map(
    ({ host, port }) => `${host.includes(":") ? `[${host}]` : host}${port === undefined ? "" : `:${port}`}`,
  );
  return `${url.scheme}${url.userinfo === "" ? "" : `${url.userinfo}@`}${hosts.join(",")}${url.rest}`;
}

export const STORE_OPTION: Field<StoreSpec> = {
  flag: "--store",
  arg: "<store>",
  help: "where the catalog and orders live: memory (nothing written), sqlite:PATH (durable, one server), or postgres://user@host:port/database (shared by several servers; several hosts, host1:port,host2:port,..., for a cluster with standbys: the servers follow its primary)",
  default: MEMORY_STORE,
  shown: "memory",
  expected: "memory, sqlite:PATH or a postgres://user@host:port/database URL",
  valid: (spec) =>
    typeof spec === "object" &&
    spec !== null &&
    (spec.kind === "memory" ||
      (spec.kind === "sqlite" && parseStoreSpec(`sqlite:${spec.path}`) !== undefined) ||
      (spec.kind === "postgres" && parseStoreSpec(spec.url) !== undefined)),
  parse: parseStoreSpec,
};
