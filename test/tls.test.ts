// HTTP and gRPC over TLS, with a self-signed certificate made for the test:
// a client that trusts it is answered; a plaintext client is not.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { get } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { DEFAULT_CATALOG } from "../src/catalog/default-catalog.js";
import { InMemoryCatalog } from "../src/catalog/memory-store.js";
import { StoreService } from "../src/service/store-service.js";
import { loadToyStoreContract } from "../src/transport/grpc/contract.js";
import { type GrpcServerHandle, startGrpcServer } from "../src/transport/grpc/grpc-server.js";
import { type HttpServerHandle, startHttpServer } from "../src/transport/http/http-server.js";

const run = promisify(execFile);

describe("TLS", () => {
  let dir: string;
  let tls: { cert: string; key: string };
  let http: HttpServerHandle;
  let grpcServer: GrpcServerHandle;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "toystore-tls-"));
    const [cert, key] = [join(dir, "cert.pem"), join(dir, "key.pem")];
    await run("openssl", [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"],
      ...["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
    ]);
    tls = { cert: await readFile(cert, "utf8"), key: await readFile(key, "utf8") };
    const service = new StoreService(new InMemoryCatalog(DEFAULT_CATALOG));
    http = await startHttpServer({ service, port: 0, tls });
    grpcServer = await startGrpcServer({ service, port: 0, tls });
  });
  after(async () => {
    await http?.close(0);
    await grpcServer?.close(0);
    await rm(dir, { recursive: true, force: true });
  });

  it("serves HTTPS to a client that trusts the certificate, and nothing in plaintext", async () => {
    const body = await new Promise<string>((resolve, reject) => {
      get(`https://127.0.0.1:${http.address.port}/api/toys/Tux`, { ca: tls.cert }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve(text));
      }).on("error", reject);
    });
    assert.equal((JSON.parse(body) as { name: string }).name, "Tux");
    await assert.rejects(fetch(`http://127.0.0.1:${http.address.port}/api/toys/Tux`));
  });

  it("serves gRPC over TLS to a client that trusts the certificate", async () => {
    const { ToyStore } = loadToyStoreContract().proto.toystore.v1;
    const target = `127.0.0.1:${grpcServer.address.port}`;
    const secure = new ToyStore(target, grpc.credentials.createSsl(Buffer.from(tls.cert)));
    const answer = await new Promise<{ status: string; stock: number }>((resolve, reject) =>
      secure.Query({ name: "Tux" }, (error, response) =>
        error || response === undefined
          ? reject(error)
          : resolve(response as unknown as { status: string; stock: number }),
      ),
    );
    assert.equal(answer.stock, 100);
    secure.close();
    const plain = new ToyStore(target, grpc.credentials.createInsecure());
    await assert.rejects(
      new Promise((resolve, reject) =>
        plain.Query({ name: "Tux" }, { deadline: Date.now() + 2000 }, (error, response) =>
          error ? reject(error) : resolve(response),
        ),
      ),
    );
    plain.close();
  });
});
