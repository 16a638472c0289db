#!/bin/sh
# Calls the original design's ToyStore (/ToyStore/Query and /ToyStore/Buy) on a
# running toystore gRPC server from Python, with stubs generated from
# proto/toystore_original.proto alone, as the original design's clients were
# built: a check that those clients work unchanged. It buys every unit of TOY
# (which must have at most 1000 in stock), and fails (exit 1) when the answers
# disagree with each other. Needs Debian's python3-grpcio and python3-grpc-tools
# (apt-get install python3-grpcio python3-grpc-tools). Generated Python goes to
# a temporary folder and is removed afterwards.
#
#   sh scripts/python-original-client-check.sh [HOST:PORT] [TOY]     (default 127.0.0.1:50051 Tux)
set -eu

target="${1:-127.0.0.1:50051}"
toy="${2:-Tux}"
root="$(cd "$(dirname "$0")/.." && pwd)"
# Debian's modules live in the system interpreter, not in a pyenv or venv one.
python="${PYTHON:-/usr/bin/python3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

"$python" -m grpc_tools.protoc -I "$root/proto" --python_out="$out" --grpc_python_out="$out" \
  "$root/proto/toystore_original.proto"

PYTHONPATH="$out" PYTHONDONTWRITEBYTECODE=1 "$python" - "$target" "$toy" <<'PY'
import sys
import grpc
import toystore_original_pb2 as pb
import toystore_original_pb2_grpc as rpc

target, toy = sys.argv[1], sys.argv[2]


def failed(call, *args):
    """The status of a call expected to fail: code, details and the toystore trailers."""
    try:
        call(*args, timeout=5)
    except grpc.RpcError as error:
        trailers = {key: value for key, value in error.trailing_metadata() if key.startswith("toystore-")}
        return f"{error.code().name}: {error.details()} {trailers}"
    raise AssertionError(f"{call} succeeded")


with grpc.insecure_channel(target) as channel:
    stub = rpc.ToyStoreStub(channel)
    item = stub.Query(pb.ItemName(name=toy), timeout=5)
    print(f"Query({toy!r}) -> name={item.name!r} price={item.price!r} stock={item.stock}")
    stock = item.stock
    assert stock <= 1000, f"{toy!r} has {stock} in stock: this check buys them all, give one with at most 1000"
    for _ in range(stock):
        reply = stub.Buy(pb.ItemName(name=toy), timeout=5)
        assert reply.status == 1, f"a buy answered status {reply.status} with stock left"
    reply = stub.Buy(pb.ItemName(name=toy), timeout=5)
    print(f"Buy({toy!r}) -> status=1 x{stock}, then status={reply.status}")
    assert reply.status == 0, "a buy of a sold-out toy answers status 0"
    item = stub.Query(pb.ItemName(name=toy), timeout=5)
    print(f"Query({toy!r}) -> name={item.name!r} price={item.price!r} stock={item.stock}")
    assert item.stock == 0, "a sold-out toy has stock 0"
    print(f"Query('Unicorn') -> {failed(stub.Query, pb.ItemName(name='Unicorn'))}")
    print(f"Buy('Unicorn') -> {failed(stub.Buy, pb.ItemName(name='Unicorn'))}")
    print(f"Query('') -> {failed(stub.Query, pb.ItemName(name=''))}")
PY
