// What goes wrong opening a store, as one-line messages that name the store.

/** A store that cannot be opened or served; the message names it and says what to do. Exit 1 on the CLI. */
export class StoreOpenError extends Error {
  override readonly name = "StoreOpenError";
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
