// HOST:PORT, written one way everywhere: listeners' ready lines, client
// targets, URLs' authorities and messages. Shared by serving, client and
// measuring code, so it depends on nothing.

/**
 * `host:port`, with an IPv6 literal in brackets (`[::1]:7070`), as URLs, gRPC
 * targets and the ready lines need it: the port's colon must not read as part
 * of the address. A host already in brackets is left as it is.
 */
export function formatHostPort(host: string, port: number): string {
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${bracketed}:${port}`;
}
