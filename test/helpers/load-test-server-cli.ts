// The stand-in store as a command with `toystore serve`'s flags, so the
// experiment runner can be tested without the real server: it prints
// "<transport> listening on 127.0.0.1:PORT" and stops on SIGTERM.

import { startLoadTestServer } from "./load-test-server.js";

const flags = new Map<string, string>();
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const flag = argv[i]!;
  if (!flag.startsWith("--")) continue;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith("--")) flags.set(flag, "true");
  else flags.set(flag, argv[++i]!);
}
const transport = flags.get("--transport") ?? "socket";
const lock = flags.get("--lock") ?? "rwlock";
const server = await startLoadTestServer({
  parallelism: Number(
    transport === "socket" ? flags.get("--pool-size") : flags.get("--grpc-max-concurrency"),
  ),
  workMs: Number(flags.get("--work-ms") ?? 0),
  exclusiveOps: lock === "mutex" ? ["query", "buy"] : ["buy"],
});
console.log(`${transport} listening on 127.0.0.1:${server.port}`);
process.once("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});
