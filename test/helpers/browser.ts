// Chromium for the storefront's tests: Debian's binary driven by
// playwright-core (which never downloads a browser of its own), and the one
// rule for when it is missing: skip, or fail under TOYSTORE_REQUIRE_BROWSER=1.

import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";

/** false when Chromium is there; else why the suite skips (or throws, when it is required). */
export function browserOrSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const reason = `${CHROMIUM} is missing (apt-get install chromium)`;
  if (process.env.TOYSTORE_REQUIRE_BROWSER === "1") {
    throw new Error(`TOYSTORE_REQUIRE_BROWSER=1, but ${reason}`);
  }
  return reason;
}

/** A headless Chromium that sends nothing of its own to the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}
