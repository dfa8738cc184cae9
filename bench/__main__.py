"""`python -m bench`: zhike vs. a stock Rasa baseline, measured in one run, one table.

Steps (each model in turn, same machine, same process, same load script):
1. fresh training into a temp dir (wall clock), 2. `rasa test nlu` on tests/nlu,
3. start the real stack (backend, action server, Rasa) on free loopback ports,
4. /model/parse latency (1 client, sequential), out-of-scope false accepts (if
../shared/eval exists), REST load at 1/10/50 concurrent conversations while the Rasa
server's RSS is sampled every 100 ms; 5. the load test (bench.loadtest): 200 scripted
conversations x 5 messages at once, counting empty replies, failed action calls and how
overload is signalled; 6. stop the stack. Then the table is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from bench import load, report, texts
from bench.loadtest.rows import loadtest_notes, loadtest_rows
from bench.loadtest.scenario import TIME_LIMIT, run_on_stack
from bench.metrics import PeakRss, load_average, machine_header
from bench.train import (
    BASELINE_CONFIG,
    ZHIKE_CONFIG,
    BenchError,
    evaluate_nlu,
    fallback_threshold,
    quick_config,
    train_model,
)
from zhike.tools.stack import PROJECT_ROOT, Stack, StackConfig, StackError


@dataclass(frozen=True)
class Profile:
    """How much work each phase does."""

    epochs: int | None  # cap on every epoch count (None: the configs as they are)
    parse_requests: int
    parse_warmup: int
    oos_count: int
    warmup_seconds: float
    rest_seconds: float
    load_conversations: int  # the load test's conversations at once (0: no load test)


# Seconds the three services may take to answer their health URL (slow on a busy machine).
STACK_START_TIMEOUT = 600.0

FULL = Profile(None, 300, 20, 300, 5.0, 20.0, 200)
QUICK = Profile(5, 60, 5, 50, 1.0, 4.0, 20)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="development run: epochs capped at 5, short load phases (QUICK)",
    )
    parser.add_argument(
        "--skip-train",
        action="store_true",
        help="reuse --zhike-model and --baseline-model instead of training",
    )
    parser.add_argument("--zhike-model", type=Path, help="trained zhike model (.tar.gz)")
    parser.add_argument("--baseline-model", type=Path, help="trained baseline model (.tar.gz)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).parent / "results.md",
        help="also write the table as Markdown here (default bench/results.md)",
    )
    parser.add_argument("--duration", type=float, help="seconds per REST concurrency level")
    parser.add_argument("--levels", default="1,10,50", help="REST concurrency levels")
    parser.add_argument(
        "--repeat", type=int, default=1, help="REST runs per level; the table shows the median"
    )
    parser.add_argument(
        "--load-conversations",
        type=int,
        help="load test: conversations x 5 messages at once (default 200, --quick 20; 0 skips)",
    )
    parser.add_argument(
        "--load-time-limit",
        type=float,
        default=TIME_LIMIT,
        help="load test: seconds for the whole run (then what is in flight is cancelled)",
    )
    parser.add_argument(
        "--eval-dir",
        type=Path,
        default=texts.DEFAULT_EVAL_DIR,
        help="shared evaluation corpora (optional OOS rows)",
    )
    parser.add_argument(
        "--workdir", type=Path, help="keep models, logs and reports here instead of a temp dir"
    )
    args = parser.parse_args(argv)
    if args.skip_train and not (args.zhike_model and args.baseline_model):
        parser.error("--skip-train needs --zhike-model and --baseline-model")
    return args


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def _load_phase(
    result: report.ModelResult,
    url: str,
    profile: Profile,
    levels: list[int],
    repeat: int,
    held_out: list[str],
    oos: list[str] | None,
    threshold: float,
    token: str,
) -> None:
    requests = max(profile.parse_requests, 0)
    result.parse = await load.parse_latency(url, held_out, requests, profile.parse_warmup, token)
    log(
        f"{result.name}: /model/parse p50 {result.parse.p50:.1f} ms over "
        f"{len(result.parse.latencies_ms)} requests"
    )
    if oos is not None:
        result.oos = await load.oos_false_accepts(url, oos, threshold, token)
        log(f"{result.name}: OOS false accepts {result.oos.false_accepts}/{result.oos.sent}")
    result.probe_reply = await load.warm_up(url, profile.warmup_seconds, texts.ORDER_PROBE)
    for level in levels:
        for _ in range(repeat):
            result.load_during.append(load_average())
            samples = await load.rest_load(url, level, profile.rest_seconds)
            result.rest.setdefault(level, []).append(samples)
            log(
                f"{result.name}: REST {level} conc.: {samples.throughput or 0:.1f} msg/s, "
                f"p99 {samples.p99 or 0:.0f} ms, {samples.errors} errors"
            )
    result.load_during.append(load_average())


def measure_serving(
    result: report.ModelResult,
    model: Path,
    state_dir: Path,
    profile: Profile,
    levels: list[int],
    repeat: int,
    oos: list[str] | None,
    threshold: float,
    load_time_limit: float = TIME_LIMIT,
) -> None:
    """Starts the stack for ``model``, runs every load phase, stops the stack."""
    stack = Stack(StackConfig.on_free_ports(model.resolve(), state_dir))
    log(f"{result.name}: starting the stack (logs in {state_dir / 'logs'})")
    stack.start(timeout=STACK_START_TIMEOUT)
    try:
        rasa = next(s for s in stack.services if s.name == "rasa")
        assert rasa.process is not None
        sampler = PeakRss(rasa.process.pid).start()
        try:
            asyncio.run(
                _load_phase(
                    result,
                    stack.config.rasa_url,
                    profile,
                    levels,
                    repeat,
                    texts.held_out_texts(),
                    oos,
                    threshold,
                    stack.config.rasa_token,
                )
            )
        finally:
            result.peak_rss_mb = sampler.stop()
        if profile.load_conversations > 0 and not stack.dead_services():
            log(f"{result.name}: load test, {profile.load_conversations} conversations at once")
            result.loadtest = run_on_stack(stack, profile.load_conversations, load_time_limit)
            failures = result.loadtest.action_failures
            log(
                f"{result.name}: load test: {result.loadtest.empty_replies} empty replies, "
                f"{failures.count if failures else '?'} failed action calls, "
                f"p99 {result.loadtest.p99 or 0:.0f} ms"
            )
        dead = [s.name for s in stack.dead_services()]
        if dead:
            raise BenchError(f"{result.name}: services died during the load: {dead}")
    finally:
        stack.stop()


def run(args: argparse.Namespace, workdir: Path) -> tuple[list[str], list[report.Row], list[str]]:
    profile = QUICK if args.quick else FULL
    if args.duration:
        profile = replace(profile, rest_seconds=args.duration)
    if args.load_conversations is not None:
        profile = replace(profile, load_conversations=max(args.load_conversations, 0))
    levels = [int(level) for level in args.levels.split(",") if level.strip()]
    title = "zhike benchmark" + (
        " -- QUICK RUN (development only, not comparable)" if args.quick else ""
    )
    header = [
        title,
        *machine_header(),
        f"settings: REST {profile.rest_seconds:.0f} s per level x {args.repeat}, "
        f"parse {profile.parse_requests} requests after {profile.parse_warmup} warm-up, "
        f"epochs {'capped at ' + str(profile.epochs) if profile.epochs else 'as configured'}, "
        f"load test {profile.load_conversations} conversations x 5 messages at once",
    ]
    for line in header:
        log(line)
    configs = {"zhike": ZHIKE_CONFIG, "baseline": BASELINE_CONFIG}
    if profile.epochs:
        configs = {
            name: quick_config(path, workdir / "configs" / f"{name}.yml", profile.epochs)
            for name, path in configs.items()
        }
    results = {name: report.ModelResult(name) for name in configs}
    models = {"zhike": args.zhike_model, "baseline": args.baseline_model}
    failures: list[str] = []
    if not args.skip_train:
        for name, config in configs.items():
            log(f"{name}: training fresh from {config} ...")
            models[name], results[name].train_seconds = train_model(config, name, workdir)
            log(f"{name}: trained in {results[name].train_seconds:.1f} s")
    for name, result in results.items():
        log(f"{name}: rasa test nlu on tests/nlu ...")
        result.nlu = evaluate_nlu(models[name], name, workdir)
    oos_pairs = texts.oos_utterances(args.eval_dir, profile.oos_count)
    if oos_pairs is None:
        log(f"no OOS corpus at {args.eval_dir / texts.CAIS_TEST}: skipping the OOS row")
    for name, result in results.items():
        oos = None if oos_pairs is None else [text for text, _ in oos_pairs]
        try:
            measure_serving(
                result,
                models[name],
                workdir / f"stack-{name}",
                profile,
                levels,
                args.repeat,
                oos,
                fallback_threshold(configs[name]),
                args.load_time_limit,
            )
        except (BenchError, StackError) as error:
            failures.append(f"{name}: {error}")
            log(f"FAILED {name}: {error}")
    rows = report.build_rows(results["zhike"], results["baseline"], levels)
    rows += loadtest_rows(results["zhike"].loadtest, results["baseline"].loadtest)
    notes = report.notes(results["zhike"], results["baseline"])
    notes += loadtest_notes({name: result.loadtest for name, result in results.items()})
    if args.skip_train:
        notes.append(f"training skipped (--skip-train): {models['zhike']}, {models['baseline']}")
    notes += [f"FAILED {failure.splitlines()[0]}" for failure in failures]
    return header, rows, notes


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="zhike-bench-"))
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        header, rows, notes = run(args, workdir)
    except BenchError as error:
        log(f"FAILED: {error}")
        return 1
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(report.render(header, rows, notes), flush=True)
    if args.out:
        out = args.out if args.out.is_absolute() else PROJECT_ROOT / args.out
        report.write_markdown(out, report.render(header, rows, notes, markdown=True))
        log(f"Markdown table written to {out}")
    return 1 if any(note.startswith("FAILED") for note in notes) else 0


if __name__ == "__main__":
    sys.exit(main())
