// rotateHosts: the probe's URL with its hosts in turn from the nth, every
// other part as written; one host, or a malformed URL, as it is.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parsePostgresUrl } from "../store-spec.js";
import { rotateHosts } from "./pool.js";

const URL3 = "postgres://u:p@h1:5432,[::1]:5433,h3/db?target_session_attrs=primary";

describe("rotateHosts", () => {
  it("starts from the nth host, wrapping round, and keeps the rest as written", () => {
    assert.equal(rotateHosts(URL3, 0), URL3);
    assert.equal(
      rotateHosts(URL3, 1),
      "postgres://u:p@[::1]:5433,h3,h1:5432/db?target_session_attrs=primary",
    );
    assert.equal(
      rotateHosts(URL3, 2),
      "postgres://u:p@h3,h1:5432,[::1]:5433/db?target_session_attrs=primary",
    );
    assert.equal(rotateHosts(URL3, 3), URL3);
  });

  it("leaves one host, or what it cannot parse, alone", () => {
    assert.equal(rotateHosts("postgres://h1/db", 1), "postgres://h1/db");
    assert.equal(rotateHosts("not a url", 1), "not a url");
  });

  it("keeps every host, once each, in the same cyclic order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.nat(20), (n, first) => {
        const hosts = Array.from({ length: n }, (_, i) => `h${i}:${5000 + i}`);
        const rotated = parsePostgresUrl(rotateHosts(`postgres://u@${hosts.join(",")}/db`, first));
        const names = rotated?.hosts.map((h) => `${h.host}:${h.port}`) ?? [];
        assert.deepEqual(names, [...hosts.slice(first % n), ...hosts.slice(0, first % n)]);
      }),
    );
  });
});
