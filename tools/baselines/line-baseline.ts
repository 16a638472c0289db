// The minimal Node `net` line server: the runtime's ceiling for the socket transport.
//
// It does what any line server must (frame lines, decode them to strings,
// answer in order, one write per batch of replies) and nothing else: no
// catalog, no pool, no lock. Our socket server is reported as a ratio to it.
//
// Run: node --import tsx tools/baselines/line-baseline.ts [--port 0] [--host 127.0.0.1]

import net from "node:net";
import {
  isMainModule,
  type ListenOptions,
  listenTracked,
  type RunningServer,
  runBaselineMain,
} from "./baseline-args.js";

/** Fixed replies, shaped like the real protocol's: "price stock" for Query, "1" for Buy. */
const QUERY_REPLY = "19.99 100\n";
const BUY_REPLY = "1\n";
const BAD_REPLY = "ERR bad request\n";

/** A line longer than this closes the connection, so a client cannot grow our memory. */
const MAX_LINE_BYTES = 64 * 1024;

/** Starts the baseline; resolves once it is listening. */
export function startLineBaseline(options: ListenOptions): Promise<RunningServer> {
  return listenTracked(net.createServer(serveConnection), options);
}

function serveConnection(socket: net.Socket): void {
  socket.setNoDelay(true);
  // UTF-8 as the real protocol needs for names; StringDecoder keeps split characters whole.
  socket.setEncoding("utf8");
  // The tail of the last chunk that did not end in "\n" yet.
  let partial = "";
  socket.on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    if (partial.length > MAX_LINE_BYTES) {
      socket.destroy();
      return;
    }
    let out = "";
    for (const line of lines) {
      if (line.startsWith("Query: ")) out += QUERY_REPLY;
      else if (line.startsWith("Buy: ")) out += BUY_REPLY;
      else out += BAD_REPLY;
    }
    // One write for every reply this chunk produced: the fast path the issue asks for.
    if (out.length > 0) socket.write(out);
  });
  // A reset peer is normal under load: nothing to report.
  socket.on("error", () => socket.destroy());
}

if (isMainModule(import.meta.url)) {
  await runBaselineMain("line-baseline", startLineBaseline);
}
