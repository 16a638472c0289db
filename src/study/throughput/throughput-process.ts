// Entry point of a throughput process (forked by run-bench.ts through
// the fleet): connects its share of the load, waits at the barrier, runs the
// warm-up and the measured window, and reports.

import { runAsFleetProcess } from "../measure/fleet-process.js";
import { prepareGrpcLoad } from "./grpc-load.js";
import { prepareHttpLoad } from "./http-load.js";
import type { ThroughputPlan } from "./options.js";
import { ThroughputRecorder, type ThroughputReport } from "./recorder.js";
import { prepareSocketLoad } from "./socket-load.js";

runAsFleetProcess<ThroughputPlan, ThroughputReport>(async (plan) => {
  const recorder = new ThroughputRecorder();
  const load =
    plan.transport === "socket"
      ? await prepareSocketLoad(plan, recorder)
      : plan.transport === "http"
        ? await prepareHttpLoad(plan, recorder)
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
