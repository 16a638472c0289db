// One options layer for every component: each declares its options once, as
// a schema of fields (flag, help, default, how text parses, what values are
// valid). `resolveOptions` fills in defaults and validates what code passes;
// the CLI builds its flags from the same schema (src/cli/flags.ts), so no
// default is written twice and every bad value gets the same message:
//
//   --pool-size must be an integer from 1 to 10000, got 0
//
// What a value must be, apart from its flag (the rules fields are built
// from), is in rules.ts.

import {
  duration as durationRule,
  formatDurationMs,
  NON_EMPTY_LINE,
  numberParser,
  oneOf,
  type Rule,
  toNumber,
  wholeNumber,
} from "./rules.js";

/** The largest delay Node's timers (and HTTP/2's settings) hold: a signed 32-bit number. */
export const MAX_INT32 = 2 ** 31 - 1;

/** A bad option value. The message names the flag and the value. */
export class OptionError extends RangeError {
  override readonly name = "OptionError";
}

/** One option: its flag, its help, its default, and what it accepts (its rule). */
export interface Field<T> extends Rule<T> {
  /** The flag that sets it ("--pool-size"); errors name it too. */
  readonly flag: string;
  /** A one-letter alias ("-c"). */
  readonly short?: string;
  /** The value's placeholder in help ("<n>"); absent for a switch, which takes no value. */
  readonly arg?: string;
  readonly help: string;
  readonly default: T;
  /** The default as help shows it (e.g. seconds for a value kept in ms); absent: not shown. */
  readonly shown?: string;
  /** Not listed in --help (limits few users touch, or ones the tools set); still accepted. */
  readonly hidden?: boolean;
}

/** The fields of an options object, one per key. */
export type Schema<O> = { readonly [K in keyof O]-?: Field<O[K]> };

type Extra = Pick<Field<unknown>, "short" | "hidden">;

function describe(value: unknown): string {
  if (typeof value === "string") return `"${value}"`;
  return typeof value === "number" ? String(value) : (JSON.stringify(value) ?? String(value));
}

function field<T>(spec: Omit<Field<T>, "shown"> & { readonly shown?: string | undefined }): Field<T> {
  const { shown, ...rest } = spec;
  return shown === undefined ? rest : { ...rest, shown };
}

/** A numeric field: the parts integer() and decimal() share. */
function numeric(
  flag: string,
  help: string,
  fallback: number,
  rule: Pick<Rule<number>, "valid" | "expected">,
  extra: Extra,
): Field<number> {
  return {
    flag,
    arg: "<n>",
    help,
    default: fallback,
    shown: String(fallback),
    ...rule,
    parse: numberParser(rule.valid),
    ...extra,
  };
}

/** An integer in [min, max]. */
export function integer(
  flag: string,
  help: string,
  fallback: number,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
  extra: Extra = {},
): Field<number> {
  return numeric(flag, help, fallback, wholeNumber(min, max), extra);
}

/** A number >= min (decimals allowed); `above` makes min itself invalid. */
export function decimal(
  flag: string,
  help: string,
  fallback: number,
  range: { readonly min: number; readonly max?: number; readonly above?: boolean },
  extra: Extra = {},
): Field<number> {
  const { min, max = Number.POSITIVE_INFINITY, above = false } = range;
  return numeric(
    flag,
    help,
    fallback,
    {
      valid: (n) => Number.isFinite(n) && (above ? n > min : n >= min) && n <= max,
      expected: `a number ${above ? ">" : ">="} ${min}${Number.isFinite(max) ? ` and <= ${max}` : ""}`,
    },
    extra,
  );
}

/**
 * A duration kept in milliseconds and written in seconds on the command line
 * ("--duration 2.5"); null (when allowed) means "not bounded by time".
 */
export function seconds<T extends number | null>(
  flag: string,
  help: string,
  fallbackMs: T,
  range: { readonly above?: boolean } = {},
  extra: Extra = {},
): Field<T> {
  const valid = (ms: T) =>
    ms === null ? fallbackMs === null : Number.isFinite(ms) && (range.above ? ms > 0 : ms >= 0);
  return field({
    flag,
    arg: "<s>",
    help,
    default: fallbackMs,
    shown: fallbackMs === null ? undefined : String(fallbackMs / 1000),
    expected: `a number of seconds ${range.above ? "> 0" : ">= 0"}`,
    valid,
    parse: (text) => {
      const s = toNumber(text);
      const ms = (s === undefined ? Number.NaN : Math.round(s * 1000 * 1000) / 1000) as T;
      return s !== undefined && valid(ms) && ms !== null ? ms : undefined;
    },
    ...extra,
  });
}

/**
 * A duration kept in milliseconds and written with its unit on the command
 * line ("500ms", "10s", "2m"; see rules.ts), from `minMs` to `maxMs`; null
 * (when it is the default) means "off".
 */
export function duration<T extends number | null>(
  flag: string,
  help: string,
  fallbackMs: T,
  range: { readonly minMs: number; readonly maxMs: number },
  extra: Extra = {},
): Field<T> {
  const rule = durationRule(range.minMs, range.maxMs);
  const valid = (ms: T) => (ms === null ? fallbackMs === null : rule.valid(ms));
  return field({
    flag,
    arg: "<duration>",
    help,
    default: fallbackMs,
    shown: fallbackMs === null ? undefined : formatDurationMs(fallbackMs),
    expected: rule.expected,
    valid,
    parse: (text) => rule.parse(text) as T | undefined,
    ...extra,
  });
}

/** One of a fixed set of words. */
export function choice<T extends string>(
  flag: string,
  help: string,
  fallback: NoInfer<T>,
  choices: readonly T[],
  extra: Extra = {},
): Field<T> {
  return field({
    flag,
    arg: "<kind>",
    help: `${help} (${choices.join(" | ")})`,
    default: fallback,
    shown: fallback,
    ...oneOf(choices),
    ...extra,
  });
}

/** A non-empty single line of text; with a null default, optional. */
export function text<T extends string | null>(
  flag: string,
  help: string,
  fallback: T,
  extra: Extra & { readonly arg?: string } = {},
): Field<T> {
  const valid = (value: T) => (value === null ? fallback === null : NON_EMPTY_LINE.valid(value));
  return field({
    flag,
    arg: "<text>",
    help,
    default: fallback,
    shown: fallback ?? undefined,
    expected: NON_EMPTY_LINE.expected,
    valid,
    parse: (value) => NON_EMPTY_LINE.parse(value) as T | undefined,
    ...extra,
  });
}

/** A number > 0, or null (the default) for "not set": an open loop's rate, a deadline. */
export function positiveOrNull(
  flag: string,
  help: string,
  arg: string,
  extra: Extra = {},
): Field<number | null> {
  const positive = (n: number) => Number.isFinite(n) && n > 0;
  return {
    flag,
    arg,
    help,
    default: null,
    expected: "a number > 0",
    valid: (n) => n === null || positive(n),
    parse: numberParser(positive),
    ...extra,
  };
}

/** A switch: false unless given. */
export function toggle(flag: string, help: string, extra: Extra = {}): Field<boolean> {
  return {
    flag,
    help,
    default: false,
    expected: "true or false",
    valid: (value) => typeof value === "boolean",
    parse: () => true,
    ...extra,
  };
}

/** A comma-separated list of distinct items, each checked by `item`. */
export function list<T>(
  flag: string,
  help: string,
  fallback: readonly T[],
  item: Rule<T>,
  extra: Extra = {},
): Field<readonly T[]> {
  const valid = (values: readonly T[]) =>
    Array.isArray(values) &&
    values.length > 0 &&
    values.every((v) => item.valid(v)) &&
    new Set(values).size === values.length;
  return field({
    flag,
    arg: "<list>",
    help,
    default: fallback,
    shown: fallback.join(","),
    expected: `a comma-separated list of distinct items, each ${item.expected}`,
    valid,
    parse: (value) => {
      const items = value.split(",").map((part) => item.parse(part.trim()));
      return items.every((v) => v !== undefined) && valid(items as T[]) ? (items as T[]) : undefined;
    },
    ...extra,
  });
}

/** Throws the one message style: "--flag must be <expected>, got <value>". */
export function rejectValue(field: Pick<Field<unknown>, "flag" | "expected">, value: unknown): never {
  throw new OptionError(`${field.flag} must be ${field.expected}, got ${describe(value)}`);
}

/** Every option's default. */
export function defaultsOf<O>(schema: Schema<O>): O {
  const out = {} as O;
  for (const key of Object.keys(schema) as (keyof O)[]) out[key] = schema[key].default;
  return out;
}

/**
 * Fills in defaults for what `input` leaves out (or sets to undefined) and
 * checks every value. Throws an OptionError naming the flag and the value.
 */
export function resolveOptions<O>(schema: Schema<O>, input: Partial<O> = {}): O {
  const out = {} as O;
  for (const key of Object.keys(schema) as (keyof O)[]) {
    const f = schema[key];
    const value = input[key] === undefined ? f.default : (input[key] as O[typeof key]);
    if (!f.valid(value)) rejectValue(f, value);
    out[key] = value;
  }
  return out;
}
