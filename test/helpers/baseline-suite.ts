// A baseline server for one test suite: started before its tests, closed after.

import { after, before } from "node:test";
import type { RunningServer } from "../../tools/baselines/baseline-args.js";
import { startGrpcBaseline } from "../../tools/baselines/grpc-baseline.js";
import { startLineBaseline } from "../../tools/baselines/line-baseline.js";

const START = { line: startLineBaseline, grpc: startGrpcBaseline } as const;

/** Registers the suite's hooks; the returned function gives the running server inside a test. */
export function baselineForSuite(kind: keyof typeof START): () => RunningServer {
  let server: RunningServer | undefined;
  before(async () => {
    server = await START[kind]({ host: "127.0.0.1", port: 0 });
  });
  after(() => server?.close());
  return () => server!;
}
