#!/bin/sh
# Runs every *.test.ts under src/, test/ and tools/ with Node's test runner (through tsx).
# Node 20's runner does not expand globs itself, so the files are listed here.
set -e
cd "$(dirname "$0")/.."
files=$(find src test tools -name '*.test.ts' | sort)
exec node --import tsx --test --test-concurrency=3 "$@" $files
