// Flag value parsers for commander: each names the flag and the bad value.

import { InvalidArgumentError } from "commander";

/** A parser for an integer flag in [min, max]. */
export function integerIn(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

/** A parser for a non-negative number (may have decimals). */
export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError(`expected a number >= 0, got "${value}"`);
  }
  return n;
}

/** A parser for a number in [0, 1]. */
export function ratio(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError(`expected a number from 0 to 1, got "${value}"`);
  }
  return n;
}

export const port = integerIn(0, 65535);
