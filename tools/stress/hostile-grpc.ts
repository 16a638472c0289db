// Hostile and broken clients of the gRPC transport, one case each. Every
// case opens a connection of its own and closes it.

import http2 from "node:http2";
import * as grpc from "@grpc/grpc-js";
import { loadToyStoreContract } from "../../src/transport/grpc/contract.js";
import { type HostileCase, type HostileContext, pause } from "./hostile.js";
import { RawSocket } from "./raw-socket.js";

type ToyStoreClient = InstanceType<
  ReturnType<typeof loadToyStoreContract>["proto"]["toystore"]["v1"]["ToyStore"]
>;

const OWN_CONNECTION: grpc.ChannelOptions = { "grpc.use_local_subchannel_pool": 1 };

function typedClient(ctx: HostileContext): ToyStoreClient {
  const { ToyStore } = loadToyStoreContract().proto.toystore.v1;
  return new ToyStore(`127.0.0.1:${ctx.grpcPort}`, grpc.credentials.createInsecure(), OWN_CONNECTION);
}

/** A Buy or Query with a request body given as raw bytes; resolves with the status code. */
function rawCall(client: grpc.Client, method: "Buy" | "Query", body: Buffer): Promise<grpc.status> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      `/toystore.v1.ToyStore/${method}`,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      { deadline: Date.now() + 15_000 },
      (error) => resolve(error ? error.code : grpc.status.OK),
    );
  });
}

/** A request message with field 1 (name) holding these bytes: tag, length as a varint, bytes. */
function nameField(bytes: Buffer): Buffer {
  const length: number[] = [];
  let n = bytes.length;
  while (n >= 0x80) {
    length.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  length.push(n);
  return Buffer.concat([Buffer.from([0x0a, ...length]), bytes]);
}

function statusName(code: grpc.status): string {
  return grpc.status[code] ?? String(code);
}

/** Buys the decoy `count` times at once, each given up on by `abandon`; checks the outcomes. */
async function abandonBuys(
  ctx: HostileContext,
  count: number,
  expected: grpc.status,
  abandon: (call: grpc.ClientUnaryCall) => void,
  options: () => grpc.CallOptions,
): Promise<string | undefined> {
  const client = typedClient(ctx);
  try {
    const codes = await Promise.all(
      Array.from({ length: count }, () => {
        ctx.decoy.sent++;
        return new Promise<grpc.status>((resolve) => {
          const call = client.Buy({ name: "Decoy" }, options(), (error, reply) => {
            if (!error && reply?.status === "BUY_STATUS_BOUGHT") ctx.decoy.acked++;
            resolve(error ? error.code : grpc.status.OK);
          });
          abandon(call);
        });
      }),
    );
    const odd = codes.find((code) => code !== grpc.status.OK && code !== expected);
    return odd === undefined ? undefined : `a call ended ${statusName(odd)}`;
  } finally {
    client.close();
  }
}

/** A message-agnostic client on a connection of its own, for hand-made request bodies. */
function rawClient(ctx: { readonly grpcPort: number }): grpc.Client {
  return new grpc.Client(`127.0.0.1:${ctx.grpcPort}`, grpc.credentials.createInsecure(), OWN_CONNECTION);
}

export const GRPC_CASES: readonly HostileCase[] = [
  {
    name: "gRPC message over the size limit",
    transport: "grpc",
    maxMs: () => 20_000,
    async run(ctx) {
      const client = rawClient(ctx);
      try {
        const size = ctx.limits.grpcMaxMessageBytes + ctx.rng.int(1, 100_000);
        ctx.sent(size);
        const code = await rawCall(client, "Buy", nameField(Buffer.alloc(size, "x")));
        return code === grpc.status.RESOURCE_EXHAUSTED ? undefined : `answered ${statusName(code)}`;
      } finally {
        client.close();
      }
    },
  },
  {
    name: "gRPC invalid names and bodies",
    transport: "grpc",
    maxMs: () => 20_000,
    async run(ctx) {
      const client = rawClient(ctx);
      const field = nameField;
      const cases: [string, Buffer, grpc.status][] = [
        ["empty name", Buffer.alloc(0), grpc.status.INVALID_ARGUMENT],
        ["blank name", field(Buffer.from("  \t ")), grpc.status.INVALID_ARGUMENT],
        ["name too long", field(Buffer.alloc(300, "x")), grpc.status.INVALID_ARGUMENT],
        ["invalid UTF-8", field(Buffer.from([0x44, 0xff, 0x63])), grpc.status.OK],
        ["NUL", field(Buffer.from("De\0coy")), grpc.status.OK],
        ["not protobuf", Buffer.from([0xff, 0xff, 0xff]), grpc.status.INTERNAL],
      ];
      try {
        for (const [what, body, expected] of cases) {
          ctx.sent(body.length);
          const code = await rawCall(client, ctx.rng.chance(0.5) ? "Query" : "Buy", body);
          if (code !== expected) return `${what}: ${statusName(code)}, expected ${statusName(expected)}`;
        }
        return undefined;
      } finally {
        client.close();
      }
    },
  },
  {
    name: "gRPC calls cancelled while queued or running",
    transport: "grpc",
    maxMs: () => 20_000,
    run(ctx) {
      return abandonBuys(
        ctx,
        ctx.rng.int(5, 30),
        grpc.status.CANCELLED,
        (call) => setTimeout(() => call.cancel(), ctx.rng.int(0, 5)),
        () => ({}),
      );
    },
  },
  {
    name: "gRPC calls with expiring deadlines",
    transport: "grpc",
    maxMs: () => 20_000,
    run(ctx) {
      return abandonBuys(
        ctx,
        ctx.rng.int(5, 30),
        grpc.status.DEADLINE_EXCEEDED,
        () => {},
        () => ({ deadline: Date.now() + ctx.rng.int(0, 3) }),
      );
    },
  },
  {
    name: "gRPC many concurrent streams on one connection",
    transport: "grpc",
    maxMs: () => 30_000,
    async run(ctx) {
      const client = typedClient(ctx);
      try {
        const count = ctx.rng.int(100, 400);
        const codes = await Promise.all(
          Array.from(
            { length: count },
            () =>
              new Promise<string>((resolve) =>
                client.Query({ name: "Alpha" }, { deadline: Date.now() + 25_000 }, (error, reply) =>
                  resolve(error ? statusName(error.code) : (reply?.status ?? "no reply")),
                ),
              ),
          ),
        );
        const odd = codes.find((code) => code !== "QUERY_STATUS_IN_STOCK");
        return odd === undefined ? undefined : `a query ended ${odd}`;
      } finally {
        client.close();
      }
    },
  },
  {
    name: "gRPC streams that never send their request",
    transport: "grpc",
    maxMs: () => 10_000,
    async run(ctx) {
      // Node's client assumes 100 streams until the server says otherwise: a hostile client assumes more.
      const session = http2.connect(`http://127.0.0.1:${ctx.grpcPort}`, { peerMaxConcurrentStreams: 10_000 });
      session.on("error", () => {});
      const count = ctx.rng.int(20, 150);
      const streams: http2.ClientHttp2Stream[] = [];
      // Opened at once, before the server's settings arrive: the server itself must refuse the extra ones.
      for (let i = 0; i < count; i++) {
        const stream = session.request(
          {
            ":method": "POST",
            ":path": "/toystore.v1.ToyStore/Buy",
            "content-type": "application/grpc",
            te: "trailers",
          },
          { endStream: false },
        );
        stream.on("error", () => {});
        streams.push(stream);
      }
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
    transport: "grpc",
    maxMs: () => 10_000,
    async run(ctx) {
      const c = await RawSocket.open(ctx.grpcPort);
      try {
        const bytes = ctx.rng.chance(0.5)
          ? Buffer.from("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
          : // At least the preface's length: the server may wait for a shorter prefix to go on.
            ctx.rng.bytes(ctx.rng.int(24, 8192));
        ctx.sent(bytes.length);
        await c.write(bytes);
        return (await c.waitForClose(5000)) ? undefined : "not closed";
      } finally {
        await c.destroy();
      }
    },
  },
  {
    name: "gRPC idle connection",
    transport: "grpc",
    maxMs: () => 5000,
    async run(ctx) {
      const session = http2.connect(`http://127.0.0.1:${ctx.grpcPort}`);
      session.on("error", () => {});
      await pause(ctx.rng.int(100, 2000));
      const closedEarly = session.closed || session.destroyed;
      session.destroy();
      return closedEarly ? "closed by the server before the idle timeout" : undefined;
    },
  },
];
