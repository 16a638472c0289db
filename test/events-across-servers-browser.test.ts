// The storefront (public/) on two `toystore serve` processes sharing one
// PostgreSQL database, a page open on each in Debian's Chromium (driven by
// playwright-core): a buy through either server shows its new stock on both
// pages, without a reload. Skipped (with the reason) where Chromium or
// PostgreSQL is missing, unless TOYSTORE_REQUIRE_BROWSER=1 or
// TOYSTORE_REQUIRE_POSTGRES=1 (CI), where that fails instead.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { PostgresCluster } from "../src/study/measure/postgres-cluster.js";
import type { ServerProcess } from "../src/study/measure/server.js";
import { startToystore } from "../src/study/measure/toystore-launch.js";
import { browserOrSkip, launchChromium } from "./helpers/browser.js";
import { freshDatabase, postgresOrSkip, startTestCluster } from "./helpers/postgres.js";

/** Bound on every wait for a page. */
const WAIT_MS = 15_000;

/** The one DOM call the in-page function makes (this project's tsconfig has no DOM lib). */
declare const document: { querySelector(selector: string): { textContent: string | null } | null };

const skip = browserOrSkip() || postgresOrSkip().skip;

describe("the storefront on two servers of one PostgreSQL, in Chromium", { skip }, () => {
  let cluster: PostgresCluster | undefined;
  const servers: ServerProcess[] = [];
  let browser: Browser | undefined;
  /** A page on each server, in the order of `servers`. */
  const pages: Page[] = [];
  const origins: string[] = [];
  const errors: string[] = [];
  let loads = 0;

  const waitForStock = (page: Page, name: string, stock: number): Promise<unknown> =>
    page.waitForFunction(
      ([name, stock]) => document.querySelector(`[data-toy="${name}"] [data-stock]`)?.textContent === stock,
      [name, String(stock)] as const,
      { timeout: WAIT_MS },
    );

  before(async () => {
    cluster = await startTestCluster();
    const url = await freshDatabase(cluster);
    servers.push(
      await startToystore({
        transports: ["http"],
        flags: { store: url },
        catalog: [
          { name: "Tux", price: "19.99", stock: 5 },
          { name: "Kite", price: "3.00", stock: 5 },
        ],
      }),
    );
    servers.push(await startToystore({ transports: ["http"], flags: { store: url } }));
    for (const server of servers) {
      assert.ok(
        server.ports.http,
        `the server printed "http listening on"; its output:\n${server.output.join("\n")}`,
      );
      origins.push(`http://127.0.0.1:${server.ports.http}`);
    }
    browser = await launchChromium();
    for (const origin of origins) {
      const page = await browser.newPage();
      page.setDefaultTimeout(WAIT_MS);
      page.on("load", () => loads++);
      page.on("pageerror", (error) => errors.push(error.message));
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(message.text());
      });
      assert.equal((await page.goto(`${origin}/`))?.status(), 200);
      // Live once the stream's snapshot is in: no sale through any server can be missed from here on.
      await page.locator('[data-live="open"]').waitFor();
      pages.push(page);
    }
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      for (const server of servers) await server.stop();
      await cluster?.stop();
    }
  });

  it("shows a buy through server 2 on both pages", async () => {
    const response = await fetch(`${origins[1]}/api/toys/Tux/buy`, { method: "POST" });
    assert.equal(response.status, 200);
    for (const page of pages) await waitForStock(page, "Tux", 4);
  });

  it("shows a buy through server 1 (a click on its page) on both pages", async () => {
    await pages[0]!.getByRole("button", { name: "Buy Kite" }).click();
    for (const page of pages) await waitForStock(page, "Kite", 4);
    await pages[0]!.locator('[role="status"]', { hasText: "Bought Kite" }).waitFor();
  });

  it("shows the last one sold through the other server as sold out on both pages", async () => {
    for (let left = 4; left > 0; left--) {
      const response = await fetch(`${origins[left % 2]}/api/toys/Tux/buy`, { method: "POST" });
      assert.equal(response.status, 200);
    }
    for (const page of pages) {
      await waitForStock(page, "Tux", 0);
      await page.locator('[data-toy="Tux"] button:disabled').waitFor();
    }
  });

  it("never reloaded a page, and no page reported an error", () => {
    assert.equal(loads, 2, "each page loaded once");
    assert.deepEqual(errors, []);
  });
});
