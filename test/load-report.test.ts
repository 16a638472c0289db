// Tests of the report writers on a small fake experiment: the CSV parses back,
// the Markdown holds every cell, the SVG is well-formed and has every series.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { renderLatencyChart } from "../src/study/load/report/chart.js";
import { CSV_COLUMNS, renderCsv } from "../src/study/load/report/csv.js";
import { renderHtml } from "../src/study/load/report/html.js";
import { renderMarkdown } from "../src/study/load/report/markdown.js";
import { REPORT_FILES, readResults, writeReport } from "../src/study/load/report/write-report.js";
import { fakeExperimentResults } from "./helpers/load-fake-results.js";

const results = fakeExperimentResults();

describe("renderCsv", () => {
  it("writes a header and one row per cell that parse back to the same values", () => {
    const rows = parseCsv(renderCsv(results));
    assert.deepEqual(rows[0], [...CSV_COLUMNS]);
    assert.equal(rows.length, results.cells.length + 1);
    const column = (name: string) => CSV_COLUMNS.indexOf(name);
    results.cells.forEach((cell, k) => {
      const row = rows[k + 1]!;
      assert.equal(row.length, CSV_COLUMNS.length);
      assert.deepEqual(
        [row[column("transport")], row[column("lock")], row[column("op")], Number(row[column("clients")])],
        [cell.transport, cell.lock, cell.op, cell.clients],
      );
      assert.ok(Math.abs(Number(row[column("mean_ms")]) - cell.measured.mean) < 0.001);
      assert.ok(Math.abs(Number(row[column("predicted_mean_ms")]) - cell.predicted.meanMs) < 0.001);
      assert.equal(row[column("per_client_means_ms")]!.split(";").length, cell.clients);
    });
  });

  it("quotes fields that hold commas", () => {
    const rows = parseCsv(renderCsv(results));
    assert.equal(rows[2]![CSV_COLUMNS.indexOf("errors_by_code")], "busy=2;odd,code=1");
  });
});

describe("renderMarkdown", () => {
  const markdown = renderMarkdown(results, { charts: ["chart.svg"] });

  it("has a row for every cell in the detail table", () => {
    for (const cell of results.cells) {
      const row = `| ${cell.transport} | ${cell.lock} | ${cell.op} | ${cell.clients} | ${cell.predicted.parallelism} | ${cell.measured.mean.toFixed(1)} |`;
      assert.ok(markdown.includes(row), `missing ${row}`);
    }
  });

  it("sets every cell's measured mean next to its prediction in the summary tables", () => {
    assert.match(markdown, /## Query: mean latency/);
    assert.match(markdown, /## Buy: mean latency/);
    for (const cell of results.cells) {
      assert.ok(markdown.includes(`${cell.measured.mean.toFixed(1)} / ${cell.predicted.meanMs.toFixed(1)}`));
    }
  });

  it("names the environment and embeds the chart", () => {
    assert.match(markdown, /Node\.js v20\.20\.2/);
    assert.match(markdown, /commit 0123456789ab/);
    assert.match(markdown, /!\[[^\]]+\]\(chart\.svg\)/);
  });

  it("marks a cell that stopped early instead of judging it", () => {
    const [first, ...rest] = results.cells;
    const stopped = {
      ...results,
      cells: [{ ...first!, stopReason: "aborted" as const, withinTolerance: false }, ...rest],
    };
    assert.match(renderMarkdown(stopped), /\| stopped early \(aborted\) \|/);
  });

  it("keeps every table row as wide as its header", () => {
    const tables = markdown.split("\n## ").slice(1);
    for (const table of tables) {
      const rows = table.split("\n").filter((line) => line.startsWith("|"));
      const widths = rows.map((line) => line.replaceAll("\\|", "").split("|").length);
      assert.ok(
        widths.every((w) => w === widths[0]),
        table.split("\n")[0],
      );
    }
  });
});

describe("renderLatencyChart", () => {
  const svg = renderLatencyChart(results);

  it("is a well-formed standalone SVG document", () => {
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    assertWellFormed(svg);
  });

  it("draws every transport/lock series, and the predictions dashed", () => {
    for (const colour of ["#e15759", "#4e79a7", "#f28e2b", "#59a14f"])
      assert.ok(svg.includes(colour), colour);
    for (const label of [
      "socket, mutex",
      "socket, read-write lock",
      "gRPC, mutex",
      "gRPC, read-write lock",
    ]) {
      assert.ok(svg.includes(`${label}: measured mean`), label);
    }
    assert.match(svg, /stroke-dasharray="6,4"/);
    for (const c of [1, 5, 10]) assert.ok(svg.includes(`c = ${c}`), `prediction c = ${c}`);
  });

  it("labels its axes with units and its panels by op", () => {
    assert.match(svg, /mean latency \(ms\)/);
    assert.match(svg, /concurrent clients \(N\)/);
    assert.match(svg, />Query</);
    assert.match(svg, />Buy</);
  });

  it("draws only the ops that were measured", () => {
    const queriesOnly = renderLatencyChart(fakeExperimentResults({ ops: ["query"], clients: [1, 2] }));
    assertWellFormed(queriesOnly);
    assert.doesNotMatch(queriesOnly, />Buy</);
  });
});

describe("writeReport", () => {
  it("writes every file, and results.json reads back to the same results", async () => {
    const dir = await mkdtemp(join(tmpdir(), "toystore-report-"));
    try {
      const paths = await writeReport(results, join(dir, "nested"));
      for (const file of Object.values(REPORT_FILES))
        assert.ok((await readFile(join(dir, "nested", file))).length > 0);
      assert.deepEqual(await readResults(paths.json), results);
      const html = await readFile(paths.html, "utf8");
      assert.match(html, /<svg xmlns/);
      assert.equal(html.match(/<table>/g)?.length, 4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a JSON file that is not an experiment's results", async () => {
    const dir = await mkdtemp(join(tmpdir(), "toystore-report-"));
    try {
      await writeFile(join(dir, "other.json"), JSON.stringify({ kind: "toystore-load", version: 1 }));
      await assert.rejects(readResults(join(dir, "other.json")), /not a toystore experiment/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("renders the HTML page with the chart inline", () => {
    const html = renderHtml(results, "<svg></svg>");
    assert.match(html, /^<!doctype html>/);
    assert.ok(html.includes("Test CPU &lt;2 GHz&gt; &amp; co"));
  });
});

/** RFC 4180: quoted fields may hold commas, quotes (doubled) and line breaks; rows end with CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += ch;
  }
  assert.equal(field, "", "the last row ends with CRLF");
  return rows;
}

/** Tags balance, attributes are quoted, and every & starts an entity. */
function assertWellFormed(xml: string): void {
  const stack: string[] = [];
  const body = xml.replace(/<style>[^<]*<\/style>/g, "");
  for (const match of body.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/g)) {
    const [, closing, name, , selfClosing] = match;
    if (selfClosing === "/") continue;
    if (closing === "/") assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else stack.push(name!);
  }
  assert.deepEqual(stack, [], "every element is closed");
  const tags = body.match(/<[^>]*>/g) ?? [];
  const matched = [...body.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/g)].length;
  assert.equal(matched, tags.length, "every tag has only quoted attributes");
  assert.doesNotMatch(body, /&(?!(amp|lt|gt|quot|apos|#\d+);)/, "bare &");
}
