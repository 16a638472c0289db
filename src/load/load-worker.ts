// Entry point of a load worker process (forked by run-load.ts): for each plan
// it receives, connects its clients, reports ready, waits at the barrier for
// "start", runs, and sends its measurements back; then it waits for the next
// plan, so an experiment can reuse its processes from cell to cell. It exits
// when the parent closes the channel. See worker-protocol.ts.

import { type ConnectedGroup, connectGroup, primeGroup, runGroup } from "./client-group.js";
import { errorCode } from "./client-loop.js";
import { loadConnect } from "./connect-loader.js";
import type { ParentMessage, WorkerMessage, WorkerPlan } from "./worker-protocol.js";

if (typeof process.send !== "function") {
  throw new Error("load-worker must be started by the load generator (child_process.fork), not directly");
}

interface Run {
  readonly plan: WorkerPlan;
  group: ConnectedGroup | null;
  readonly abort: AbortController;
  started: boolean;
}

/** The run in progress: set by "plan", cleared once its result is sent. */
let current: Run | null = null;

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send?.(message, undefined, {}, () => resolve());
  });
}

function failed(error: unknown): WorkerMessage {
  return { type: "failed", code: errorCode(error), message: String((error as Error)?.message ?? error) };
}

async function prepare(plan: WorkerPlan): Promise<void> {
  if (current !== null) {
    await send(failed(new Error("a plan arrived while the previous run was still going")));
    return;
  }
  const run: Run = {
    plan,
    group: null,
    abort: new AbortController(),
    started: false,
  };
  current = run;
  try {
    const connect = await loadConnect(plan.connectModule);
    run.group = await connectGroup(connect, plan.options, plan.clients);
    await primeGroup(run.group, plan.options);
    await send({ type: "ready" });
  } catch (error) {
    await run.group?.close();
    current = null;
    await send(failed(error));
  }
}

async function start(): Promise<void> {
  const run = current;
  if (run === null || run.group === null || run.started) return;
  run.started = true;
  let reply: WorkerMessage;
  try {
    reply = {
      type: "result",
      clients: await runGroup(run.group, run.plan.process, run.plan.options, run.abort.signal),
    };
  } catch (error) {
    reply = failed(error);
  }
  // Close before replying, so that the next run's connections never overlap this one's.
  await run.group.close();
  current = null;
  await send(reply);
}

process.on("message", (message: ParentMessage) => {
  if (message.type === "plan") void prepare(message.plan);
  else if (message.type === "start") void start();
  else if (message.type === "stop") current?.abort.abort();
});

// The parent is done with us, or went away (crashed, killed): stop rather
// than load a server nobody is measuring. With the channel and the
// connections closed, nothing keeps the process alive.
process.on("disconnect", () => {
  if (current === null) return;
  current.abort.abort();
  if (!current.started) void current.group?.close();
});

// Ctrl-C in a terminal reaches the whole process group. The parent decides
// what an interrupt means (it sends "stop", and the clients report what they
// measured), so a worker must not die of it on its own.
process.on("SIGINT", () => {});
