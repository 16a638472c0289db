// Where the transports listen: one --host for every server (socket,
// original-socket, gRPC, HTTP), and a port each (0 picks a free one).

import { type Field, integer, text } from "../options/schema.js";

/** Loopback by default, so a store started for trying is not reachable from other machines. */
export const LISTEN_HOST: Field<string> = text(
  "--host",
  "interface to listen on (127.0.0.1 keeps the store on this machine)",
  "127.0.0.1",
  { arg: "<host>" },
);

/** A transport's listening port flag. */
export function listenPort(flag: string, transport: string, fallback: number): Field<number> {
  return integer(flag, `${transport} port (0 picks a free one)`, fallback, 0, 65535);
}
