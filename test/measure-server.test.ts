// The server starter the bench tools and the experiment share: which ready
// line counts, what a failed start reports, and that nothing outlives a stop
// or a failed start. The "servers" are tiny node -e scripts.

import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";
import { startServerProcess } from "../src/study/measure/server.js";

/** A server made of a script: prints what it is told, then stays up until signalled. */
const script = (body: string) => ({
  command: process.execPath,
  args: ["-e", `${body}; setInterval(() => {}, 1000);`],
});

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("startServerProcess", () => {
  it("reads the address of a real listener and stops it by PID", async () => {
    const server = await startServerProcess(
      script(`const s = require("node:net").createServer().listen(0, "127.0.0.1", () =>
        console.log("test listening on 127.0.0.1:" + s.address().port))`),
    );
    assert.equal(server.host, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(server.port, server.host, () => {
        socket.destroy();
        resolve();
      });
      socket.once("error", reject);
    });
    assert.ok(isRunning(server.pid));
    await server.stop();
    assert.equal(isRunning(server.pid), false);
    await server.stop();
  });

  it("waits for the ready line that names the wanted transport", async () => {
    const server = await startServerProcess({
      ...script(
        `console.log("grpc listening on 127.0.0.1:1111"); console.log("socket listening on [::1]:2222")`,
      ),
      ready: ["socket"],
    });
    assert.deepEqual([server.host, server.port], ["::1", 2222]);
    await server.stop();
  });

  it("takes a server's own ready line and the port it was given (Redis)", async () => {
    const server = await startServerProcess({
      ...script(`console.log("* Ready to accept connections tcp")`),
      readyLine: { pattern: /Ready to accept connections/, port: 6399 },
    });
    assert.deepEqual([server.host, server.port], ["127.0.0.1", 6399]);
    await server.stop(0);
  });

  it("rejects with the exit and the end of the output when the server dies first", async () => {
    await assert.rejects(
      startServerProcess({
        command: process.execPath,
        args: ["-e", `console.error("no catalog"); process.exit(3)`],
      }),
      /^Error: server exited \(code 3, signal null\) before listening .*; its output:\nno catalog$/s,
    );
  });

  it("kills a server that stays silent past the timeout", async () => {
    let pid = 0;
    await assert.rejects(
      startServerProcess({ ...script("console.log(process.pid)"), readyTimeoutMs: 500 }),
      (error: Error) => {
        assert.match(error.message, /printed no "listening on" line within 500 ms/);
        pid = Number(error.message.split("\n").at(-1));
        return true;
      },
    );
    assert.ok(pid > 0);
    assert.equal(isRunning(pid), false);
  });

  it("rejects when the command cannot be started", async () => {
    await assert.rejects(
      startServerProcess({ command: "/nonexistent/toystore-server", args: [] }),
      /server could not start: .*ENOENT/,
    );
  });
});
