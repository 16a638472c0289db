// Entry point of a throughput process (forked by run-bench.ts through
// the fleet): connects its share of the load, waits at the barrier, runs the
// warm-up and the measured window, and reports.

import { runAsFleetProcess } from "../measure/fleet-process.js";
import { prepareGrpcLoad } from "./grpc-load.js";
import { prepareNetHttpLoad } from "./http-load.js";
import { prepareUndiciLoad } from "./http-undici-load.js";
import type { ThroughputPlan } from "./options.js";
import type { PreparedLoad } from "./prepared-load.js";
import { ThroughputRecorder, type ThroughputReport } from "./recorder.js";
import { prepareSocketLoad } from "./socket-load.js";

/** Connects the plan's load with the engine of its transport (and, for HTTP, the one it names). */
function prepareLoad(plan: ThroughputPlan, recorder: ThroughputRecorder): Promise<PreparedLoad> {
  if (plan.transport === "socket") return prepareSocketLoad(plan, recorder);
  if (plan.transport === "grpc") return prepareGrpcLoad(plan, recorder);
  return plan.httpEngine === "undici"
    ? prepareUndiciLoad(plan, recorder)
    : prepareNetHttpLoad(plan, recorder);
}

runAsFleetProcess<ThroughputPlan, ThroughputReport>(async (plan) => {
  const recorder = new ThroughputRecorder();
  const load = await prepareLoad(plan, recorder);
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
