// The experiment's progress bar: overall percentage weighted by predicted
// cell length, the cell running, and the ETA (cli-progress; drawn on stderr).

import cliProgress from "cli-progress";
import type { ExperimentProgress } from "../study/load/experiment.js";

export interface ProgressBar {
  update(progress: ExperimentProgress): void;
  stop(): void;
}

export function createProgressBar(stream: NodeJS.WritableStream): ProgressBar {
  const bar = new cliProgress.SingleBar(
    {
      format: "{bar} {percentage}% | cell {cell}/{cells} {label} | ETA {etaText}",
      noTTYOutput: true,
      stream,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = {
        cell: p.cellIndex + 1,
        cells: p.cellCount,
        label: p.label,
        etaText: p.etaMs === null ? "..." : formatDuration(p.etaMs),
      };
      const value = Math.round(p.fraction * 100);
      if (!started) bar.start(100, value, payload);
      else bar.update(value, payload);
      started = true;
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60
    ? `${seconds}s`
    : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}
