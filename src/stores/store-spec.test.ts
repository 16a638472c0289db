// parseStoreSpec and describeStore: postgres:// URLs with one host or several
// (a cluster whose primary the servers follow), the sessions a store can use,
// and the password kept out of what is shown.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { describeStore, parsePostgresUrl, parseStoreSpec } from "./store-spec.js";

describe("parseStoreSpec with postgres:// URLs", () => {
  it("takes one host or several, each with or without a port", () => {
    const url = "postgres://u@h1:5432,h2:5433,[::1]:5434,h4/db?target_session_attrs=primary";
    assert.deepEqual(parseStoreSpec(url), { kind: "postgres", url });
    assert.deepEqual(parsePostgresUrl(url)?.hosts, [
      { host: "h1", port: 5432 },
      { host: "h2", port: 5433 },
      { host: "::1", port: 5434 },
      { host: "h4", port: undefined },
    ]);
    assert.equal(parseStoreSpec("postgresql://127.0.0.1/toystore")?.kind, "postgres");
  });

  it("refuses what is not a URL to a database, and sessions that cannot write", () => {
    for (const bad of [
      "postgres://x@:5432/db",
      "postgres://host",
      "postgres://h1,,h2/db",
      "postgres://h1:0/db",
      "postgres://h1:70000/db",
      "postgres://h1:54x/db",
      "postgres://h1/",
      "postgres://h1/a/b",
      "postgres://h1,h2/db?target_session_attrs=standby",
      "postgres://h1/db?target_session_attrs=read-only",
      "postgres://h1/db?target_session_attrs=prefer-standby",
    ])
      assert.equal(parseStoreSpec(bad), undefined, bad);
    assert.ok(parseStoreSpec("postgres://h1,h2/db?target_session_attrs=read-write"));
  });

  it("shows every host and hides the password", () => {
    const spec = parseStoreSpec("postgres://u:secret@h1:5432,h2:5432/db?target_session_attrs=primary");
    assert.ok(spec);
    assert.equal(describeStore(spec), "postgres://u:***@h1:5432,h2:5432/db?target_session_attrs=primary");
  });

  it("never throws, and what it takes has a host and a database", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (tail) => {
        const spec = parseStoreSpec(`postgres://${tail}`);
        if (spec?.kind !== "postgres") return;
        const url = parsePostgresUrl(spec.url);
        assert.ok(url && url.hosts.length > 0 && url.hosts.every((h) => h.host !== ""));
        assert.doesNotThrow(() => describeStore(spec));
      }),
      { numRuns: 2000 },
    );
  });
});
