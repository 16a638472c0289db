// The minimal Node `http` server: the runtime's ceiling for the HTTP transport.
//
// It does what any keep-alive HTTP/1.1 JSON server must (Node's parser, one
// response per request, Content-Length, keep-alive) and nothing else: no
// routing beyond two paths, no catalog, no pool, no lock. Its query answer is
// byte for byte our server's for Tux in an unlimited catalog, and its buy
// answer has the same shape, so both put the same bytes on the wire. Our HTTP
// server is reported as a ratio to it.
//
// Run: node --import tsx tools/baselines/http-baseline.ts [--port 0] [--host 127.0.0.1]

import http from "node:http";
import {
  isMainModule,
  type ListenOptions,
  listenTracked,
  type RunningServer,
  runBaselineMain,
} from "./baseline-args.js";

/** What our server answers to GET /api/toys/Tux with the comparison's catalog (unlimitedCatalog): the same bytes. */
export const QUERY_BODY = Buffer.from(
  '{"name":"Tux","price":"19.99","priceCents":1999,"stock":1000000000000000}',
);
/** Shaped like our server's buy answer, constant. */
export const BUY_BODY = Buffer.from(
  '{"toy":"Tux","price":"19.99","priceCents":1999,"stockLeft":99,"orderId":"12","quantity":1,"unitPrice":"19.99","unitPriceCents":1999}',
);
const NOT_FOUND_BODY = Buffer.from(
  '{"type":"urn:toystore:problem:not_found","title":"Not found","status":404}',
);

/** The headers our server sends, in the same order (Node adds Date, Connection and Keep-Alive). */
function send(res: http.ServerResponse, status: number, type: string, body: Buffer): void {
  res.writeHead(status, { "content-type": type, "content-length": body.length });
  res.end(body);
}

/** Starts the baseline; resolves once it is listening. */
export function startHttpBaseline(options: ListenOptions): Promise<RunningServer> {
  // Node's defaults otherwise; keep-alive is HTTP/1.1's (idle connections close after 5 s, as ours).
  const server = http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/api/toys/Tux") {
      send(res, 200, "application/json", QUERY_BODY);
    } else if (req.method === "POST" && req.url === "/api/toys/Tux/buy") {
      // Answered at once, as ours does: a buy has no body (Node discards any unread).
      send(res, 200, "application/json", BUY_BODY);
    } else {
      send(res, 404, "application/problem+json", NOT_FOUND_BODY);
    }
  });
  // A reset peer is normal under load: nothing to report.
  server.on("clientError", (_error, socket) => socket.destroy());
  return listenTracked(server, options);
}

if (isMainModule(import.meta.url)) {
  await runBaselineMain("http-baseline", startHttpBaseline);
}
