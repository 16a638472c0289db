// Where this package lives on disk: the folder that holds src/ (or dist/),
// public/ and proto/. Serving code reads the storefront from it, measuring
// code starts processes from it.

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root: this file sits at src/ or dist/. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
