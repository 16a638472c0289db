#!/usr/bin/python3
"""The original design's gRPC client: N processes, each with its own channel, sending
sequential Query or Buy calls for random toys, and the mean latency of each.

Modelled on the Toy Store design document's gRPC client: stubs generated from
the original contract (proto/toystore_original.proto: ToyStore.Query and
ToyStore.Buy on ItemName, no package), the multiprocessing library for the
concurrent clients, and time measured around each call. It talks to toystore's
gRPC port, which serves that contract beside toystore.v1.ToyStore.

    /usr/bin/python3 tools/original-clients/grpc_client.py --port 50051 --processes 5
    /usr/bin/python3 tools/original-clients/grpc_client.py --op buy --processes 10 --requests 10

Stubs are generated with grpc_tools.protoc into a temporary folder at start and
removed at the end; --stubs DIR uses stubs generated beforehand instead (from
proto/toystore_original.proto, or the original design's own toystore.proto:
toystore_original_pb2 or toystore_pb2 is imported, whichever DIR holds).

Prints one line per process, then the summary as JSON on the last line:
per-process and overall mean latency in ms, and the answers by outcome
(in_stock, sold_out, not_found; bought, sold_out, not_found) and failures by
gRPC status. Exit 0 when every call was answered (an unknown toy's
INVALID_ARGUMENT "Item not found" is an answer), 1 when some failed, 2 on a
usage error. Needs grpcio and grpcio-tools (Debian: apt-get install
python3-grpcio python3-grpc-tools; a pyenv python3 may lack them, so the
shebang names /usr/bin/python3).
"""

import argparse
import importlib
import json
import multiprocessing
import os
import queue
import random
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ORIGINAL_PROTO = os.path.normpath(os.path.join(HERE, "..", "..", "proto", "toystore_original.proto"))

# The toys of toystore's built-in catalog (src/catalog/default-catalog.ts); Lion is sold out.
DEFAULT_TOYS = ("Tux", "Whale", "Elephant", "Fox", "Python", "Dolphin", "Bird", "Lion")

# The stub module names: ours, then the original design's own (its proto was toystore.proto).
STUB_MODULES = (("toystore_original_pb2", "toystore_original_pb2_grpc"), ("toystore_pb2", "toystore_pb2_grpc"))

# How the server answers an unknown toy on this contract, for Query and Buy alike.
NOT_FOUND_DETAILS = "Item not found"


def positive_int(limit):
    """An argparse type: a whole number from 1 to limit."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = 0
        if not 1 <= value <= limit:
            raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {limit}, got {text!r}")
        return value

    return parse


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="The original design's gRPC client: processes sending sequential calls, mean latency each."
    )
    parser.add_argument("--host", default="127.0.0.1", help="server host (default 127.0.0.1)")
    parser.add_argument("--port", type=positive_int(65535), default=50051, help="gRPC port (default 50051)")
    parser.add_argument("--processes", type=positive_int(1000), default=5, help="client processes (default 5)")
    parser.add_argument(
        "--requests", type=positive_int(1_000_000), default=10, help="sequential calls per process (default 10)"
    )
    parser.add_argument("--op", choices=("query", "buy"), default="query", help="the call to send (default query)")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds each call may take (default 30; the study's work is slow)"
    )
    parser.add_argument("--seed", type=int, default=None, help="seed the toy choice (process i uses seed + i)")
    parser.add_argument("--stubs", default=None, help="a folder of generated stubs to import instead of generating")
    args = parser.parse_args(argv)
    if not 0 < args.timeout <= 3600:
        parser.error(f"--timeout must be from 0 to 3600 seconds, got {args.timeout}")
    if args.stubs is not None and not os.path.isdir(args.stubs):
        parser.error(f"--stubs {args.stubs!r} is not a folder")
    return args


def generate_stubs(out_dir):
    """Compiles proto/toystore_original.proto into out_dir with grpc_tools.protoc."""
    from grpc_tools import protoc

    proto_dir, proto_file = os.path.split(ORIGINAL_PROTO)
    code = protoc.main(
        ["protoc", f"-I{proto_dir}", f"--python_out={out_dir}", f"--grpc_python_out={out_dir}", proto_file]
    )
    if code != 0:
        raise RuntimeError(f"grpc_tools.protoc failed on {ORIGINAL_PROTO}")


def import_stubs(stubs_dir):
    """The message and service modules found in stubs_dir, ours or the original design's."""
    sys.path.insert(0, stubs_dir)
    for messages, services in STUB_MODULES:
        if os.path.exists(os.path.join(stubs_dir, f"{services}.py")):
            pb2, pb2_grpc = importlib.import_module(messages), importlib.import_module(services)
            if hasattr(pb2, "ItemName") and hasattr(pb2_grpc, "ToyStoreStub"):
                return pb2, pb2_grpc
    names = " or ".join(f"{services}.py" for _, services in STUB_MODULES)
    raise RuntimeError(f"{stubs_dir} holds no stubs of the original ToyStore ({names} with ItemName)")


def run_client(index, args, stubs_dir, results):
    """One client process: its own channel, `requests` sequential calls, latency of each."""
    import grpc

    pb2, pb2_grpc = import_stubs(stubs_dir)
    chooser = random.Random(None if args.seed is None else args.seed + index)
    latencies_ms = []
    outcomes = {}
    failures = {}
    with grpc.insecure_channel(f"{args.host}:{args.port}") as channel:
        stub = pb2_grpc.ToyStoreStub(channel)
        call = stub.Query if args.op == "query" else stub.Buy
        for _ in range(args.requests):
            toy = chooser.choice(DEFAULT_TOYS)
            started = time.perf_counter()
            try:
                reply = call(pb2.ItemName(name=toy), timeout=args.timeout)
                outcome = outcome_of(args.op, reply)
            except grpc.RpcError as error:
                if error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details() == NOT_FOUND_DETAILS:
                    outcome = "not_found"
                else:
                    outcome = None
                    key = error.code().name
                    failures[key] = failures.get(key, 0) + 1
            latencies_ms.append((time.perf_counter() - started) * 1000)
            if outcome is not None:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    results.put({"process": index, "latencies_ms": latencies_ms, "outcomes": outcomes, "failures": failures})


def outcome_of(op, reply):
    """What an answered call says: a sold-out Item has stock 0; a BuyResponse status 1 bought, 0 sold out."""
    if op == "query":
        return "in_stock" if reply.stock > 0 else "sold_out"
    return {1: "bought", 0: "sold_out"}.get(reply.status, f"status {reply.status}")


def add_counts(total, counts):
    for key, count in counts.items():
        total[key] = total.get(key, 0) + count


def run(args, stubs_dir):
    """Starts the processes together, waits for each, and returns the summary."""
    # spawn, not fork: grpc's threads and channels must never be inherited across a fork.
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [
        context.Process(target=run_client, args=(index, args, stubs_dir, results)) for index in range(args.processes)
    ]
    for process in processes:
        process.start()
    reports = []
    # Read before joining: a child does not exit while its result is unread in the pipe.
    while len(reports) < len(processes):
        if not any(process.is_alive() for process in processes) and results.empty():
            break
        try:
            reports.append(results.get(timeout=1))
        except queue.Empty:  # a child still working, or one that died
            continue
    for process in processes:
        process.join()
    crashed = args.processes - len(reports)
    outcomes, failures = {}, {}
    latencies = []
    # Process i's mean at index i; None for a process that died without reporting.
    per_process = [None] * args.processes
    for report in reports:
        add_counts(outcomes, report["outcomes"])
        add_counts(failures, report["failures"])
        latencies.extend(report["latencies_ms"])
        per_process[report["process"]] = round(sum(report["latencies_ms"]) / len(report["latencies_ms"]), 3)
    if crashed:
        failures["process_crashed"] = crashed
    return {
        "target": f"{args.host}:{args.port}",
        "op": args.op,
        "processes": args.processes,
        "requests": args.requests,
        "per_process_mean_ms": per_process,
        "mean_ms": round(sum(latencies) / len(latencies), 3) if latencies else None,
        "calls": len(latencies),
        "outcomes": outcomes,
        "failures": failures,
    }


def main(argv):
    args = parse_args(argv)
    own_stubs = args.stubs is None
    stubs_dir = tempfile.mkdtemp(prefix="toystore-original-stubs-") if own_stubs else os.path.abspath(args.stubs)
    try:
        try:
            import grpc  # noqa: F401  (checked here, once, for a clear message)

            if own_stubs:
                generate_stubs(stubs_dir)
            import_stubs(stubs_dir)
        except ImportError as error:
            print(
                f"grpc_client: {error}: needs grpcio and grpcio-tools"
                " (Debian: apt-get install python3-grpcio python3-grpc-tools)",
                file=sys.stderr,
            )
            return 1
        except RuntimeError as error:
            print(f"grpc_client: {error}", file=sys.stderr)
            return 1
        summary = run(args, stubs_dir)
    finally:
        if own_stubs:
            shutil.rmtree(stubs_dir, ignore_errors=True)
    for index, mean in enumerate(summary["per_process_mean_ms"]):
        if mean is None:
            print(f"process {index}: died before reporting")
        else:
            print(f"process {index}: mean latency {mean:.3f} ms over {args.requests} {args.op} calls")
    print(json.dumps(summary, sort_keys=True))
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
