// The catalog served when no --catalog file is given: every answer of the
// protocol can be seen on a fresh start (Lion is sold out).

import type { Toy } from "./toy.js";

export const DEFAULT_CATALOG: readonly Toy[] = Object.freeze([
  { name: "Tux", priceCents: 1999, stock: 100 },
  { name: "Whale", priceCents: 3450, stock: 100 },
  { name: "Elephant", priceCents: 2999, stock: 100 },
  { name: "Fox", priceCents: 1575, stock: 100 },
  { name: "Python", priceCents: 2500, stock: 100 },
  { name: "Dolphin", priceCents: 2725, stock: 100 },
  { name: "Bird", priceCents: 999, stock: 100 },
  { name: "Lion", priceCents: 4200, stock: 0 },
]);
