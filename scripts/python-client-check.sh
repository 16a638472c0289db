#!/bin/sh
# Calls Query and Buy on a running toystore gRPC server from Python, with stubs
# generated from proto/toystore.proto alone: a check that the contract is
# usable from another language. Needs Debian's python3-grpcio and
# python3-grpc-tools (apt-get install python3-grpcio python3-grpc-tools).
# Generated Python goes to a temporary folder and is removed afterwards.
#
#   sh scripts/python-client-check.sh [HOST:PORT] [TOY]     (default 127.0.0.1:50051 Tux)
set -eu

target="${1:-127.0.0.1:50051}"
toy="${2:-Tux}"
root="$(cd "$(dirname "$0")/.." && pwd)"
# Debian's modules live in the system interpreter, not in a pyenv or venv one.
python="${PYTHON:-/usr/bin/python3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

"$python" -m grpc_tools.protoc -I "$root/proto" --python_out="$out" --grpc_python_out="$out" "$root/proto/toystore.proto"

PYTHONPATH="$out" "$python" - "$target" "$toy" <<'PY'
import sys
import grpc
import toystore_pb2 as pb
import toystore_pb2_grpc as rpc

target, toy = sys.argv[1], sys.argv[2]
with grpc.insecure_channel(target) as channel:
    stub = rpc.ToyStoreStub(channel)
    q = stub.Query(pb.QueryRequest(name=toy), timeout=5)
    print(f"Query({toy!r}) -> status={pb.QueryStatus.Name(q.status)} price_cents={q.price_cents} stock={q.stock}")
    b = stub.Buy(pb.BuyRequest(name=toy), timeout=5)
    print(f"Buy({toy!r}) -> status={pb.BuyStatus.Name(b.status)} stock_left={b.stock_left}")
    q = stub.Query(pb.QueryRequest(name="Unicorn"), timeout=5)
    print(f"Query('Unicorn') -> status={pb.QueryStatus.Name(q.status)}")
    try:
        stub.Query(pb.QueryRequest(name=""), timeout=5)
    except grpc.RpcError as error:
        print(f"Query('') -> {error.code().name}: {error.details()}")
PY
