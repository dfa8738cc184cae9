"""Percentiles, the peak-RSS sampler and a description of the machine."""

from __future__ import annotations

import os
import platform
import statistics
import threading
import time
from collections.abc import Sequence
from importlib import metadata

import psutil


def percentile(samples: Sequence[float], pct: int) -> float | None:
    """The ``pct``-th percentile (1..99) of all ``samples``, or ``None`` without samples."""
    if not samples:
        return None
    if len(samples) == 1:
        return float(samples[0])
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return float(cuts[pct - 1])


def median(values: Sequence[float | None]) -> float | None:
    """The median of the values that are not ``None``."""
    present = [v for v in values if v is not None]
    return float(statistics.median(present)) if present else None


class PeakRss:
    """Samples the RSS of a process and all its children every ``interval`` seconds.

    Runs in a thread so that a busy event loop in the load generator cannot delay it.
    """

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_bytes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _total_rss(self) -> int:
        try:
            root = psutil.Process(self.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for process in processes:
            try:
                total += process.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self._total_rss())
            self.samples += 1
            self._stop.wait(self.interval)

    def start(self) -> PeakRss:
        """Starts sampling in a daemon thread."""
        self._thread = threading.Thread(target=self._run, name="peak-rss", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> float:
        """Stops sampling and returns the peak in MB (MiB)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        return self.peak_bytes / (1024 * 1024)


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or platform.processor())."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def machine_header() -> list[str]:
    """Lines describing the machine, the versions and the load when the bench started."""
    load1, load5, _ = os.getloadavg()
    memory_gib = psutil.virtual_memory().total / 1024**3
    versions = ", ".join(
        f"{name} {_version(name)}"
        for name in ("rasa", "rasa-sdk", "tensorflow", "sanic", "aiohttp")
    )
    return [
        f"date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"machine: {os.cpu_count()} cores, {cpu_model()}, {memory_gib:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}",
        f"python {platform.python_version()}; {versions}",
        f"load average at start: {load1:.2f} (1 min), {load5:.2f} (5 min)",
    ]


def load_average() -> float:
    """The 1-minute load average (to spot other work on the machine)."""
    return os.getloadavg()[0]
