// A small, deterministic ExperimentResults for the report writers' tests: the
// Toy Store study's matrix with "measured" means a little above the prediction.

import { planCells } from "../../src/study/load/cell-plan.js";
import {
  type ExperimentOptionsInput,
  resolveExperimentOptions,
} from "../../src/study/load/experiment-options.js";
import type { ExperimentCell, ExperimentResults } from "../../src/study/load/results.js";
import { toCell } from "../../src/study/load/run-cell.js";
import {
  createLatencyHistogram,
  encodeHistogram,
  recordLatencyMicros,
} from "../../src/study/measure/latency-histogram.js";

export function fakeExperimentResults(input: ExperimentOptionsInput = {}): ExperimentResults {
  const options = resolveExperimentOptions(input);
  const cells: ExperimentCell[] = planCells(options).map((plan, k) => {
    const mean = plan.predicted.meanMs + 1 + (k % 4);
    const count = plan.clients * options.requests;
    const histogram = createLatencyHistogram();
    for (let i = 0; i < count; i++) recordLatencyMicros(histogram, mean * 1000);
    return toCell(plan, options, {
      latency: {
        count,
        mean,
        stdDev: 0,
        min: mean,
        p50: mean,
        p90: mean,
        p99: mean + 10,
        p999: mean + 10,
        max: mean + 12,
      },
      perClient: Array.from({ length: plan.clients }, (_, i) => ({ meanMs: mean + i * 0.5 })),
      throughputPerSecond: (1000 * plan.predicted.parallelism) / options.workMs,
      errors: (k === 1 ? { busy: 2, "odd,code": 1 } : {}) as Record<string, number>,
      outcomes: { [plan.op === "buy" ? "bought" : "in_stock"]: count },
      stopReason: "completed",
      elapsedMs: options.requests * mean,
      histogram: encodeHistogram(histogram),
    });
  });
  return {
    kind: "toystore-experiment",
    version: 1,
    options,
    environment: {
      node: "v20.20.2",
      platform: "linux",
      osRelease: "6.1.0",
      arch: "x64",
      cpuModel: "Test CPU <2 GHz> & co",
      cpuCores: 2,
      loadAverage: 0.5,
      totalMemoryBytes: 4 * 2 ** 30,
      date: "2025-01-01T00:00:00.000Z",
      gitCommit: "0123456789abcdef0123456789abcdef01234567",
      gitDirty: false,
    },
    startedAt: "2025-01-01T00:00:00.000Z",
    finishedAt: "2025-01-01T00:05:00.000Z",
    cells,
  };
}
