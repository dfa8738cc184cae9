"""The benchmark's arithmetic: percentiles, medians of repeated runs, ratios and targets."""

from __future__ import annotations

from bench.load import Samples
from bench.metrics import median, percentile
from bench.report import ModelResult, build_rows, render, table_cells


def test_percentile_of_known_samples():
    samples = list(range(1, 101))  # 1..100
    assert percentile(samples, 50) == 50.5
    assert 99 <= (percentile(samples, 99) or 0) <= 100
    assert percentile([], 50) is None
    assert percentile([7.0], 99) == 7.0


def test_median_ignores_missing_values():
    assert median([3.0, None, 1.0, 2.0]) == 2.0
    assert median([None, None]) is None


def _result(name: str, throughput_msgs: int, p99_ms: float, rss: float) -> ModelResult:
    result = ModelResult(name, train_seconds=100.0, peak_rss_mb=rss)
    samples = Samples(latencies_ms=[p99_ms] * 10, completed_in_window=throughput_msgs, seconds=10)
    result.rest[10] = [samples]
    return result


def test_rows_compare_zhike_with_the_baseline_and_check_the_targets():
    zhike = _result("zhike", throughput_msgs=900, p99_ms=200.0, rss=800.0)
    baseline = _result("baseline", throughput_msgs=200, p99_ms=600.0, rss=1400.0)
    cells = {row[0]: row for row in table_cells(build_rows(zhike, baseline, [10]))}

    throughput = cells["REST 10 conc.: throughput (msg/s)"]
    assert throughput[1:4] == ["90.0", "20.0", "4.50x"]
    assert throughput[5] == "yes"  # ratio >= 3
    assert cells["REST 10 conc.: p99 (ms)"][5] == "yes"  # 200 ms <= 250 ms
    assert cells["peak RSS of Rasa server incl. children (MB)"][5] == "yes"
    assert cells["/model/parse p50 (ms), 1 client"][1:] == ["-", "-", "-", "zhike <= 30 ms", "-"]


def test_a_missed_target_is_flagged():
    zhike = _result("zhike", throughput_msgs=250, p99_ms=400.0, rss=1200.0)
    baseline = _result("baseline", throughput_msgs=200, p99_ms=600.0, rss=1400.0)
    text = render(["title"], build_rows(zhike, baseline, [10]), ["a note"])
    cells = {row[0]: row for row in table_cells(build_rows(zhike, baseline, [10]))}
    assert cells["REST 10 conc.: throughput (msg/s)"][5] == "NO"
    assert cells["REST 10 conc.: p99 (ms)"][5] == "NO"
    assert "NO" in text and "a note" in text
