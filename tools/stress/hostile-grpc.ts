// Hostile and broken clients of the gRPC transport, one case each. Every
// case opens a connection of its own and closes it.

import http2 from "node:http2";
import { setTimeout as pause } from "node:timers/promises";
import * as grpc from "@grpc/grpc-js";
import { loadToyStoreContract } from "../../src/transport/grpc/contract.js";
import type { HostileCase, HostileContext } from "./hostile.js";
import { withRawSocket } from "./raw-socket.js";

type ToyStoreClient = InstanceType<
  ReturnType<typeof loadToyStoreContract>["proto"]["toystore"]["v1"]["ToyStore"]
>;

const OWN_CONNECTION: grpc.ChannelOptions = { "grpc.use_local_subchannel_pool": 1 };
const { status } = grpc;

const statusName = (code: grpc.status): string => status[code] ?? String(code);

/** Runs `use` on a client of its own connection (a ToyStore one, or grpc.Client for hand-made bodies), then closes it. */
async function withClient<C extends grpc.Client, T>(
  ctx: HostileContext,
  Client: new (address: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions) => C,
  use: (client: C) => Promise<T>,
): Promise<T> {
  const client = new Client(`127.0.0.1:${ctx.grpcPort}`, grpc.credentials.createInsecure(), OWN_CONNECTION);
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

/** A bare HTTP/2 session to the gRPC port. */
const h2 = (ctx: HostileContext, options: http2.ClientSessionOptions = {}) =>
  http2.connect(`http://127.0.0.1:${ctx.grpcPort}`, options).on("error", () => {});

/** A request message with field 1 (name) holding these bytes: tag, length as a varint, bytes. */
function nameField(bytes: Buffer): Buffer {
  const length: number[] = [];
  let n = bytes.length;
  for (; n >= 0x80; n >>>= 7) length.push((n & 0x7f) | 0x80);
  return Buffer.concat([Buffer.from([0x0a, ...length, n]), bytes]);
}

/** Sends each raw request body as a Query or a Buy (at random); checks each call ends with its status. */
function rawCalls(ctx: HostileContext, calls: [string, Buffer, grpc.status][]): Promise<string | undefined> {
  return withClient(ctx, grpc.Client, async (client) => {
    for (const [what, body, expected] of calls) {
      ctx.sent(body.length);
      const code = await new Promise<grpc.status>((resolve) =>
        client.makeUnaryRequest(
          `/toystore.v1.ToyStore/${ctx.rng.chance(0.5) ? "Query" : "Buy"}`,
          (b: Buffer) => b,
          (b: Buffer) => b,
          body,
          { deadline: Date.now() + 15_000 },
          (error) => resolve(error ? error.code : status.OK),
        ),
      );
      if (code !== expected) return `${what}: ${statusName(code)}, expected ${statusName(expected)}`;
    }
    return undefined;
  });
}

const outcome = (error: grpc.ServiceError | null, ok: string) => (error ? statusName(error.code) : ok);

/** `count` calls on one connection at once; each reports its outcome, which must be one of `accepted`. */
async function callsAtOnce(
  ctx: HostileContext,
  count: number,
  accepted: readonly string[],
  call: (client: ToyStoreClient, done: (outcome: string) => void) => void,
): Promise<string | undefined> {
  const { ToyStore } = loadToyStoreContract().proto.toystore.v1;
  const outcomes = await withClient(ctx, ToyStore, (client) =>
    Promise.all(Array.from({ length: count }, () => new Promise<string>((done) => call(client, done)))),
  );
  const odd = outcomes.find((o) => !accepted.includes(o));
  return odd === undefined ? undefined : `a call ended ${odd}`;
}

/** Buys the decoy 5 to 30 times at once, each cancelled soon or with a deadline that passes soon. */
function abandonedBuys(ctx: HostileContext, cancel: boolean): Promise<string | undefined> {
  const givenUp = statusName(cancel ? status.CANCELLED : status.DEADLINE_EXCEEDED);
  return callsAtOnce(ctx, ctx.rng.int(5, 30), ["OK", givenUp], (client, done) => {
    ctx.decoy.sent++;
    const options = cancel ? {} : { deadline: Date.now() + ctx.rng.int(0, 3) };
    const call = client.Buy({ name: "Decoy" }, options, (error, reply) => {
      if (!error && reply?.status === "BUY_STATUS_BOUGHT") ctx.decoy.acked++;
      done(outcome(error, "OK"));
    });
    if (cancel) setTimeout(() => call.cancel(), ctx.rng.int(0, 5));
  });
}

export const GRPC_CASES: readonly HostileCase[] = [
  {
    name: "gRPC message over the size limit",
    maxMs: () => 20_000,
    run(ctx) {
      const body = nameField(Buffer.alloc(ctx.limits.grpcMaxMessageBytes + ctx.rng.int(1, 100_000), "x"));
      return rawCalls(ctx, [["over the limit", body, status.RESOURCE_EXHAUSTED]]);
    },
  },
  {
    name: "gRPC invalid names and bodies",
    maxMs: () => 20_000,
    run: (ctx) =>
      rawCalls(ctx, [
        ["empty name", Buffer.alloc(0), status.INVALID_ARGUMENT],
        ["blank name", nameField(Buffer.from("  \t ")), status.INVALID_ARGUMENT],
        ["name too long", nameField(Buffer.alloc(300, "x")), status.INVALID_ARGUMENT],
        ["invalid UTF-8", nameField(Buffer.from([0x44, 0xff, 0x63])), status.OK],
        ["NUL", nameField(Buffer.from("De\0coy")), status.OK],
        ["not protobuf", Buffer.from([0xff, 0xff, 0xff]), status.INTERNAL],
      ]),
  },
  {
    name: "gRPC calls cancelled while queued or running",
    maxMs: () => 20_000,
    run: (ctx) => abandonedBuys(ctx, true),
  },
  {
    name: "gRPC calls with expiring deadlines",
    maxMs: () => 20_000,
    run: (ctx) => abandonedBuys(ctx, false),
  },
  {
    name: "gRPC many concurrent streams on one connection",
    maxMs: () => 30_000,
    run: (ctx) =>
      callsAtOnce(ctx, ctx.rng.int(100, 400), ["QUERY_STATUS_IN_STOCK"], (client, done) =>
        client.Query({ name: "Alpha" }, { deadline: Date.now() + 25_000 }, (error, reply) =>
          done(outcome(error, reply?.status ?? "no reply")),
        ),
      ),
  },
  {
    name: "gRPC streams that never send their request",
    maxMs: () => 10_000,
    async run(ctx) {
      // Node's client assumes 100 streams until the server says otherwise: a hostile client assumes more.
      const session = h2(ctx, { peerMaxConcurrentStreams: 10_000 });
      const count = ctx.rng.int(20, 150);
      const headers = {
        ":method": "POST",
        ":path": "/toystore.v1.ToyStore/Buy",
        "content-type": "application/grpc",
        te: "trailers",
      };
      // Opened at once, before the server's settings arrive: the server itself must refuse the extra ones.
      const streams = Array.from({ length: count }, () =>
        session.request(headers, { endStream: false }).on("error", () => {}),
      );
      await pause(ctx.rng.int(200, 2000));
      // Open on the server: sent (nghttp2 holds back what it may not send yet: IDLE), not refused or closed.
      const { NGHTTP2_STREAM_STATE_IDLE: IDLE, NGHTTP2_STREAM_STATE_CLOSED: CLOSED } = http2.constants;
      const open = streams.filter(
        (s) => !s.closed && s.state.state !== IDLE && s.state.state !== CLOSED,
      ).length;
      session.destroy();
      const cap = ctx.limits.grpcMaxConcurrentStreams;
      return open <= cap ? undefined : `${open} of ${count} streams open at once, over the cap of ${cap}`;
    },
  },
  {
    name: "gRPC port: not HTTP/2",
    maxMs: () => 10_000,
    run: (ctx) =>
      withRawSocket(
        ctx.grpcPort,
        async (c) => {
          await c.write(
            ctx.rng.chance(0.5)
              ? "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
              : // At least the preface's length: the server may wait for a shorter prefix to go on.
                ctx.rng.bytes(ctx.rng.int(24, 8192)),
          );
          return (await c.waitForClose(5000)) ? undefined : "not closed";
        },
        ctx.sent,
      ),
  },
  {
    name: "gRPC idle connection",
    maxMs: () => 5000,
    async run(ctx) {
      const session = h2(ctx);
      await pause(ctx.rng.int(100, 2000));
      const closedEarly = session.closed || session.destroyed;
      session.destroy();
      return closedEarly ? "closed by the server before the idle timeout" : undefined;
    },
  },
];
