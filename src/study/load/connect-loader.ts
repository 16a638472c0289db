// Finds the function that opens a StoreClient: the project's own factory
// (src/client/connect.ts) by default, or a module named by the caller, which
// is how tests run the load generator against a fake store.

import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import type { StoreClient } from "../../client/store-client.js";
import type { Target } from "../../client/target.js";

/**
 * Opens one client with its own connection (never shared with another call's);
 * `first` is the client's number, which server of `servers` it starts at.
 */
export type ConnectFn = (target: Target & { readonly first?: number }) => Promise<StoreClient>;

/** The project's client factory, relative to this file (src/study/load/ or dist/study/load/). */
const DEFAULT_CONNECT_MODULE = new URL("../../client/connect.js", import.meta.url).href;
/** Compiled code has no TypeScript loader of its own (see loadConnect). */
const RUNNING_COMPILED = import.meta.url.endsWith(".js");

let tsxRegistered: Promise<void> | undefined;

/**
 * Imports `moduleUrl` (a file URL or an absolute path; null = the project's
 * factory) and returns its `connect` export. The import is dynamic so that a
 * load process can be told which factory to use in its plan message.
 * Throws if the module has no `connect` function.
 */
export async function loadConnect(moduleUrl: string | null): Promise<ConnectFn> {
  const specifier =
    moduleUrl === null
      ? DEFAULT_CONNECT_MODULE
      : isAbsolute(moduleUrl)
        ? pathToFileURL(moduleUrl).href
        : moduleUrl;
  // A load process started from a fresh dist/ runs compiled, but a test's fake
  // factory is TypeScript: register tsx's loader before the first such import
  // (a failed import is cached, so it cannot be retried afterwards).
  if (RUNNING_COMPILED && /\.[cm]?ts$/.test(specifier)) {
    tsxRegistered ??= import("tsx/esm/api").then(({ register }) => {
      register();
    });
    await tsxRegistered;
  }
  const module = (await import(specifier)) as { connect?: unknown };
  if (typeof module.connect !== "function") {
    throw new TypeError(`load: ${specifier} does not export a connect(options) function`);
  }
  return module.connect as ConnectFn;
}
