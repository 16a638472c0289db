// Entry point of a throughput worker process (forked by run-bench.ts through
// the fleet): connects its share of the load, waits at the barrier, runs the
// warm-up and the measured window, and reports.

import { serveWorker } from "../measure/worker-runtime.js";
import { prepareGrpcLoad } from "./grpc-load.js";
import type { WorkerPlan } from "./options.js";
import { LoadRecorder, type WorkerReport } from "./recorder.js";
import { prepareSocketLoad } from "./socket-load.js";

serveWorker<WorkerPlan, WorkerReport>(async (plan) => {
  const recorder = new LoadRecorder();
  const load =
    plan.transport === "socket"
      ? await prepareSocketLoad(plan, recorder)
      : await prepareGrpcLoad(plan, recorder);
  return {
    async run() {
      await load.run();
      return recorder.report();
    },
    async close() {
      load.close();
    },
  };
});
