// Several "hosts" on one Linux machine, for runs that need real network
// addresses between processes: one network namespace per host, each with its
// own loopback and one veth cable to a Linux bridge that sits in a namespace
// of its own (the switch). Hosts reach each other by address on a private
// /24 and nothing else: there is no default route and no link to the root
// namespace, so the test process itself cannot reach them (run clients
// through `exec(host)`). Needs root (or CAP_SYS_ADMIN and CAP_NET_ADMIN) and
// iproute2's `ip`; every command is an argv run with execFile, never a shell.

import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The device name of each host's end of its cable; every host has its own namespace, so they never clash. */
const HOST_INTERFACE = "eth0";
const BRIDGE = "br0";
/** Host i gets .(FIRST_HOST_OCTET + i): .10, .11, ...; the low addresses stay free for a future gateway. */
const FIRST_HOST_OCTET = 10;
const MAX_HOSTS = 254 - FIRST_HOST_OCTET;
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9_]{0,15}$/;
const PREFIX = /^[A-Za-z0-9]{1,16}$/;
const SUBNET = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.0\/24$/;

/** One host: where it lives and how it is addressed. */
export interface Host {
  /** The name it was created under ("client", "server1"). */
  readonly name: string;
  /** Its network namespace (`ip netns list`), e.g. "ts01a2b0-client". */
  readonly namespace: string;
  /** Its IPv4 address on the subnet, e.g. "10.231.7.10". */
  readonly address: string;
  /** Its end of the cable to the switch, inside its namespace. */
  readonly interface: string;
}

export interface HostsOptions {
  /**
   * Starts every namespace name; default "ts" + this process's PID (5 base-36
   * digits) + a per-process counter, so parallel runs never clash.
   * Letters and digits, at most 16.
   */
  readonly prefix?: string;
  /** "A.B.C.0/24"; default 10.231.C.0/24 with C derived from the PID. */
  readonly subnet?: string;
}

/** The hosts `createHosts` made; `remove()` deletes them. */
export interface Hosts {
  readonly prefix: string;
  readonly subnet: string;
  /** The namespace holding the bridge. */
  readonly switchNamespace: string;
  /** Every host, in the order given. */
  readonly hosts: readonly Host[];
  /** The host of that name; throws on an unknown name. */
  host(name: string): Host;
  /** The argv prefix that runs a command on the host: `ip netns exec <namespace>` (it execs: same PID). */
  exec(host: string): readonly string[];
  /** Takes the host's cable down, as if pulled: it reaches nothing and nothing reaches it. */
  cutLink(host: string): Promise<void>;
  /** Puts the cable back (the interface up again, its subnet route restored by the kernel). */
  restoreLink(host: string): Promise<void>;
  /** Every namespace this made that still exists, the switch included. */
  namespaces(): readonly string[];
  /**
   * Deletes every namespace this made (their veth pairs go with them);
   * resolves with how many were deleted now. Idempotent. Processes still
   * inside a namespace keep it alive, unnamed, until they exit: stop them first.
   */
  remove(): Promise<number>;
}

let created = 0;

/** "ts" + the PID in 5 base-36 digits (Linux PIDs fit) + a counter: unique per process and per call. */
function defaultPrefix(): string {
  return `ts${process.pid.toString(36).padStart(5, "0")}${(created++).toString(36)}`;
}

/** The namespaces are isolated, so a clash would only confuse a person reading `ip`; the PID spreads runs anyway. */
function defaultSubnet(): string {
  return `10.231.${(process.pid % 250) + 1}.0/24`;
}

/** Runs `ip ARGS`; a failure says which command and what ip printed. */
async function ip(args: readonly string[]): Promise<void> {
  try {
    await run("ip", [...args], { encoding: "utf8" });
  } catch (error) {
    throw new Error(`ip ${args.join(" ")} failed: ${describeFailure(error)}`, { cause: error });
  }
}

function describeFailure(error: unknown): string {
  const failed = error as { code?: unknown; stderr?: unknown; message?: unknown };
  if (failed.code === "ENOENT") return "the `ip` command (iproute2) is not installed";
  const stderr = typeof failed.stderr === "string" ? failed.stderr.trim() : "";
  return stderr || String(failed.message ?? error);
}

/** Deletes a namespace; false when it was not there. */
async function deleteNamespace(namespace: string): Promise<boolean> {
  try {
    await run("ip", ["netns", "delete", namespace], { encoding: "utf8" });
    return true;
  } catch (error) {
    if (/No such file/.test(describeFailure(error))) return false;
    throw new Error(`ip netns delete ${namespace} failed: ${describeFailure(error)}`, { cause: error });
  }
}

function checkNames(names: readonly string[]): void {
  if (names.length === 0) throw new Error("createHosts: names must list at least one host");
  if (names.length > MAX_HOSTS)
    throw new Error(`createHosts: at most ${MAX_HOSTS} hosts, got ${names.length}`);
  for (const name of names)
    if (!HOST_NAME.test(name))
      throw new Error(`createHosts: a host name is 1-16 letters, digits or _, got ${JSON.stringify(name)}`);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw new Error(`createHosts: host name ${duplicate} given twice`);
}

/** The subnet's first three octets, checked. */
function subnetBase(subnet: string): string {
  const match = SUBNET.exec(subnet);
  if (match === null || match.slice(1).some((octet) => Number(octet) > 255))
    throw new Error(`createHosts: subnet must look like 10.231.7.0/24, got ${JSON.stringify(subnet)}`);
  return match.slice(1, 4).join(".");
}

/**
 * Creates one namespace per host plus the switch's, and cables each host to
 * the bridge with an address of its own and lo up. On any failure, removes
 * what it made before rejecting.
 */
export async function createHosts(names: readonly string[], options: HostsOptions = {}): Promise<Hosts> {
  checkNames(names);
  const prefix = options.prefix ?? defaultPrefix();
  if (!PREFIX.test(prefix))
    throw new Error(`createHosts: prefix must be 1-16 letters or digits, got ${JSON.stringify(prefix)}`);
  const subnet = options.subnet ?? defaultSubnet();
  const base = subnetBase(subnet);
  const switchNamespace = `${prefix}-switch`;
  const hosts: Host[] = names.map((name, i) => ({
    name,
    namespace: `${prefix}-${name}`,
    address: `${base}.${FIRST_HOST_OCTET + i}`,
    interface: HOST_INTERFACE,
  }));
  // Recorded once `ip netns add` succeeded (a failed add removes its own half), never before: a
  // name that already existed belongs to someone else and must not be deleted here.
  const made: string[] = [];
  const remove = async (): Promise<number> => {
    let removed = 0;
    // Hosts first, the switch last; each removed name is forgotten, so a second call does nothing.
    while (made.length > 0) {
      if (await deleteNamespace(made[made.length - 1]!)) removed++;
      made.pop();
    }
    return removed;
  };
  try {
    await ip(["netns", "add", switchNamespace]);
    made.push(switchNamespace);
    await ip(["-n", switchNamespace, "link", "set", "lo", "up"]);
    await ip(["-n", switchNamespace, "link", "add", "name", BRIDGE, "type", "bridge"]);
    await ip(["-n", switchNamespace, "link", "set", BRIDGE, "up"]);
    for (const [i, host] of hosts.entries()) {
      const port = `p${i}`; // the bridge's end of the cable
      await ip(["netns", "add", host.namespace]);
      made.push(host.namespace);
      const peer = ["peer", "name", host.interface, "netns", host.namespace];
      await ip(["-n", switchNamespace, "link", "add", "name", port, "type", "veth", ...peer]);
      await ip(["-n", switchNamespace, "link", "set", port, "master", BRIDGE, "up"]);
      await ip(["-n", host.namespace, "addr", "add", `${host.address}/24`, "dev", host.interface]);
      await ip(["-n", host.namespace, "link", "set", host.interface, "up"]);
      await ip(["-n", host.namespace, "link", "set", "lo", "up"]);
    }
  } catch (error) {
    await remove().catch(() => {}); // the creation error is the one worth reporting
    throw error;
  }
  const byName = new Map(hosts.map((host) => [host.name, host]));
  const host = (name: string): Host => {
    const found = byName.get(name);
    if (found === undefined)
      throw new Error(`no host named ${JSON.stringify(name)} (hosts: ${names.join(", ")})`);
    return found;
  };
  const setLink = (name: string, state: "up" | "down") => {
    const { namespace, interface: device } = host(name);
    return ip(["-n", namespace, "link", "set", device, state]);
  };
  return {
    prefix,
    subnet,
    switchNamespace,
    hosts,
    host,
    exec: (name) => ["ip", "netns", "exec", host(name).namespace],
    cutLink: (name) => setLink(name, "down"),
    restoreLink: (name) => setLink(name, "up"),
    namespaces: () => [...made],
    remove,
  };
}

/** Whether this process can create hosts, or why not. */
export type NamespaceSupport = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Finds out by doing it: creates a probe namespace with a bridge and a veth
 * pair inside, then deletes it. The reason names the cause: not Linux, no
 * `ip`, not root, or what the kernel refused.
 */
export async function namespaceSupport(): Promise<NamespaceSupport> {
  if (process.platform !== "linux") return { ok: false, reason: "network namespaces need Linux" };
  const probe = `${defaultPrefix()}-probe`;
  try {
    await ip(["netns", "add", probe]);
    await ip(["-n", probe, "link", "add", "name", BRIDGE, "type", "bridge"]);
    await ip(["-n", probe, "link", "add", "name", "probe0", "type", "veth", "peer", "name", "probe1"]);
    return { ok: true };
  } catch (error) {
    const detail = describeFailure((error as Error).cause ?? error);
    const root = process.getuid?.() === 0;
    const refused = /Operation not permitted|Permission denied/i.test(detail);
    const reason = refused && !root ? `not root: ${detail}` : detail;
    return { ok: false, reason: `cannot create network namespaces (ip netns): ${reason}` };
  } finally {
    await deleteNamespace(probe).catch(() => false);
  }
}

/** The names `ip netns list` shows (every namespace on the machine, not only ours). */
export async function listNamespaces(): Promise<string[]> {
  try {
    const { stdout } = await run("ip", ["netns", "list"], { encoding: "utf8" });
    // Lines read "NAME" or "NAME (id: N)".
    return stdout
      .split("\n")
      .map((line) => line.split(" ")[0]!)
      .filter((name) => name !== "");
  } catch (error) {
    throw new Error(`ip netns list failed: ${describeFailure(error)}`, { cause: error });
  }
}

/** The PIDs of the processes inside a namespace (`ip netns pids`): what would keep it alive after removal. */
export async function namespacePids(namespace: string): Promise<number[]> {
  try {
    const { stdout } = await run("ip", ["netns", "pids", namespace], { encoding: "utf8" });
    return stdout
      .split("\n")
      .filter((line) => /^\d+$/.test(line.trim()))
      .map(Number);
  } catch (error) {
    throw new Error(`ip netns pids ${namespace} failed: ${describeFailure(error)}`, { cause: error });
  }
}
