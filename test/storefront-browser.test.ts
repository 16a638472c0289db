// The web storefront (public/) in a real browser, Debian's Chromium driven by
// playwright-core, against a real `toystore serve` on all three transports:
// the catalog shows, a click buys, a buy over the socket reaches the open page
// through /api/events without a reload, sold-out toys cannot be bought, the
// live panel shows every transport, and the page loads nothing from elsewhere.
// Skipped (with the reason) where Chromium is missing, unless
// TOYSTORE_REQUIRE_BROWSER=1 (CI), where that fails instead.

import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { SocketStoreClient } from "../src/client/socket-client.js";
import { PACKAGE_ROOT } from "../src/study/measure/entry-point.js";
import type { ServerProcess } from "../src/study/measure/server.js";
import { startToystore } from "../src/study/measure/toystore-launch.js";
import { browserOrSkip, launchChromium } from "./helpers/browser.js";

const SCREENSHOT = join(PACKAGE_ROOT, "results", "storefront.png");
/** Bound on every wait for the page: a stock update, a status line, the live panel. */
const WAIT_MS = 10_000;

/** The one DOM call the in-page functions make (this project's tsconfig has no DOM lib). */
declare const document: { querySelector(selector: string): { textContent: string | null } | null };

describe("the storefront in Chromium", { skip: browserOrSkip() }, () => {
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let origin = "";
  /** Requests the page made outside the server, and errors it threw or logged. */
  const foreign: string[] = [];
  const errors: string[] = [];
  /** Page loads: 1 after the first, more if anything reloaded the page. */
  let loads = 0;

  const open = (): Page => {
    assert.ok(page, "the page opened");
    return page;
  };
  const stockOf = (name: string): Promise<string | null> =>
    open().locator(`[data-toy="${name}"] [data-stock]`).textContent();
  const waitForStock = (name: string, stock: number): Promise<unknown> =>
    open().waitForFunction(
      ([name, stock]) => document.querySelector(`[data-toy="${name}"] [data-stock]`)?.textContent === stock,
      [name, String(stock)] as const,
      { timeout: WAIT_MS },
    );
  const socketBuy = async (name: string): Promise<void> => {
    const client = await SocketStoreClient.connect({ port: server!.ports.socket! });
    try {
      await client.buy(name);
    } finally {
      await client.close();
    }
  };

  before(async () => {
    server = await startToystore({
      transports: ["socket", "grpc", "http"],
      catalog: [
        { name: "Tux", price: "19.99", stock: 5 },
        { name: "Lion", price: "42.00", stock: 0 },
        { name: "Kite", price: "3.00", stock: 5 },
      ],
    });
    const port = server.ports.http;
    assert.ok(port, `the server printed "http listening on"; its output:\n${server.output.join("\n")}`);
    origin = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    page.setDefaultTimeout(WAIT_MS);
    page.on("request", (request) => {
      const url = request.url();
      if (!url.startsWith(`${origin}/`) && !url.startsWith("data:")) foreign.push(url);
    });
    page.on("load", () => loads++);
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    const response = await page.goto(`${origin}/`);
    assert.equal(response?.status(), 200);
    // Live once the event stream is open and the catalog re-read after it: no sale can be missed from here on.
    await page.locator('[data-live="open"]').waitFor();
  });

  after(async () => {
    try {
      if (page !== undefined) {
        await mkdir(join(PACKAGE_ROOT, "results"), { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        console.log(`storefront screenshot: ${SCREENSHOT}`);
      }
    } finally {
      try {
        await browser?.close();
      } finally {
        await server?.stop();
      }
    }
  });

  it("shows the catalog: a page with a heading, each toy's stock, its own Buy button", async () => {
    const p = open();
    assert.equal(await p.title(), "Toy Store");
    assert.equal(await p.locator("main h1").count(), 1);
    assert.equal(await stockOf("Tux"), "5");
    assert.equal(await p.locator('[data-toy="Tux"] [data-stock]').getAttribute("data-stock"), "5");
    const buyTux = p.locator('[data-toy="Tux"] button');
    assert.equal(await buyTux.textContent(), "Buy Tux");
    assert.equal(await buyTux.isEnabled(), true);
    assert.equal(await p.getByRole("button", { name: "Buy Tux" }).count(), 1);
  });

  it("shows a sold-out toy as sold out, its Buy button disabled", async () => {
    const p = open();
    assert.equal(await stockOf("Lion"), "0");
    assert.equal(await p.locator('[data-toy="Lion"] button').isDisabled(), true);
    assert.equal(await p.locator('[data-toy="Lion"]').getByText("Sold out").isVisible(), true);
    assert.equal(await p.locator('[data-toy="Tux"]').getByText("Sold out").isVisible(), false);
  });

  it("buys on a click: the stock falls by one and the status region says so", async () => {
    const p = open();
    const was = Number(await stockOf("Tux"));
    await p.locator('[data-toy="Tux"] button').click();
    await waitForStock("Tux", was - 1);
    const status = p.locator('[role="status"][aria-live="polite"]');
    await status.filter({ hasText: "Bought Tux" }).waitFor();
    assert.match(
      (await status.textContent()) ?? "",
      new RegExp(`^Bought Tux \\(order .+\\), ${was - 1} left$`),
    );
  });

  it("buys from the keyboard: Tab to the button, Enter", async () => {
    const p = open();
    const was = Number(await stockOf("Tux"));
    // A click on the heading moves focus off the button, and the next Tab starts from there.
    await p.locator("h1").click();
    await p.keyboard.press("Tab");
    assert.equal(await p.locator(":focus").textContent(), "Buy Tux");
    await p.keyboard.press("Enter");
    await waitForStock("Tux", was - 1);
  });

  it("shows a buy over the socket without a reload", async () => {
    const was = Number(await stockOf("Tux"));
    await socketBuy("Tux");
    await waitForStock("Tux", was - 1);
    assert.equal(loads, 1, "the page was loaded once, never reloaded");
  });

  it("disables Buy once the last one is sold elsewhere", async () => {
    const p = open();
    for (let left = Number(await stockOf("Tux")); left > 0; left--) await socketBuy("Tux");
    await waitForStock("Tux", 0);
    await p.locator('[data-toy="Tux"] button:disabled').waitFor();
    assert.equal(await p.locator('[data-toy="Tux"]').getByText("Sold out").isVisible(), true);
  });

  it("shows the live panel: requests per second for every transport", async () => {
    const p = open();
    for (const transport of ["socket", "grpc", "http"]) {
      await p.locator("#stats th", { hasText: transport }).waitFor();
    }
    assert.equal(await p.getByText("stats unavailable").count(), 0);
  });

  // Before the next test, whose failed requests Chromium logs as errors.
  it("loads nothing from elsewhere and reports no errors", () => {
    assert.deepEqual(foreign, []);
    assert.deepEqual(errors, []);
  });

  it('says "stats unavailable" while /api/stats fails, and recovers once it answers again', async () => {
    const p = open();
    await p.route("**/api/stats", (route) => route.abort());
    await p.getByText("stats unavailable").waitFor();
    await p.unroute("**/api/stats");
    await p.getByText("stats unavailable").waitFor({ state: "detached" });
    await p.locator("#stats th", { hasText: "http" }).waitFor();
  });

  // Last: its sold-out answer is a failed request to Chromium, logged as an error.
  it("buys the quantity typed next to Buy, all or nothing", async () => {
    const p = open();
    const quantity = p.getByRole("spinbutton", { name: "How many Kite to buy" });
    const status = p.locator('[role="status"][aria-live="polite"]');
    await quantity.fill("3");
    await p.getByRole("button", { name: "Buy Kite" }).click();
    await waitForStock("Kite", 2);
    await status.filter({ hasText: "Bought 3 × Kite" }).waitFor();
    assert.match((await status.textContent()) ?? "", /^Bought 3 × Kite \(order .+\), 2 left$/);
    await p.getByRole("button", { name: "Buy Kite" }).click();
    await status.filter({ hasText: "Fewer than 3 Kite left; nothing was bought" }).waitFor();
    assert.equal(await stockOf("Kite"), "2");
  });
});
