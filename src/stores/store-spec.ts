// Which store a server runs on, from `--store`: memory, sqlite:PATH or a
// postgres:// URL. A malformed value is a usage error (exit 2); whether the
// store opens is found out later, when the server starts (exit 1).

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
    return validPostgresUrl(text) ? { kind: "postgres", url: text } : undefined;
  return undefined;
}

function validPostgresUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  const database = decodeURIComponent(url.pathname.slice(1));
  return url.hostname !== "" && database !== "" && !database.includes("/");
}

/** The spec as a user would type it, without a password: for messages and logs. */
export function describeStore(spec: StoreSpec): string {
  switch (spec.kind) {
    case "memory":
      return "memory";
    case "sqlite":
      return `sqlite:${spec.path}`;
    case "postgres": {
      const url = new URL(spec.url);
      if (url.password !== "") url.password = "***";
      return url.toString();
    }
  }
}

export const STORE_OPTION: Field<StoreSpec> = {
  flag: "--store",
  arg: "<store>",
  help: "where the catalog and orders live: memory (nothing written), sqlite:PATH (durable, one server), or postgres://user@host:port/database (shared by several servers)",
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
