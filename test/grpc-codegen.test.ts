// The committed types in src/generated/ must be what the generator makes from
// proto/toystore.proto today: edit the proto, run `npm run gen:proto`, commit both.

import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { GENERATED_DIR, generateProtoTypes } from "../scripts/gen-proto.js";

async function readTree(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(root, full), await readFile(full, "utf8"));
  }
  return files;
}

test("src/generated/ is up to date with proto/toystore.proto", async () => {
  const outDir = await mkdtemp(path.join(tmpdir(), "toystore-gen-"));
  try {
    await generateProtoTypes(outDir);
    const fresh = await readTree(outDir);
    const committed = await readTree(GENERATED_DIR);
    assert.deepEqual(
      [...committed.keys()].sort(),
      [...fresh.keys()].sort(),
      "generated file list differs: run npm run gen:proto",
    );
    for (const [file, text] of fresh) {
      assert.equal(committed.get(file), text, `src/generated/${file} is stale: run npm run gen:proto`);
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
});
