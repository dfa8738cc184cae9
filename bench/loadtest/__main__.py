"""`python -m bench.loadtest`: the load test alone, on a stack it starts and stops.

Starts the real stack (backend, action server, Rasa server, desk) on free loopback ports
with its state in a temp dir, runs CONVERSATIONS conversations of 5 messages at once
through the REST channel, stops the stack and prints the load-test rows of the bench
table (and the stock baseline's, with --baseline-model). Needs a trained model.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import report
from bench.loadtest.client import warm_up
from bench.loadtest.counts import LoadTestResult
from bench.loadtest.rows import loadtest_notes, loadtest_rows
from bench.loadtest.scenario import CONVERSATIONS, TIME_LIMIT, run_on_stack
from bench.metrics import load_average, machine_header
from zhike.tools.stack import PROJECT_ROOT, Stack, StackConfig, StackError

STACK_START_TIMEOUT = 600.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.loadtest",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=PROJECT_ROOT / "models" / "zhike.tar.gz",
        help="trained zhike model (default models/zhike.tar.gz)",
    )
    parser.add_argument("--baseline-model", type=Path, help="also load-test this model")
    parser.add_argument(
        "--conversations", type=int, default=CONVERSATIONS, help="conversations at once"
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=TIME_LIMIT,
        help="seconds for the whole run; then requests in flight are cancelled",
    )
    parser.add_argument(
        "--workdir", type=Path, help="keep the stacks' state and logs here (default: temp dir)"
    )
    args = parser.parse_args(argv)
    if args.conversations < 1:
        parser.error("--conversations must be at least 1")
    return args


def log(message: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_test_model(
    name: str, model: Path, state_dir: Path, conversations: int, time_limit: float
) -> tuple[LoadTestResult, list[str]]:
    """Starts a stack for ``model``, warms it up, runs the load test on it, stops it.

    Returns the result and the warm-up's replies (one line per script).
    """
    stack = Stack(StackConfig.on_free_ports(model.resolve(), state_dir))
    log(f"{name}: starting the stack (logs in {state_dir / 'logs'})")
    stack.start(timeout=STACK_START_TIMEOUT)
    try:
        log(f"{name}: warm-up, each script once")
        warm = [f"{name} warm-up: {line}" for line in asyncio.run(warm_up(stack.config.rasa_url))]
        log(f"{name}: {conversations} conversations at once ...")
        result = run_on_stack(stack, conversations, time_limit)
        dead = [service.name for service in stack.dead_services()]
        if dead:
            log(f"{name}: services died during the load test: {dead}")
    finally:
        stack.stop()
    log(
        f"{name}: {result.answered}/{result.planned} answered, {result.empty_replies} empty, "
        f"{result.action_failures.count if result.action_failures else '?'} failed actions, "
        f"p99 {result.p99 or 0:.0f} ms"
    )
    return result, warm


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="zhike-loadtest-"))).resolve()
    models = {"zhike": args.model, "baseline": args.baseline_model}
    results: dict[str, LoadTestResult | None] = {"zhike": None, "baseline": None}
    header = [
        "zhike load test",
        *machine_header(),
        f"settings: {args.conversations} conversations x 5 messages at once over REST, "
        f"time limit {args.time_limit:.0f} s",
    ]
    failures = []
    loads = []
    warm_lines: list[str] = []
    try:
        for name, model in models.items():
            if model is None:
                continue
            loads.append(load_average())
            try:
                results[name], warm = load_test_model(
                    name, model, workdir / f"stack-{name}", args.conversations, args.time_limit
                )
                warm_lines += warm
            except StackError as error:
                failures.append(f"FAILED {name}: {str(error).splitlines()[0]}")
                log(f"FAILED {name}: {error}")
        loads.append(load_average())
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    notes = loadtest_notes(results)
    if args.baseline_model is None:
        notes.append("baseline not load-tested (no --baseline-model)")
    notes.append("1-min load average before/after: " + ", ".join(f"{v:.2f}" for v in loads))
    notes += warm_lines
    rows = loadtest_rows(results["zhike"], results["baseline"])
    print(report.render(header, rows, notes + failures), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
