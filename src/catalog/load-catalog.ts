// Reads and validates a catalog JSON file. A bad file stops start-up with a
// message naming the file, the entry and the problem.

import { readFile } from "node:fs/promises";
import { normalizeName, parsePriceCents, type Toy } from "./toy.js";

/**
 * The file format: an array of toys, or `{ "toys": [...] }`, each
 * `{ "name": "Tux", "price": 19.99, "stock": 100 }`. `price` is a decimal
 * (number or string) with at most two decimals; `stock` a non-negative integer.
 */
export class CatalogError extends Error {
  override readonly name = "CatalogError";
}

const MAX_NAME_LENGTH = 256;

/** Validates parsed JSON into toys; `source` names the file in messages. */
export function parseCatalog(data: unknown, source: string): Toy[] {
  const list = Array.isArray(data)
    ? data
    : typeof data === "object" && data !== null && Array.isArray((data as { toys?: unknown }).toys)
      ? (data as { toys: unknown[] }).toys
      : undefined;
  if (list === undefined) {
    throw new CatalogError(`${source}: expected an array of toys or an object with a "toys" array`);
  }
  const toys: Toy[] = [];
  const seen = new Map<string, number>();
  list.forEach((raw: unknown, index) => {
    const where = `${source}: entry ${index}`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new CatalogError(`${where}: expected an object with name, price and stock`);
    }
    const { name, price, stock } = raw as Record<string, unknown>;
    if (typeof name !== "string" || name.trim() === "") {
      throw new CatalogError(`${where}: "name" must be a non-empty string`);
    }
    const label = `${where} ("${name}")`;
    if (name.trim().length > MAX_NAME_LENGTH) {
      throw new CatalogError(`${label}: "name" is longer than ${MAX_NAME_LENGTH} characters`);
    }
    if (price === undefined) throw new CatalogError(`${label}: missing "price"`);
    const priceCents = parsePriceCents(price);
    if (priceCents === undefined) {
      throw new CatalogError(
        `${label}: "price" must be a non-negative amount with at most two decimals, got ${JSON.stringify(price)}`,
      );
    }
    if (stock === undefined) throw new CatalogError(`${label}: missing "stock"`);
    if (typeof stock !== "number" || !Number.isSafeInteger(stock) || stock < 0) {
      throw new CatalogError(
        `${label}: "stock" must be a non-negative integer, got ${JSON.stringify(stock)}`,
      );
    }
    const key = normalizeName(name);
    const first = seen.get(key);
    if (first !== undefined) {
      throw new CatalogError(
        `${label}: duplicate name (same as entry ${first}; names match case-insensitively)`,
      );
    }
    seen.set(key, index);
    toys.push({ name: name.trim(), priceCents, stock });
  });
  return toys;
}

/** Reads a catalog file; throws CatalogError naming the file and the problem. */
export async function loadCatalogFile(path: string): Promise<Toy[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CatalogError(`${path}: cannot read the catalog file (${(error as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CatalogError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseCatalog(data, path);
}
