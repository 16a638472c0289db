// The throwaway PostgreSQL cluster the store's tests and benchmarks run on:
// it listens where url() says, creates databases, survives a SIGKILL with its
// data, and leaves nothing behind once stopped. Skipped (with the reason)
// where PostgreSQL is not installed, unless TOYSTORE_REQUIRE_POSTGRES=1.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import net from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { postgresBinaries } from "../src/study/measure/postgres-binaries.js";
import type { PostgresCluster } from "../src/study/measure/postgres-cluster.js";
import { freshDatabase, postgresOrSkip, startTestCluster } from "./helpers/postgres.js";

const run = promisify(execFile);

/** psql from the cluster's bin directory, over TCP (trust needs no password, and root may run psql). */
async function psql(cluster: PostgresCluster, database: string, sql: string): Promise<string> {
  const found = postgresBinaries();
  assert.ok("bin" in found);
  const args = ["-X", ...cluster.clientArgs(), "-d", database];
  const { stdout } = await run(join(found.bin, "psql"), [...args, "-v", "ON_ERROR_STOP=1", "-Atc", sql]);
  return stdout.trim();
}

/** Gone or a zombie: exited, whether or not PID 1 has reaped it yet. */
async function exited(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return stat === "" || /^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
}

describe("startPostgresCluster", { skip: postgresOrSkip().skip }, () => {
  let cluster: PostgresCluster | undefined;
  const started = (): PostgresCluster => {
    assert.ok(cluster, "the cluster started");
    return cluster;
  };
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  it("accepts TCP connections on 127.0.0.1 at the port url() names", async () => {
    const { host, port } = started();
    assert.equal(started().url(), `postgres://postgres@127.0.0.1:${port}/postgres`);
    assert.equal(started().url("toystore"), `postgres://postgres@127.0.0.1:${port}/toystore`);
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(port, host, () => {
        socket.destroy();
        resolve();
      });
      socket.once("error", reject);
    });
  });

  it("creates databases that psql can query", async () => {
    const url = await started().createDatabase("toystore_created");
    assert.equal(url, started().url("toystore_created"));
    assert.equal(await psql(started(), "toystore_created", "select 1"), "1");
    const fresh = [await freshDatabase(started()), await freshDatabase(started())];
    assert.notEqual(fresh[0], fresh[1]);
    assert.match(fresh[0] ?? "", new RegExp(`/toystore_test_\\d+_${process.pid}$`));
  });

  it("comes back after kill() with its committed data", async () => {
    await psql(started(), "postgres", "create table kept (n int); insert into kept values (42)");
    const before = await started().postmasterPid();
    await started().kill();
    assert.ok(await exited(before), `postmaster ${before} exited`);
    await assert.rejects(psql(started(), "postgres", "select 1"));
    await started().start();
    assert.notEqual(await started().postmasterPid(), before);
    assert.equal(await psql(started(), "postgres", "select n from kept"), "42");
  });

  it("stop() stops the server and removes its directory", async () => {
    const { dir } = started();
    const pid = await started().postmasterPid();
    await started().stop();
    assert.ok(await exited(pid), `postmaster ${pid} exited`);
    assert.equal(existsSync(dir), false);
    await started().stop(); // idempotent: the suite's after() runs it again
  });
});

describe("startPostgresCluster with keep and settings", { skip: postgresOrSkip().skip }, () => {
  let cluster: PostgresCluster | undefined;
  after(async () => {
    await cluster?.stop();
    if (cluster) await rm(cluster.dir, { recursive: true, force: true });
  });

  it("applies the settings, and a kept stop() leaves the data for start()", async () => {
    // Quotes, a dollar and spaces: pg_ctl hands the server's options to a shell.
    const searchPath = `"$user", public, "it's"`;
    cluster = await startTestCluster({ keep: true, settings: { work_mem: "7MB", search_path: searchPath } });
    assert.equal(await psql(cluster, "postgres", "show work_mem"), "7MB");
    assert.equal(await psql(cluster, "postgres", "show search_path"), searchPath);
    assert.equal(await psql(cluster, "postgres", "show fsync"), "off");
    await psql(cluster, "postgres", "create table kept (n int)");
    await cluster.stop();
    assert.ok(existsSync(join(cluster.dir, "data", "PG_VERSION")));
    await cluster.start();
    assert.equal(await psql(cluster, "postgres", "select count(*) from kept"), "0");
  });
});

describe("startPostgresCluster on a taken port", { skip: postgresOrSkip().skip }, () => {
  it("rejects with the log's last lines and removes the directory it made", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    after(() => taken.close());
    const address = taken.address();
    assert.ok(address && typeof address === "object");
    const error: unknown = await startTestCluster({ port: address.port }).then(
      () => assert.fail("started on a taken port"),
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof Error);
    assert.match(error.message, /could not bind/);
    const dir = /--- (\S+)\/log, last lines ---/.exec(error.message)?.[1];
    assert.ok(dir, error.message);
    assert.equal(existsSync(dir), false);
  });
});
