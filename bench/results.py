"""Figures, targets and the report: each check says PASS or MISS against the issue's target.

The report is markdown, printed section by section as the run goes and written whole at the
end (bench/results.md by default), which the docs point to rather than copy.
"""

from __future__ import annotations

import datetime
import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version

OPERATORS = {">=": float.__ge__, "<=": float.__le__, "<": float.__lt__, "==": float.__eq__}


@dataclass(frozen=True, kw_only=True)
class Check:
    """One target of the issue: `value op target`, e.g. story/floor >= 0.7."""

    name: str
    value: float
    op: str
    target: float
    unit: str = ""

    @property
    def passed(self) -> bool:
        return OPERATORS[self.op](float(self.value), float(self.target))

    @property
    def mark(self) -> str:
        return "PASS" if self.passed else "MISS"

    def row(self) -> list[str]:
        return [
            self.name,
            f"{number(self.value)}{self.unit}",
            f"{self.op} {number(self.target)}{self.unit}",
            self.mark,
        ]


def number(value: float | int | None) -> str:
    """Figures as a reader takes them in: 7,213 req/s, 0.71, 12.4 ms."""
    if value is None or value != value:  # None, or NaN: not measured
        return "-"
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 100):
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


@dataclass(kw_only=True)
class Section:
    title: str
    text: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    def markdown(self) -> str:
        parts = [f"## {self.title}", *self.text]
        if self.checks:
            parts.append(
                table(
                    ["target", "measured", "issue's target", "result"],
                    [check.row() for check in self.checks],
                )
            )
        return "\n\n".join(parts)


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram() -> str:
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            kib = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
        return f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        return "unknown"


def _wrk_version() -> str:
    try:
        out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    return (
        (out.stdout or out.stderr).splitlines()[0].split(" [")[0]
        if out.stdout or out.stderr
        else "unknown"
    )


def load_average() -> str:
    """The 1-minute load average: above the number of cores, other work shared the machine."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def machine(*, postgres_version: str, load_tool: str, load_before: str) -> list[list[str]]:
    return [
        ["date (UTC)", datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M")],
        ["CPU", _cpu_model()],
        ["cores", str(os.cpu_count())],
        ["RAM", _ram()],
        ["OS", f"{platform.system()} {platform.release()}"],
        ["Python", platform.python_version()],
        ["Django", _package("django")],
        ["gunicorn", _package("gunicorn")],
        ["SQLite", sqlite3.sqlite_version],
        ["PostgreSQL", postgres_version],
        ["load generator", load_tool],
        ["load average (1 min) at start / end", f"{load_before} / {load_average()}"],
    ]


def report(*, machine_rows: list[list[str]], sections: list[Section], command: str) -> str:
    checks = [check for section in sections for check in section.checks]
    missed = [check.name for check in checks if not check.passed]
    summary = f"{len(checks) - len(missed)} of {len(checks)} targets met" + (
        f"; missed: {'; '.join(missed)}." if missed else "."
    )
    parts = [
        "# Benchmark results",
        f"`{command}`, one run; every ratio is against a floor measured in the same run. "
        + summary,
        table(["machine", ""], machine_rows),
        *(section.markdown() for section in sections),
    ]
    return "\n\n".join(parts) + "\n"
