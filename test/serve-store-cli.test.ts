// `toystore serve --store ...` from the command line: a store that cannot be
// used stops start-up with one line naming it (exit 1), a malformed one is a
// usage error (exit 2), and neither leaves a stack trace or changes anything.

import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { PostgresCluster } from "../src/study/measure/postgres-cluster.js";
import { startToystore } from "../src/study/measure/toystore-launch.js";
import { type CliRun, runCli } from "./helpers/cli.js";
import { postgresOrSkip, startTestCluster } from "./helpers/postgres.js";

/** `toystore serve` on free ports, to its end. */
const serve = (...args: string[]): Promise<CliRun> =>
  runCli(["serve", "--socket-port", "0", "--grpc-port", "0", "--http-port", "0", ...args], 30_000);

describe("serve --store", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "toystore-store-cli-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a malformed store as a usage error (exit 2)", async () => {
    for (const store of ["postgres://x@:5432/db", "postgres://host", "sqlite:", "redis://localhost", "mem"]) {
      const run = await serve("--store", store);
      assert.equal(run.code, 2, store);
      assert.equal(
        run.stderr,
        `toystore: --store must be memory, sqlite:PATH or a postgres://user@host:port/database URL, got "${store}" (add --help for usage)\n`,
      );
    }
  });

  it("stops on a sqlite path it cannot use with one line naming it (exit 1), creating nothing", async () => {
    const notSqlite = join(dir, "notes.txt");
    await writeFile(notSqlite, "not a database\n".repeat(200));
    for (const [path, message] of [
      [dir, `sqlite:${dir} is a directory, not a database file`],
      [join(dir, "missing", "shop.db"), `cannot open sqlite:${join(dir, "missing", "shop.db")}: `],
      [notSqlite, `cannot open sqlite:${notSqlite}: the file is not a SQLite database`],
    ] as const) {
      const run = await serve("--store", `sqlite:${path}`);
      assert.equal(run.code, 1, path);
      assert.ok(run.stderr.startsWith(`toystore: ${message}`), run.stderr);
      assert.equal(run.stderr.trimEnd().split("\n").length, 1, `one line, no stack: ${run.stderr}`);
    }
    assert.deepEqual(await readdir(dir), ["notes.txt"]);
  });

  it("keeps what it sold across a restart, and refuses --catalog once it holds one (exit 1)", async () => {
    const store = `sqlite:${join(dir, "shop.db")}`;
    const first = await startToystore({ transports: ["socket"], flags: { store } });
    assert.ok(first.output.some((line) => /created, filled with the catalog \(8 toys\)/.test(line)));
    await first.stop();
    const second = await startToystore({ transports: ["socket"], flags: { store } });
    assert.ok(second.output.some((line) => /serving what it holds \(8 toys, 0 orders\)/.test(line)));
    await second.stop();
    const catalog = join(dir, "toys.json");
    await writeFile(catalog, JSON.stringify([{ name: "Owl", price: 5, stock: 1 }]));
    const refused = await serve("--store", store, "--catalog", catalog);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^toystore: sqlite:.+shop\.db already holds a catalog \(8 toys\); start without --catalog to serve it, or remove the file \(and its -wal file\) and start again to replace it\n$/,
    );
  });
});

describe("serve --store postgres://", { skip: postgresOrSkip().skip }, () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  it("names the store and the reason for an unreachable server or a missing database (exit 1)", async () => {
    const closed = `postgres://postgres@127.0.0.1:${cluster.port + 1}/toystore`;
    const missing = cluster.url("no_such_database");
    for (const [url, reason] of [
      [closed, "connection refused (is PostgreSQL running and listening there?)"],
      [missing, 'database "no_such_database" does not exist'],
    ] as const) {
      const run = await serve("--store", url);
      assert.equal(run.code, 1, url);
      assert.ok(run.stderr.startsWith(`toystore: cannot use ${url}: ${reason}`), run.stderr);
      assert.equal(run.stderr.trimEnd().split("\n").length, 1, `one line, no stack: ${run.stderr}`);
    }
  });
});
