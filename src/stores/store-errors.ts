// What goes wrong opening a store, as one-line messages that name the store.

/** A store that cannot be opened or served; the message names it and says what to do. Exit 1 on the CLI. */
export class StoreOpenError extends Error {
  override readonly name = "StoreOpenError";
}

/**
 * The version of the tables this code writes; a store with a newer one is
 * refused, an older one is migrated when it is opened. 2: orders carry a
 * quantity (a version-1 order sold one unit).
 */
export const SCHEMA_VERSION = 2;

/** The marker row that tells a toystore database from another program's. */
export const SCHEMA_KEY = "toystore_schema_version";

/** Why a database that already has tables cannot be served, if it cannot; undefined when it can. */
export function schemaProblem(where: string, version: string | undefined): string | undefined {
  if (version === undefined)
    return `${where} holds tables of another program (no toystore schema): give an empty database or a new file`;
  const n = Number(version);
  if (!Number.isSafeInteger(n) || n < 1)
    return `${where} has a toystore schema version "${version}" that is not valid`;
  if (n > SCHEMA_VERSION)
    return `${where} has toystore schema version ${n}, newer than this server's ${SCHEMA_VERSION}: upgrade toystore to serve it`;
  return undefined;
}

/** The refusal of `--catalog` for a store that already holds one, with how to replace it. */
export function catalogAlreadyStored(where: string, toys: number, howToEmpty: string): string {
  return `${where} already holds a catalog (${toys} toy${toys === 1 ? "" : "s"}); start without --catalog to serve it, or ${howToEmpty} and start again to replace it`;
}

/** The message of an error from a driver, without its stack: the part a user can act on. */
export function reason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && !error.message.includes(code)
      ? `${error.message} (${code})`
      : error.message;
  }
  return String(error);
}
