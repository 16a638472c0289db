// What a value must be, apart from the option that holds it: the rules the
// field kinds (fields in schema.ts) are built from, and that a list checks
// each of its items with. Each rule parses command-line text and checks a
// value given in code the same way, and says what it accepts in words.

/** What a value must be, without a flag: one item of a list, or the core of a field. */
export interface Rule<T> {
  /** What a valid value is, for messages ("an integer from 1 to 10"). */
  readonly expected: string;
  /** Whether a value given in code is valid. */
  valid(value: T): boolean;
  /** Turns command-line text into a value; undefined when the text is not one. */
  parse(text: string): T | undefined;
}

/** A number from command-line text: the whole text, nothing but a number. */
export function toNumber(text: string): number | undefined {
  const n = Number(text);
  return text.trim() === "" || !Number.isFinite(n) ? undefined : n;
}

/** A parser for numbers that `valid` accepts. */
export function numberParser(valid: (n: number) => boolean): (text: string) => number | undefined {
  return (text) => {
    const n = toNumber(text);
    return n !== undefined && valid(n) ? n : undefined;
  };
}

/** An integer in [min, max]. */
export function wholeNumber(min: number, max: number = Number.MAX_SAFE_INTEGER): Rule<number> {
  const valid = (n: number) => Number.isSafeInteger(n) && n >= min && n <= max;
  const expected =
    max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  return { valid, expected, parse: numberParser(valid) };
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(choices: readonly T[]): Rule<T> {
  const valid = (value: T) => choices.includes(value);
  return {
    valid,
    expected: `one of ${choices.join(", ")}`,
    parse: (text) => (valid(text as T) ? (text as T) : undefined),
  };
}

/** A non-empty single line of text. */
export const NON_EMPTY_LINE: Rule<string> = {
  valid: (value) => typeof value === "string" && value.trim() !== "" && !value.includes("\n"),
  expected: "a non-empty line of text",
  parse: (value) => (value.trim() !== "" && !value.includes("\n") ? value : undefined),
};

/** The units a duration may be written in, longest first, and each one's length in ms. */
const DURATION_UNITS: ReadonlyMap<string, number> = new Map([
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
]);

/**
 * A duration written with its unit ("500ms", "10s", "1.5m", "2h") in whole
 * milliseconds; undefined for anything else (a bare number, an unknown unit,
 * a fraction of a millisecond).
 */
export function parseDurationMs(text: string): number | undefined {
  const match = /^(\d{1,15})(?:\.(\d{1,6}))?(ms|s|m|h)$/.exec(text.trim());
  if (match === null) return undefined;
  const size = DURATION_UNITS.get(match[3]!)!;
  // The fraction in millionths, in integers: 0.1s is 100 ms although 0.1 * 1000 is not exactly 100.
  const millionths = Number((match[2] ?? "").padEnd(6, "0")) * size;
  if (millionths % 1_000_000 !== 0) return undefined;
  const ms = Number(match[1]) * size + millionths / 1_000_000;
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** A duration in ms as it is best written: "2m", "10s", "500ms" (the longest unit that divides it). */
export function formatDurationMs(ms: number): string {
  for (const [unit, size] of DURATION_UNITS) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** A duration from `minMs` to `maxMs`, written with its unit ("500ms", "10s", "2m") and kept in whole ms. */
export function duration(minMs: number, maxMs: number): Rule<number> {
  const valid = (ms: number) => Number.isSafeInteger(ms) && ms >= minMs && ms <= maxMs;
  return {
    valid,
    expected: `a duration such as 500ms, 10s or 2m, from ${formatDurationMs(minMs)} to ${formatDurationMs(maxMs)}`,
    parse: (text) => {
      const ms = parseDurationMs(text);
      return ms !== undefined && valid(ms) ? ms : undefined;
    },
  };
}
