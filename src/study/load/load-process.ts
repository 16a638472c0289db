// Entry point of a load process (forked by run-load.ts through the
// fleet): each plan is a group of clients, connected and primed before the
// barrier, run after it; the process is reused from run to run.

import { runAsFleetProcess } from "../measure/fleet-process.js";
import { type EncodedClientTally, type LoadPlan, prepareGroup } from "./client-group.js";
import { loadConnect } from "./connect-loader.js";

runAsFleetProcess<LoadPlan, EncodedClientTally[]>(async (plan) =>
  prepareGroup(await loadConnect(plan.connectModule), plan),
);
