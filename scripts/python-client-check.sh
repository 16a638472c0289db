#!/bin/sh
# Calls every method (Query, Buy of one and of two units, GetOrder, ListToys)
# on a running toystore gRPC server from Python, with stubs generated from
# proto/toystore.proto alone: a check that the contract is usable from another
# language. It buys three units of TOY, and fails (exit 1) when the answers
# disagree with each other (an order that does not say what its buy said). Needs Debian's python3-grpcio and
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
    b = stub.Buy(pb.BuyRequest(name=toy, quantity=2), timeout=5)
    print(
        f"Buy({toy!r}, quantity=2) -> status={pb.BuyStatus.Name(b.status)} order_id={b.order_id!r}"
        f" unit_price_cents={b.unit_price_cents} quantity={b.quantity} stock_left={b.stock_left}"
    )
    if b.status == pb.BUY_STATUS_BOUGHT:
        o = stub.GetOrder(pb.GetOrderRequest(order_id=b.order_id), timeout=5)
        print(
            f"GetOrder({b.order_id!r}) -> status={pb.OrderStatus.Name(o.status)} toy={o.order.toy!r}"
            f" quantity={o.order.quantity} unit_price_cents={o.order.unit_price_cents} time={o.order.time}"
        )
        assert o.status == pb.ORDER_STATUS_FOUND and o.order.order_id == b.order_id, "the order is not found"
        assert (o.order.quantity, o.order.unit_price_cents) == (2, b.unit_price_cents), "the order differs"
    o = stub.GetOrder(pb.GetOrderRequest(order_id="999999999"), timeout=5)
    print(f"GetOrder('999999999') -> status={pb.OrderStatus.Name(o.status)}")
    toys = stub.ListToys(pb.ListToysRequest(), timeout=5).toys
    print(f"ListToys() -> {len(toys)} toys: " + ", ".join(f"{t.name} {t.price_cents} {t.stock}" for t in toys))
    assert any(t.name.lower() == toy.strip().lower() for t in toys), f"{toy!r} is not in the list"
    q = stub.Query(pb.QueryRequest(name="Unicorn"), timeout=5)
    print(f"Query('Unicorn') -> status={pb.QueryStatus.Name(q.status)}")
    try:
        stub.Query(pb.QueryRequest(name=""), timeout=5)
    except grpc.RpcError as error:
        print(f"Query('') -> {error.code().name}: {error.details()}")
PY
