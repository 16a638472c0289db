// `toystore report <dir | file>`: renders what a measuring tool wrote, from
// its JSON alone. An experiment's folder (or its results.json) gets its report
// files rewritten; a `load --json` or `bench --json` result is printed as the
// tool itself prints it.

import { readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { formatLoadResults } from "../study/load/format-load.js";
import type { LoadResults } from "../study/load/results.js";
import { formatBenchResult } from "../study/throughput/format.js";
import type { BenchResult } from "../study/throughput/run-bench.js";
import { CliFailure } from "./cli-failure.js";
import { type CommandIo, failure, PROCESS_IO } from "./command-io.js";
import { loadReportWriters } from "./experiment-command.js";

export function registerReportCommand(program: Command, io: CommandIo = PROCESS_IO): void {
  program
    .command("report <path>")
    .description(
      "render a measurement from its JSON: an experiment folder (or its results.json) gets results.csv, report.md, report.html and the chart rewritten; a load or bench JSON file is printed as text",
    )
    .action(async (path: string) => {
      try {
        const info = await stat(path).catch(() => undefined);
        if (info === undefined) throw new CliFailure(`${path}: no such file or folder`);
        const isDir = info.isDirectory();
        const file = resolve(isDir ? join(path, "results.json") : path);
        const kind = isDir ? "toystore-experiment" : await readKind(file);
        if (kind === "toystore-experiment") {
          const { readResults, writeReport } = await loadReportWriters();
          await writeReport(await readResults(file), dirname(file));
          io.stdout.write(`report written to ${dirname(file)}\n`);
        } else if (kind === "toystore-load") {
          io.stdout.write(formatLoadResults(JSON.parse(await readFile(file, "utf8")) as LoadResults));
        } else if (kind === "toystore-bench") {
          io.stdout.write(`${formatBenchResult(JSON.parse(await readFile(file, "utf8")) as BenchResult)}\n`);
        } else {
          throw new CliFailure(`${file} is not the JSON of a toystore experiment, load or bench run`);
        }
      } catch (error) {
        throw failure(error);
      }
    });
}

async function readKind(file: string): Promise<unknown> {
  try {
    return (JSON.parse(await readFile(file, "utf8")) as { kind?: unknown }).kind;
  } catch (error) {
    throw new CliFailure(`cannot read ${file}: ${(error as Error).message}`);
  }
}
