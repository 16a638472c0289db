// The original socket protocol's options: its own port, and every limit of
// the line protocol's server, shared flag for flag (--pool-size,
// --max-connections, --max-line-bytes, --idle-timeout-ms, ...), so that one
// setting bounds both socket listeners alike. Only the line timeout is left
// out: this framing never holds an unfinished message (see framing.ts).

import { defaultsOf, type Schema } from "../../options/schema.js";
import { listenPort } from "../listen-address.js";
import { type ResolvedSocketServerOptions, SOCKET_SERVER_OPTIONS } from "../socket/socket-options.js";

/**
 * The original socket server's options: the line protocol's, but its own port
 * and no line timeout. `maxLineBytes` is the longest message; `poolSize` and
 * `maxQueued` size its own worker pool (a pool of its own, as every transport
 * has, but the same size: the original design's socket server had one pool of 5).
 */
export type ResolvedOriginalSocketOptions = Omit<ResolvedSocketServerOptions, "lineTimeoutMs">;

export type OriginalSocketOptions = Partial<ResolvedOriginalSocketOptions>;

/**
 * Default port 7071: next to the line protocol's 7070, the two socket
 * protocols side by side; 7071 is not a port any common service listens on.
 */
export const ORIGINAL_SOCKET_DEFAULT_PORT = 7071;

const { lineTimeoutMs: _lineTimeout, ...SHARED_LIMITS } = SOCKET_SERVER_OPTIONS;

export const ORIGINAL_SOCKET_OPTIONS: Schema<ResolvedOriginalSocketOptions> = {
  ...SHARED_LIMITS,
  port: listenPort("--original-socket-port", "original-socket transport", ORIGINAL_SOCKET_DEFAULT_PORT),
};

export const ORIGINAL_SOCKET_DEFAULTS: ResolvedOriginalSocketOptions = Object.freeze(
  defaultsOf(ORIGINAL_SOCKET_OPTIONS),
);
