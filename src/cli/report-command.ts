// `toystore report <dir>`: rewrites an experiment's report files from its
// results.json alone.

import { resolve } from "node:path";
import type { Command } from "commander";
import { type CommandIo, failure, PROCESS_IO } from "./command-io.js";
import { loadReportWriters } from "./experiment-command.js";

export function registerReportCommand(program: Command, io: CommandIo = PROCESS_IO): void {
  program
    .command("report <dir>")
    .description("rewrite results.csv, report.md, report.html and the chart from <dir>/results.json")
    .action(async (dir: string) => {
      try {
        const { readResults, writeReport } = await loadReportWriters();
        const results = await readResults(resolve(dir, "results.json"));
        await writeReport(results, resolve(dir));
        io.stdout.write(`report written to ${resolve(dir)}\n`);
      } catch (error) {
        throw failure(error);
      }
    });
}
