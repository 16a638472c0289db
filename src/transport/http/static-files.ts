// The storefront's files (public/), read once at start: a handful of small
// files, served from memory.

import { readdir, readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join } from "node:path";
import { PACKAGE_ROOT } from "../../package-root.js";
import { problem } from "./problem.js";
import { sendProblem } from "./reply.js";

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

/** Answers a path no API route has with the storefront's file there ("/" is index.html): 404 if none, 405 unless GET or HEAD. */
export function serveStorefront(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  files: ReadonlyMap<string, StaticFile>,
): void {
  const file = files.get(path === "/" ? "/index.html" : path);
  if (file === undefined) {
    sendProblem(res, problem("not_found", `nothing at ${path}`));
    return;
  }
  const method = req.method ?? "GET";
  if (method !== "GET" && method !== "HEAD") {
    sendProblem(res, problem("method_not_allowed", `${method} is not allowed here`), { allow: "GET, HEAD" });
    return;
  }
  res.writeHead(200, {
    "content-type": file.type,
    "content-length": file.body.length,
    "cache-control": "no-cache",
  });
  res.end(method === "HEAD" ? undefined : file.body);
}
