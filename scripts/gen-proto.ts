// Regenerates the TypeScript types in src/generated/ from the protos with
// proto-loader-gen-types, using the runtime loader's own options:
// proto/toystore.proto into src/generated/ (its package, toystore.v1, gives
// the folders), and the original design's proto/toystore_original.proto, which
// has no package, into src/generated/original/ (so that its ToyStore.ts never
// sits beside toystore.ts, which a case-insensitive file system cannot hold).
//
//   npx tsx scripts/gen-proto.ts            rewrite src/generated/
//   npx tsx scripts/gen-proto.ts OUT_DIR    write elsewhere (the drift test does)

import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  ORIGINAL_PROTO_FILE,
  PROTO_DIR,
  PROTO_FILE,
  PROTO_LOADER_OPTIONS,
} from "../src/transport/grpc/contract.js";

const run = promisify(execFile);

/** The repository root, which the generator runs in so that the files it writes name `proto/toystore.proto`. */
export const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Where the committed generated types live. */
export const GENERATED_DIR = path.join(REPO_ROOT, "src", "generated");

/** Each proto, and the folder under the output folder its types go to. */
export const PROTO_OUTPUTS: readonly { readonly proto: string; readonly subdir: string }[] = Object.freeze([
  { proto: PROTO_FILE, subdir: "" },
  { proto: ORIGINAL_PROTO_FILE, subdir: "original" },
]);

/** The generator's flags for one proto, derived from PROTO_LOADER_OPTIONS so that the types match what the loader decodes. */
export function generatorArgs(outDir: string, protoFile: string = PROTO_FILE): string[] {
  const options = PROTO_LOADER_OPTIONS;
  const args = [
    "--grpcLib=@grpc/grpc-js",
    "--importFileExtension=.js",
    "--includeComments",
    `--longs=${options.longs.name}`,
    `--enums=${options.enums.name}`,
  ];
  if (options.keepCase) args.push("--keepCase");
  if (options.defaults) args.push("--defaults");
  if (options.oneofs) args.push("--oneofs");
  args.push(`--includeDirs=${path.relative(REPO_ROOT, PROTO_DIR) || "."}`, `--outDir=${outDir}`, protoFile);
  return args;
}

/** Replaces `outDir` with freshly generated types of every proto. Rejects with the generator's stderr on failure. */
export async function generateProtoTypes(outDir: string = GENERATED_DIR): Promise<void> {
  const require = createRequire(import.meta.url);
  const bin = path.join(
    path.dirname(require.resolve("@grpc/proto-loader/package.json")),
    "build/bin/proto-loader-gen-types.js",
  );
  await rm(outDir, { recursive: true, force: true });
  for (const { proto, subdir } of PROTO_OUTPUTS) {
    await run(process.execPath, [bin, ...generatorArgs(path.join(outDir, subdir), proto)], {
      cwd: REPO_ROOT,
    });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2] === undefined ? GENERATED_DIR : path.resolve(process.argv[2]);
  await generateProtoTypes(outDir);
  const protos = PROTO_OUTPUTS.map(({ proto }) => `proto/${proto}`).join(" and ");
  console.log(`generated ${path.relative(process.cwd(), outDir) || "."} from ${protos}`);
}
