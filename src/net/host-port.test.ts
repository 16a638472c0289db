// formatHostPort: names and IPv4 as they are, IPv6 literals in brackets once.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatHostPort } from "./host-port.js";

describe("formatHostPort", () => {
  it("joins an IPv4 address and a port with a colon", () => {
    assert.equal(formatHostPort("127.0.0.1", 7070), "127.0.0.1:7070");
  });

  it("leaves a host name as it is", () => {
    assert.equal(formatHostPort("localhost", 50051), "localhost:50051");
  });

  it("puts an IPv6 literal in brackets", () => {
    assert.equal(formatHostPort("::1", 8080), "[::1]:8080");
    assert.equal(formatHostPort("fe80::1%eth0", 0), "[fe80::1%eth0]:0");
    assert.equal(formatHostPort("::", 7070), "[::]:7070");
  });

  it("does not bracket a literal that is already in brackets", () => {
    assert.equal(formatHostPort("[::1]", 8080), "[::1]:8080");
  });
});
