// A client of the standard gRPC health service (grpc.health.v1.Health), and
// what a server says of itself: its gRPC health and its HTTP /readyz.

import * as grpc from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";

type StatusCallback = (error: grpc.ServiceError | null, reply?: { status: string }) => void;

export type HealthClient = grpc.Client & {
  check(request: { service: string }, callback: StatusCallback): void;
  check(request: { service: string }, options: grpc.CallOptions, callback: StatusCallback): void;
  watch(request: { service: string }): grpc.ClientReadableStream<{ status: string }>;
};
export const HealthClient = grpc.makeGenericClientConstructor(healthService, "Health") as unknown as new (
  target: string,
  credentials: grpc.ChannelCredentials,
) => HealthClient;

/** A health client of the server at 127.0.0.1:port (plaintext); close() it when done. */
export function healthClient(port: number): HealthClient {
  return new HealthClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

/** The overall status ("SERVING", "NOT_SERVING"), or "error <code>" when the check fails. */
export function healthStatus(health: HealthClient, timeoutMs: number): Promise<string> {
  return new Promise((resolve) =>
    health.check({ service: "" }, { deadline: Date.now() + timeoutMs }, (error, reply) =>
      resolve(error ? `error ${error.code}` : (reply?.status ?? "none")),
    ),
  );
}

/** GET /readyz on 127.0.0.1:port: its status, or 0 when nothing answers in time. */
export async function readyzStatus(port: number, timeoutMs: number): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
