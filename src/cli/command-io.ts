// What the measuring commands share: where they write (tests pass their own
// streams), Ctrl-C handling, and how an error becomes the one line printed.

import { OptionError, type Schema, toggle } from "../options/schema.js";
import { CliFailure, UsageError } from "./cli-failure.js";

/** Where a command writes; the program passes its own streams (tests capture them). */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export const PROCESS_IO: CommandIo = { stdout: process.stdout, stderr: process.stderr };

/** First Ctrl-C: finish the requests in flight and report what was measured. A second one exits at once. */
export function abortOnSigint(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  return { signal: controller.signal, dispose: () => process.off("SIGINT", onSigint) };
}

/** Errors become one-line messages: a bad option is a usage error (exit 2), anything else a failure (exit 1). */
export function failure(error: unknown): Error {
  if (error instanceof CliFailure || error instanceof UsageError) return error;
  if (error instanceof OptionError) return new UsageError(error.message);
  return new CliFailure(error instanceof Error ? error.message : String(error), { cause: error });
}

/** Writes a result as JSON or as the human text. */
export function writeResult(io: CommandIo, json: boolean, result: unknown, text: () => string): void {
  io.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : text());
}

/** --json, for every command that prints a result. */
export const OUTPUT_OPTIONS: Schema<{ readonly json: boolean }> = {
  json: toggle("--json", "print the result as JSON instead of text"),
};
