"""`python -m bench.nlu` (`make bench-nlu`): the trained NLU model on real traffic, one table.

Loads the model in-process (default models/zhike.tar.gz), parses every out-of-scope
utterance of CAIS, the labelled JDDC customer turns, the held-out set tests/nlu and the
two halves of the blind set tests/nlu_blind, prints one Markdown table with the targets
and writes it to results/bench-nlu.md. A section whose corpus or labels are absent is
skipped with a message. Takes 2-3 minutes (most of
it loading TensorFlow and the model).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from bench.nlu.heldout import (
    BLIND_DIR,
    HELD_OUT_DIR,
    HELD_OUT_SECTION,
    held_out_rows,
    load_held_out,
    score_held_out,
)
from bench.nlu.jddc import JDDC_CHAT, LABELS_FILE, labelled_turns, read_labels
from bench.nlu.jddc_score import jddc_details, jddc_rows, score_jddc
from bench.nlu.knowledge import seeded_knowledge, with_knowledge
from bench.nlu.model import ModelError, Parse, load_parser, log, predict_all
from bench.nlu.oos import CAIS_TEST, load_cais, oos_details, oos_rows, score_oos
from bench.nlu.opening import as_opening
from bench.nlu.table import Row, render, write

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = PROJECT_ROOT / "models" / "zhike.tar.gz"
DEFAULT_EVAL_DIR = PROJECT_ROOT.parent / "shared" / "eval"
DEFAULT_OUT = PROJECT_ROOT / "results" / "bench-nlu.md"
TITLE = "zhike NLU on real traffic"

OOS, JDDC, HELD_OUT = "out of scope (CAIS)", "real customers (JDDC)", HELD_OUT_SECTION
BLIND_HALVES = ("dev", "test")


@dataclass(frozen=True)
class Inputs:
    """Where the benchmark reads its texts."""

    eval_dir: Path = DEFAULT_EVAL_DIR
    labels: Path = LABELS_FILE
    held_out: Path = HELD_OUT_DIR
    blind: Path | None = None  # tests/nlu_blind: its dev and test halves, one section each


@dataclass
class Report:
    """The table's rows, the details below it, and the sections that could not run."""

    rows: list[Row] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def skip(self, section: str, reason: str) -> None:
        """Notes a section that did not run (a row in the table, a line on stderr)."""
        log(f"skipping {section}: {reason}")
        self.rows.append(Row(section, f"skipped: {reason}", "-"))

    def fail(self, section: str, error: Exception) -> None:
        """Notes a section whose inputs are broken (the run exits non-zero)."""
        self.errors.append(f"{section}: {error}")
        self.skip(section, f"ERROR {error}")


async def _out_of_scope(parse: Parse, inputs: Inputs, report: Report) -> None:
    try:
        utterances = load_cais(inputs.eval_dir)
    except ValueError as error:
        report.fail(OOS, error)
        return
    if utterances is None:
        report.skip(OOS, f"no CAIS test file at {inputs.eval_dir / CAIS_TEST}")
        return
    predictions = await predict_all(parse, [u.text for u in utterances], "CAIS")
    score = score_oos(utterances, predictions)
    report.rows += oos_rows(score)
    report.details += ["", *oos_details(score)]


async def _real_customers(parse: Parse, inputs: Inputs, report: Report) -> None:
    chat = inputs.eval_dir / JDDC_CHAT
    if not chat.is_file():
        report.skip(JDDC, f"no JDDC chats at {chat}")
        return
    if not inputs.labels.is_file():
        report.skip(JDDC, f"no labels at {inputs.labels} yet")
        return
    try:
        turns = labelled_turns(chat, read_labels(inputs.labels))
    except ValueError as error:
        report.fail(JDDC, error)
        return
    if not turns:
        report.skip(JDDC, f"{inputs.labels} labels no turn")
        return
    predictions = await predict_all(parse, [t.text for t in turns], "JDDC")
    score = score_jddc(turns, predictions)
    report.rows += jddc_rows(score)
    report.details += ["", *jddc_details(score)]


async def _held_out(parse: Parse, folder: Path, section: str, report: Report) -> None:
    examples = load_held_out(folder)
    if not examples:
        report.skip(section, f"no NLU examples in {folder}")
        return
    predictions = await predict_all(parse, [e.text for e in examples], section)
    report.rows += held_out_rows(score_held_out(examples, predictions), section)


async def measure(parse: Parse, inputs: Inputs, acting: Parse | None = None) -> Report:
    """Runs the three sections and collects the report.

    The held-out set measures the model (``parse``); out-of-scope and real customers
    measure what the robot does (``acting``, default ``parse``).
    """
    report = Report()
    if inputs.eval_dir.is_dir():
        await _out_of_scope(acting or parse, inputs, report)
        await _real_customers(acting or parse, inputs, report)
    else:
        reason = f"no evaluation corpora at {inputs.eval_dir}"
        report.skip(OOS, reason)
        report.skip(JDDC, reason)
    await _held_out(parse, inputs.held_out, HELD_OUT, report)
    if inputs.blind is not None:
        for half in BLIND_HALVES:
            section = f"blind set, {half} half (tests/nlu_blind/{half})"
            await _held_out(parse, inputs.blind / half, section, report)
    return report


async def _measure_with_knowledge(parse: Parse, inputs: Inputs) -> Report:
    """:func:`measure` as the robot acts: the knowledge base answers, the opening rules apply."""
    knowledge = seeded_knowledge()
    try:
        return await measure(parse, inputs, acting=as_opening(with_knowledge(parse, knowledge)))
    finally:
        await knowledge.close()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.nlu",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="trained model")
    parser.add_argument(
        "--eval-dir", type=Path, default=DEFAULT_EVAL_DIR, help="the shared corpora"
    )
    parser.add_argument("--labels", type=Path, default=LABELS_FILE, help="JDDC label file")
    parser.add_argument(
        "--held-out", type=Path, default=HELD_OUT_DIR, help="held-out NLU YAML folder"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown report")
    return parser.parse_args(argv)


def _header(model: Path, eval_dir: Path) -> list[str]:
    stat = model.stat()
    trained = time.strftime("%Y-%m-%d %H:%M", time.localtime(stat.st_mtime))
    return [
        f"date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"model: {model} ({stat.st_size / 1e6:.0f} MB, written {trained})",
        f"corpora: {eval_dir}",
    ]


def main(argv: list[str] | None = None) -> int:
    """Loads the model, measures, prints and writes the report (1: broken inputs)."""
    warnings.filterwarnings("ignore")
    args = parse_args(argv)
    model = args.model.resolve()
    try:
        parse = load_parser(model)
    except ModelError as error:
        log(f"FAILED: {error}")
        return 2
    inputs = Inputs(
        args.eval_dir.resolve(), args.labels.resolve(), args.held_out.resolve(), BLIND_DIR
    )
    report = asyncio.run(_measure_with_knowledge(parse, inputs))
    text = render(TITLE, _header(model, inputs.eval_dir), report.rows, report.details)
    print(text, flush=True)
    write(args.out, text)
    log(f"report written to {args.out}")
    for problem in report.errors:
        log(f"FAILED: {problem}")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
