#!/usr/bin/env python3
"""The Toy Store design document's socket client (its part 1), as it was written.

Python 3 standard library only (socket, multiprocessing). N client processes
run at once (--processes, default 5); each sends --requests (default 10)
requests one after the other, of --op query or buy, each for a toy picked at
random from the default catalog. Every request opens a NEW TCP connection,
sends ONE message "query: <toy>" (or "buy: <toy>") with no line end, reads the
answer with a single recv(1024), and closes. A multiprocessing manager
collects each process's latencies, as the original did.

Prints one line per process (its mean latency in ms), then the whole run as
JSON on the last line:

    {"op": "query", "processes": 5, "requests": 10, "perProcessMeanMs": [...],
     "meanMs": 1.23, "answers": {"price": 40, "0": 5, "-1": 0, "ERR": 0}, "failures": 0}

Exits 1 when a request could not be made (no server, connection reset).

    python3 tools/original-clients/socket_client.py --port 7071 --processes 5 --requests 10 --op query
"""

import argparse
import json
import multiprocessing
import random
import socket
import sys
import time

# toystore's default catalog (src/catalog/default-catalog.ts): Lion is sold out.
DEFAULT_TOYS = ["Tux", "Whale", "Elephant", "Fox", "Python", "Dolphin", "Bird", "Lion"]


def ask(host, port, message, timeout):
    """One request as the original client made it: connect, one message, one recv(1024)."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(message.encode("utf-8"))
        return sock.recv(1024).decode("utf-8", errors="replace")


def kind_of(answer):
    """What an answer says: a price, 0, -1, 1 (bought) or an ERR."""
    if answer.startswith("ERR"):
        return "ERR"
    if answer in ("0", "-1", "1"):
        return answer
    try:
        float(answer)
        return "price"
    except ValueError:
        return "unexpected"


def run_client(index, args, results):
    """One client process: its requests in sequence, its latencies (ms) and answers into the manager's dict."""
    rng = random.Random(args.seed * 1000 + index)
    latencies, answers, failures = [], [], 0
    for _ in range(args.requests):
        toy = rng.choice(args.toys)
        start = time.perf_counter()
        try:
            answer = ask(args.host, args.port, f"{args.op}: {toy}", args.timeout)
        except OSError as error:
            failures += 1
            print(f"client {index}: {args.op} {toy} failed: {error}", file=sys.stderr)
            continue
        latencies.append((time.perf_counter() - start) * 1000)
        answers.append(kind_of(answer))
    results[index] = {"latencies": latencies, "answers": answers, "failures": failures}


def parse_args(argv):
    parser = argparse.ArgumentParser(description="The original design's socket client, with latency per process.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7071, help="toystore serve's --original-socket-port (default 7071)")
    parser.add_argument("--processes", type=int, default=5, help="client processes at once (default 5)")
    parser.add_argument("--requests", type=int, default=10, help="requests per process, one after the other (default 10)")
    parser.add_argument("--op", choices=["query", "buy"], default="query")
    parser.add_argument("--toys", type=lambda text: text.split(","), default=DEFAULT_TOYS,
                        help="comma-separated toy names to pick from (default: the default catalog)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds a request may take (default 10)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.processes < 1 or args.requests < 1:
        parser.error("--processes and --requests must be at least 1")
    return args


def mean(values):
    return round(sum(values) / len(values), 3) if values else None


def main(argv):
    args = parse_args(argv)
    with multiprocessing.Manager() as manager:
        results = manager.dict()
        clients = [multiprocessing.Process(target=run_client, args=(i, args, results)) for i in range(args.processes)]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        runs = [results.get(i, {"latencies": [], "answers": [], "failures": args.requests}) for i in range(args.processes)]
    per_process = [mean(run["latencies"]) for run in runs]
    for i, value in enumerate(per_process):
        print(f"client {i}: mean latency {value} ms over {len(runs[i]['latencies'])} requests")
    answers = {}
    for run in runs:
        for kind in run["answers"]:
            answers[kind] = answers.get(kind, 0) + 1
    failures = sum(run["failures"] for run in runs)
    summary = {
        "op": args.op,
        "processes": args.processes,
        "requests": args.requests,
        "perProcessMeanMs": per_process,
        "meanMs": mean([ms for run in runs for ms in run["latencies"]]),
        "answers": answers,
        "failures": failures,
    }
    print(json.dumps(summary), flush=True)
    return 1 if failures > 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
