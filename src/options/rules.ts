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
