// The Python that runs the tests' gRPC clients (Debian's python3-grpcio and
// python3-grpc-tools), and the one rule for when it cannot: skip, or fail
// under TOYSTORE_REQUIRE_PYTHON_GRPC=1.

import { spawnSync } from "node:child_process";

export const PYTHON = process.env.PYTHON ?? "/usr/bin/python3";

/** false when the Python modules the scripts need import, else why not. */
export function pythonGrpcOrSkip(): string | false {
  const probe = spawnSync(PYTHON, ["-c", "import grpc, grpc_tools"], { encoding: "utf8" });
  const missing =
    probe.status === 0
      ? false
      : `${PYTHON} cannot import grpc and grpc_tools (python3-grpcio python3-grpc-tools)`;
  if (missing !== false && process.env.TOYSTORE_REQUIRE_PYTHON_GRPC === "1") {
    throw new Error(`TOYSTORE_REQUIRE_PYTHON_GRPC=1, but ${missing}`);
  }
  return missing;
}
