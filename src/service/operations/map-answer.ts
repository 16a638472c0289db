// Turns what an owned store answers into an operation's outcome, keeping its
// timing: a value stays a value (the hot path pays no promise), a promise a
// promise, a Committing outcome a Committing one.

import { Committing } from "../../catalog/catalog-store.js";
import type { OwnedAnswer } from "./operation.js";

function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === "function";
}

export function mapAnswer<T, R>(answer: OwnedAnswer<T>, map: (value: T) => R): OwnedAnswer<R> {
  if (answer instanceof Committing) return new Committing(map(answer.outcome), answer.stored);
  if (isPromiseLike<T>(answer)) return Promise.resolve(answer).then(map);
  return map(answer);
}

export { isPromiseLike };
