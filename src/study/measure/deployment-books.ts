// The books of a deployment's database: each toy's stock against the catalog
// it started from, and the orders stored. Every unit sold must have its
// order, whichever server sold it: the check the cluster demo and the tests
// make after a run.

import { runCommand } from "./run-command.js";
import type { CatalogEntry } from "./toystore-launch.js";

/** One toy's books: what the catalog started it with, what the database holds now. */
export interface ToyBooks {
  readonly name: string;
  readonly initialStock: number;
  readonly stock: number;
  readonly sold: number;
}

/** The database's books: units sold (initial stock - stock now) and orders stored should be equal. */
export interface Books {
  readonly toys: readonly ToyBooks[];
  readonly unitsSold: number;
  readonly orders: number;
  readonly balanced: boolean;
}

const BOOKS_SQL = `select json_build_object(
  'toys', coalesce((select json_agg(json_build_object('name', name, 'stock', stock) order by position) from toys), '[]'),
  'orders', (select count(*) from orders))`;

/**
 * Reads the books with psql: `psql` is the argv that runs it (e.g. under
 * `ip netns exec` on the db host), `connection` its -h, -p, -U and -d. Throws
 * when psql fails, or when the database holds a toy the catalog did not.
 */
export async function readBooks(
  psql: readonly string[],
  connection: readonly string[],
  catalog: readonly CatalogEntry[],
): Promise<Books> {
  const args = ["-X", ...connection, "-v", "ON_ERROR_STOP=1", "-Atc"];
  const result = await runCommand([...psql, ...args, BOOKS_SQL]);
  if (result.code !== 0) throw new Error(`psql on the db host failed: ${result.stderr.trim()}`);
  return balanceBooks(catalog, JSON.parse(result.stdout));
}

/** Units sold per toy against the catalog it started from. */
function balanceBooks(
  catalog: readonly CatalogEntry[],
  held: { toys: { name: string; stock: number }[]; orders: number },
): Books {
  const initial = new Map(catalog.map((entry) => [entry.name, entry.stock]));
  const toys = held.toys.map(({ name, stock }) => {
    const initialStock = initial.get(name);
    if (initialStock === undefined)
      throw new Error(`the database holds ${name}, which the catalog did not have`);
    return { name, initialStock, stock: Number(stock), sold: initialStock - Number(stock) };
  });
  const unitsSold = toys.reduce((sum, toy) => sum + toy.sold, 0);
  const orders = Number(held.orders);
  return { toys, unitsSold, orders, balanced: unitsSold === orders };
}
