// What a Patroni cluster says about itself through a node's REST API: its
// members and their roles, whether it is ready (a leader, a synchronous
// standby, every live node replicating), and a planned switchover. Nodes in
// network namespaces cannot be reached from here: then each request is a
// `curl` run under `via` (`ip netns exec NS`, a host that reaches them).

import { runCommand } from "./run-command.js";

/** One member as GET /cluster lists it. */
export interface ClusterMember {
  readonly name: string;
  /** "leader", "sync_standby", "replica" (or "standby_leader"). */
  readonly role: string;
  /** "running" (3.0: a standby too) or "streaming" (later versions, a standby); others while starting or stopped. */
  readonly state: string;
  readonly host: string;
  readonly port: number;
}

/** How to reach a node's REST API: directly, or by curl under an argv prefix. */
export interface RestAccess {
  readonly host: string;
  readonly port: number;
  readonly via?: readonly string[] | undefined;
}

const REQUEST_TIMEOUT_MS = 2000;
const SWITCHOVER_TIMEOUT_MS = 30_000;

/** The members, or undefined when the node does not answer. */
export async function clusterMembers(node: RestAccess): Promise<ClusterMember[] | undefined> {
  try {
    const { status, text } = await request(node, "GET", "/cluster", undefined, REQUEST_TIMEOUT_MS);
    if (status !== 200) return undefined;
    const body = JSON.parse(text) as { members?: ClusterMember[] };
    return Array.isArray(body.members) ? body.members : undefined;
  } catch {
    return undefined;
  }
}

/** A running leader, a synchronous standby when `synchronous`, and `live` members in all, each running or streaming. */
export function isReady(members: readonly ClusterMember[], live: number, synchronous: boolean): boolean {
  const leaders = members.filter((m) => m.role === "leader" && m.state === "running");
  const replicating = members.filter(
    (m) => m.role !== "leader" && (m.state === "streaming" || m.state === "running"),
  );
  return (
    leaders.length === 1 &&
    replicating.length === live - 1 &&
    (!synchronous || live < 2 || replicating.some((m) => m.role === "sync_standby"))
  );
}

/** POST /switchover to the leader; throws with Patroni's answer when it refuses. */
export async function postSwitchover(
  node: RestAccess,
  leader: string,
  candidate: string | undefined,
): Promise<void> {
  const body = JSON.stringify(candidate === undefined ? { leader } : { leader, candidate });
  const { status, text } = await request(node, "POST", "/switchover", body, SWITCHOVER_TIMEOUT_MS);
  if (status !== 200) throw new Error(`switchover refused (${status}): ${text.trim()}`);
}

async function request(
  node: RestAccess,
  method: "GET" | "POST",
  path: string,
  body: string | undefined,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  const url = `http://${node.host.includes(":") ? `[${node.host}]` : node.host}:${node.port}${path}`;
  if (node.via === undefined || node.via.length === 0) {
    const response = await fetch(url, {
      method,
      ...(body === undefined ? {} : { body, headers: { "content-type": "application/json" } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, text: await response.text() };
  }
  const curl = [
    "curl",
    "-s",
    "-m",
    String(Math.ceil(timeoutMs / 1000)),
    "-X",
    method,
    "-w",
    "\n%{http_code}",
  ];
  if (body !== undefined) curl.push("-H", "content-type: application/json", "--data", body);
  const result = await runCommand([...node.via, ...curl, url], { timeoutMs: timeoutMs + 1000 });
  const cut = result.stdout.lastIndexOf("\n");
  return {
    status: Number(result.stdout.slice(cut + 1)) || 0,
    text: result.stdout.slice(0, Math.max(cut, 0)),
  };
}
