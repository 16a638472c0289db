// The server's log: pino, one JSON object per line on stdout; on a terminal,
// pino-pretty's readable lines instead. Both write synchronously from this
// thread (no worker transport), so what is logged just before an exit is not
// lost, and the log costs nothing when nothing is logged.
//
// Errors are logged with their cause chain, `logger.error({ err }, "...")`;
// they are never sent to clients (the transports answer with the error's code).

import { type Logger, pino, stdSerializers } from "pino";
import pinoPretty from "pino-pretty";
import { choice, type Field } from "../options/schema.js";

export type { Logger } from "pino";

/** pino's levels, most severe first; "silent" logs nothing. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `--log-level`, for the options layer (src/options/schema.ts). */
export const LOG_LEVEL_OPTION: Field<LogLevel> = choice(
  "--log-level",
  "log messages this severe and more",
  "info",
  LOG_LEVELS,
);

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Human-readable lines (pino-pretty) instead of JSON; the CLI passes process.stdout.isTTY. */
  readonly pretty?: boolean | undefined;
}

/** A logger writing to stdout: JSON lines, or pretty lines when `pretty`. */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    level: options.level,
    // The cause chain as nested objects (type, message, stack, code, cause), not flattened into one message.
    serializers: { err: stdSerializers.errWithCause },
  };
  if (options.pretty === true) {
    return pino(
      settings,
      pinoPretty({ sync: true, colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" }),
    );
  }
  return pino(settings, pino.destination({ dest: 1, sync: true }));
}
