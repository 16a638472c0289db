// Entry point of a load process (forked by run-load.ts through the
// fleet): each plan is a group of clients, connected and primed before the
// barrier, run after it; the process is reused from run to run.

import { runAsFleetProcess } from "../measure/fleet-process.js";
import {
  connectGroup,
  type EncodedClientTally,
  type LoadPlan,
  primeGroup,
  runGroup,
} from "./client-group.js";
import { loadConnect } from "./connect-loader.js";

runAsFleetProcess<LoadPlan, EncodedClientTally[]>(async (plan) => {
  const group = await connectGroup(await loadConnect(plan.connectModule), plan.options, plan.clients);
  await primeGroup(group, plan.options);
  return {
    run: (signal) => runGroup(group, plan.process, plan.options, signal),
    close: () => group.close(),
  };
});
