// The process side of the fleet (fleet.ts): for each plan the parent sends,
// prepare (connect), report ready, wait at the barrier for "start", run, send
// the result, release; then wait for the next plan. The process exits once the
// parent closes the channel, or goes away.

import { errorCode } from "../../errors.js";
import type { FromProcess, ToProcess } from "./fleet.js";

/** A plan made ready: connected, waiting for the barrier. */
export interface PreparedRun<Result> {
  /** Runs once the barrier opens; `signal` ends it early (the parent sent "stop" or went away). */
  run(signal: AbortSignal): Promise<Result>;
  /** Releases what preparing opened (connections); called once, after the run or instead of it. */
  close(): Promise<void>;
}

interface Current<Result> {
  prepared: PreparedRun<Result> | null;
  readonly abort: AbortController;
  started: boolean;
}

/**
 * Makes this process a fleet process: `prepare` turns each plan into a run.
 * Throws if the process was not forked with an IPC channel.
 */
export function runAsFleetProcess<Plan, Result>(prepare: (plan: Plan) => Promise<PreparedRun<Result>>): void {
  if (typeof process.send !== "function") {
    throw new Error("a measuring process must be forked by its tool, not started directly");
  }
  let current: Current<Result> | null = null;

  const send = (message: FromProcess<Result>): Promise<void> =>
    new Promise((resolve) => {
      if (!process.connected) return resolve();
      process.send?.(message, undefined, {}, () => resolve());
    });
  const failed = (error: unknown): FromProcess<Result> => ({
    type: "failed",
    code: errorCode(error),
    message: error instanceof Error ? error.message : String(error),
  });

  const onPlan = async (plan: Plan): Promise<void> => {
    if (current !== null) {
      await send(failed(new Error("a plan arrived while the previous run was still going")));
      return;
    }
    const run: Current<Result> = { prepared: null, abort: new AbortController(), started: false };
    current = run;
    try {
      run.prepared = await prepare(plan);
      await send({ type: "ready" });
    } catch (error) {
      current = null;
      await send(failed(error));
    }
  };

  const onStart = async (): Promise<void> => {
    const run = current;
    if (run === null || run.prepared === null || run.started) return;
    run.started = true;
    let reply: FromProcess<Result>;
    try {
      reply = { type: "result", result: await run.prepared.run(run.abort.signal) };
    } catch (error) {
      reply = failed(error);
    }
    // Release before replying, so that the next run's connections never overlap this one's.
    await run.prepared.close();
    current = null;
    await send(reply);
  };

  process.on("message", (message: ToProcess<Plan>) => {
    if (message.type === "plan") void onPlan(message.plan);
    else if (message.type === "start") void onStart();
    else if (message.type === "stop") current?.abort.abort();
  });
  // The parent is done with us, or went away (crashed, killed): stop rather
  // than load a server nobody is measuring. With the channel and the
  // connections closed, nothing keeps the process alive.
  process.on("disconnect", () => {
    if (current === null) return;
    current.abort.abort();
    if (!current.started) void current.prepared?.close();
  });
  // Ctrl-C in a terminal reaches the whole process group. The parent decides
  // what an interrupt means (it sends "stop" and reports what was measured),
  // so a process must not die of it on its own.
  process.on("SIGINT", () => {});
}
