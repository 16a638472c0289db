// One Patroni node's configuration (patroni-cluster.ts writes it as the
// node's patroni.yml): the timings measured here (a leader and a synchronous
// standby in about 10 s; a failover after a killed postmaster in 5-7 s, after
// a lost node in about 15 s), the synchronous mode, and trust authentication
// (throwaway clusters on loopback or in namespaces of our own only).

/** The ports a node listens on: PostgreSQL, Patroni's REST API, its Raft store. */
export interface NodePorts {
  readonly pgPort: number;
  readonly restPort: number;
  readonly raftPort: number;
}

/**
 * "strict": every commit waits for a synchronous standby, and with none left
 * writes wait until one is back (no acknowledged commit is ever on one host
 * only). "on": the same while a standby is there, but with none left the
 * primary goes on alone. "off": asynchronous replication.
 */
export type SynchronousMode = "strict" | "on" | "off";

export interface NodeConfig extends NodePorts {
  readonly name: string;
  readonly host: string;
  readonly dir: string;
  /** Every other node's Raft address, host:port. */
  readonly partners: readonly string[];
  /** PostgreSQL's bin directory. */
  readonly bin: string;
  readonly synchronousMode: SynchronousMode;
  readonly settings: Readonly<Record<string, string>>;
}

/** The node's patroni.yml, as an object (YAML is a superset of JSON). */
export function patroniConfig(node: NodeConfig): Record<string, unknown> {
  const at = (port: number) => `${node.host}:${port}`;
  return {
    scope: "toystore",
    name: node.name,
    restapi: { listen: at(node.restPort), connect_address: at(node.restPort) },
    raft: { data_dir: `${node.dir}/raft`, self_addr: at(node.raftPort), partner_addrs: node.partners },
    bootstrap: {
      dcs: {
        // A leader that stops renewing its lock for ttl seconds loses it; Patroni needs loop_wait + 2 * retry_timeout <= ttl.
        ttl: 10,
        loop_wait: 2,
        retry_timeout: 3,
        maximum_lag_on_failover: 1_048_576,
        synchronous_mode: node.synchronousMode !== "off",
        synchronous_mode_strict: node.synchronousMode === "strict",
        // Promote a standby at once rather than wait for a crashed primary to come back up.
        primary_start_timeout: 0,
        postgresql: {
          use_pg_rewind: true,
          use_slots: true,
          parameters: { max_connections: 100, shared_buffers: "32MB", wal_keep_size: "128MB" },
        },
      },
      initdb: [{ encoding: "UTF8" }, { locale: "C.UTF-8" }, "data-checksums"],
      pg_hba: [
        "local all all trust",
        "host all all 0.0.0.0/0 trust",
        "host all all ::1/128 trust",
        "host replication all 0.0.0.0/0 trust",
      ],
    },
    postgresql: {
      listen: at(node.pgPort),
      connect_address: at(node.pgPort),
      data_dir: `${node.dir}/data`,
      bin_dir: node.bin,
      basebackup: [{ checkpoint: "fast" }],
      pgpass: `${node.dir}/pgpass`,
      authentication: {
        superuser: { username: "postgres" },
        replication: { username: "replicator", password: "rep" },
        rewind: { username: "rewind_user", password: "rew" },
      },
      parameters: { unix_socket_directories: node.dir, ...node.settings },
    },
  };
}
