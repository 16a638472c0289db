// The load generator's worker process: connects its share of the load, waits
// for the parent's start signal, runs, and sends back a WorkerReport.

import { prepareGrpcLoad } from "./grpc-load.js";
import type { WorkerPlan } from "./options.js";
import { LoadRecorder, type WorkerReport } from "./recorder.js";
import { prepareSocketLoad } from "./socket-load.js";

/** Messages from the parent. */
export type ToWorker = { readonly type: "plan"; readonly plan: WorkerPlan } | { readonly type: "start" };

/** Messages to the parent. */
export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "report"; readonly report: WorkerReport }
  | { readonly type: "failed"; readonly message: string };

/** Resolves once the message is handed to the IPC channel, so disconnecting after it loses nothing. */
function send(message: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, undefined, undefined, () => resolve());
  });
}

async function runWorker(plan: WorkerPlan): Promise<void> {
  const recorder = new LoadRecorder();
  const load =
    plan.transport === "socket"
      ? await prepareSocketLoad(plan, recorder)
      : await prepareGrpcLoad(plan, recorder);
  await new Promise<void>((resolve) => {
    process.on("message", (message: ToWorker) => {
      if (message.type === "start") resolve();
    });
    void send({ type: "ready" });
  });
  await load.run();
  await send({ type: "report", report: recorder.report() });
}

process.once("message", (message: ToWorker) => {
  if (message.type !== "plan") return;
  runWorker(message.plan)
    .catch((error: unknown) =>
      send({ type: "failed", message: error instanceof Error ? error.message : String(error) }),
    )
    // Closing the IPC channel lets the process exit once its sockets are closed.
    .finally(() => process.disconnect());
});
