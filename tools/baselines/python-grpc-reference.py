#!/usr/bin/python3
"""The Python grpcio reference server: a gRPC server shaped like the original design's.

The Toy Store design document serves toystore.v1.ToyStore with grpcio on a
ThreadPoolExecutor of 10 workers, a dict catalog and one lock around every
request. This does the same (no simulated work unless --work-ms is given), so
"gRPC Query >= 3x the Python reference" can be measured side by side.

Needs Debian's grpcio (the pyenv python on the study machines lacks it):
    apt-get install -y python3-grpcio python3-grpc-tools
    /usr/bin/python3 tools/baselines/python-grpc-reference.py --port 0
Prints "python-grpc-reference listening on 127.0.0.1:PORT" once bound; stops on SIGINT/SIGTERM.
"""

import argparse
import importlib
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from concurrent import futures

import grpc
from grpc_tools import protoc

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT_PROTO = os.path.join(HERE, "..", "..", "proto", "toystore.proto")


def generate_stubs(proto_path):
    """Compiles the proto into a temp dir and imports the two generated modules."""
    out = tempfile.mkdtemp(prefix="python-grpc-reference-stubs-")
    proto_dir, proto_file = os.path.split(os.path.abspath(proto_path))
    # Copy under a fixed name so the generated module names do not depend on the source file.
    shutil.copy(os.path.join(proto_dir, proto_file), os.path.join(out, "toystore.proto"))
    include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    code = protoc.main(["protoc", f"-I{out}", f"-I{include}", f"--python_out={out}",
                        f"--grpc_python_out={out}", os.path.join(out, "toystore.proto")])
    if code != 0:
        sys.exit(f"protoc failed on {proto_path}")
    sys.path.insert(0, out)
    return out, importlib.import_module("toystore_pb2"), importlib.import_module("toystore_pb2_grpc")


def make_servicer(pb2, pb2_grpc, work_s):
    class ToyStore(pb2_grpc.ToyStoreServicer):
        """One lock around the catalog, as the original design has; the work sleeps inside it."""

        def __init__(self):
            self.lock = threading.Lock()
            # Name -> [price in cents, stock]; stock large enough that a benchmark never sells out.
            self.catalog = {"tux": [1999, 10**9], "whale": [3499, 10**9]}

        def _locked(self, request, answer):
            """One lock around the whole request, with the work inside it, as the original design has."""
            with self.lock:
                if work_s:
                    time.sleep(work_s)
                return answer(self.catalog.get(request.name.strip().lower()))

        def Query(self, request, context):
            def answer(toy):
                if toy is None:
                    return pb2.QueryResponse(status=pb2.QUERY_STATUS_NOT_FOUND)
                if toy[1] <= 0:
                    return pb2.QueryResponse(status=pb2.QUERY_STATUS_SOLD_OUT)
                return pb2.QueryResponse(status=pb2.QUERY_STATUS_IN_STOCK, price_cents=toy[0], stock=toy[1])

            return self._locked(request, answer)

        def Buy(self, request, context):
            def answer(toy):
                if toy is None:
                    return pb2.BuyResponse(status=pb2.BUY_STATUS_NOT_FOUND)
                if toy[1] <= 0:
                    return pb2.BuyResponse(status=pb2.BUY_STATUS_SOLD_OUT)
                toy[1] -= 1
                return pb2.BuyResponse(status=pb2.BUY_STATUS_BOUGHT, stock_left=toy[1])

            return self._locked(request, answer)

    return ToyStore()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = a free port")
    parser.add_argument("--workers", type=int, default=10, help="ThreadPoolExecutor size (original design: 10)")
    parser.add_argument("--work-ms", type=float, default=0, help="simulated work inside the lock")
    parser.add_argument("--proto", default=PROJECT_PROTO)
    args = parser.parse_args()

    stub_dir, pb2, pb2_grpc = generate_stubs(args.proto)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=args.workers))
    pb2_grpc.add_ToyStoreServicer_to_server(make_servicer(pb2, pb2_grpc, args.work_ms / 1000), server)
    port = server.add_insecure_port(f"{args.host}:{args.port}")
    if port == 0:
        sys.exit(f"could not bind {args.host}:{args.port}")
    server.start()
    print(f"python-grpc-reference listening on {args.host}:{port}", flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    server.stop(grace=1).wait()
    shutil.rmtree(stub_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
