// The storefront's files (public/), read once at start: a handful of small
// files, served from memory.

import { readdir, readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { PACKAGE_ROOT } from "../../package-root.js";

export interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
}

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
};

/** Every file of public/ by URL path ("/index.html"); empty if the folder is missing. */
export async function loadStorefront(dir = join(PACKAGE_ROOT, "public")): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return files;
  }
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (type !== undefined) files.set(`/${name}`, { type, body: await readFile(join(dir, name)) });
  }
  return files;
}
