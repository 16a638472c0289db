// Entry point of a well-behaved process (forked by stress.ts through
// the fleet): each plan is a set of sessions over one transport, started at
// the barrier and run until the plan's duration ends or the parent says stop.

import { connect } from "../../src/client/connect.js";
import { runAsFleetProcess } from "../../src/study/measure/fleet-process.js";
import { runWellBehaved, type WellBehavedPlan, type WellBehavedResult } from "./well-behaved.js";

runAsFleetProcess<WellBehavedPlan, WellBehavedResult>(async (plan) => {
  // The sessions open their own connections; this one only proves, before the barrier, that the port answers.
  await (await connect({ transport: plan.transport, port: plan.port })).close();
  return { run: (signal) => runWellBehaved(plan, signal), close: async () => {} };
});
