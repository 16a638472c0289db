// From a request's method and path to its answer: the route (404, 405 with
// Allow), the path parameter decoded, the staff check, the body read, the
// request built and admitted to the worker pool as an HttpTask. A path no
// route has is the storefront's (the course API's answer 404 themselves).
// Every error is written in the shape of the path's family (sendProblemFor):
// RFC 9457 problems, or the course API's.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { WorkerPool } from "../../concurrency/worker-pool.js";
import { isStoreError } from "../../errors.js";
import type { RequestRecorder } from "../../observability/request-recorder.js";
import type { OpName } from "../../service/operations/index.js";
import type { StoreService } from "../../service/store-service.js";
import { type AdminAccess, admitStaff } from "./admin.js";
import { hasBody, readJsonBody } from "./body.js";
import { courseNotFound, isCoursePath, sendProblemFor } from "./course-routes.js";
import { isOperation, type JsonObject, type OperationEndpoint, type ServerState } from "./endpoint.js";
import { HttpTask } from "./http-task.js";
import { problem, problemOf } from "./problem.js";
import type { SendProblem } from "./reply.js";
import { findRoute } from "./routes.js";
import { type StaticFile, serveStorefront } from "./static-files.js";

/** What dispatching needs of the server. */
export interface DispatchContext {
  readonly service: StoreService;
  readonly pool: WorkerPool;
  readonly recorder: RequestRecorder | undefined;
  /** Largest request body, in bytes. */
  readonly maxBodyBytes: number;
  readonly admin: AdminAccess;
  readonly server: ServerState;
  readonly storefront: ReadonlyMap<string, StaticFile>;
}

/** Answers one request whose target passed the server's limits; `path` is the target without its query string. */
export function dispatch(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  context: DispatchContext,
): void {
  const send = sendProblemFor(path);
  const found = findRoute(path);
  if (found === undefined) {
    if (isCoursePath(path)) send(res, courseNotFound(path));
    else serveStorefront(req, res, path, context.storefront);
    return;
  }
  const method = req.method ?? "GET";
  const endpoint = found.route.methods[method];
  if (endpoint === undefined) {
    const allow = Object.keys(found.route.methods).join(", ");
    send(res, problem("method_not_allowed", `${method} is not allowed here`), { allow });
    return;
  }
  const param = decodeParam(found.param);
  if (param === undefined) {
    send(res, problem("bad_request", "the path is not valid URL-encoded UTF-8"));
    return;
  }
  if (!isOperation(endpoint)) {
    endpoint.handle(req, res, context.server);
    return;
  }
  if (endpoint.admin === true && !admitStaff(req, res, context.admin)) return;
  // The endpoint is one operation's; its request and result types go together.
  const operation = endpoint as OperationEndpoint;
  if (endpoint.body === true && hasBody(req))
    readJsonBody(req, res, context.maxBodyBytes, send, (body) =>
      submit(req, res, operation, param, body, context, send),
    );
  else submit(req, res, operation, param, undefined, context, send);
}

/** Builds the request and admits it to the pool; a request that cannot be built is a problem, never run. */
function submit<K extends OpName>(
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: OperationEndpoint<K>,
  param: string,
  body: JsonObject | undefined,
  context: DispatchContext,
  send: SendProblem,
): void {
  const request = endpoint.request(param, body, req);
  if (isStoreError(request)) {
    send(res, problemOf(request));
    return;
  }
  const task = new HttpTask(context.service, request, context.recorder, res, endpoint, send);
  const refusal = context.pool.submit(task);
  if (refusal !== null) task.refuse(refusal);
}

/** A path segment as text; undefined for a malformed escape. */
function decodeParam(segment: string): string | undefined {
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
