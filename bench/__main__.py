"""`make bench` / `python -m bench`: readers, breaking news, live coverage, import, size and
memory, with PASS or MISS each.

Run from the project folder; a whole run takes five to seven minutes on two cores, `--quick` a
minute or so (a smoke run: its numbers are not the issue's). Results go to stdout as they come
and, for a full run, to bench/results.md (the docs point to it).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from pathlib import Path

from . import breaking, chart, live, load, scenarios
from .results import load_average, machine, report

PARTS = ("readers", "breaking", "live", "import", "size")
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results.md"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Newsroom's benchmarks (issue 6), each against a floor measured in the "
        "same run. Environment: DJANGO_SECRET_KEY (made up when absent), BENCH_POSTGRES_URL "
        f"(default {scenarios.DEFAULT_POSTGRES_URL}; that database is DROPPED and recreated).",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: small sizes, one-second rounds"
    )
    parser.add_argument(
        "--only",
        metavar="PARTS",
        default=",".join(PARTS),
        help=f"comma-separated, of {', '.join(PARTS)} (memory comes with readers)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="size benchmark on SQLite only")
    parser.add_argument(
        "--profile-import",
        action="store_true",
        help="profile the smaller import with cProfile and add the profile to the report",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help=f"where the markdown report goes (default {DEFAULT_OUTPUT.name} beside this "
        "module for a full run of every part; none for --quick or --only)",
    )
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    if unknown := [p for p in parts if p not in PARTS]:
        parser.error(f"--only: unknown part {unknown[0]!r}; choose from {', '.join(PARTS)}")
    args.parts = parts
    if args.output is None and not args.quick and parts == list(PARTS):
        args.output = DEFAULT_OUTPUT
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    plan = scenarios.Plan.quick() if args.quick else scenarios.Plan()
    plan.profile_import = args.profile_import
    started = time.monotonic()
    pg_version, why_not = scenarios.postgres_version()
    load_before = load_average()
    sections = []
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as folder:
        run = scenarios.Run(folder=Path(folder), plan=plan)
        try:
            scenarios.say("preparing: static files and a migrated SQLite database")
            run.prepare()
            if "readers" in args.parts:
                sections += scenarios.readers(run)
                for section in sections[-2:]:
                    scenarios.say("\n" + section.markdown() + "\n")
            if "breaking" in args.parts:
                sections += breaking.sections(run)
                for section in sections[-2:]:
                    scenarios.say("\n" + section.markdown() + "\n")
            if "live" in args.parts:
                sections += live.sections(run)
                scenarios.say("\n" + sections[-1].markdown() + "\n")
            if "import" in args.parts:
                for measure in (scenarios.imports, scenarios.editor_wait):
                    sections.append(measure(run))
                    scenarios.say("\n" + sections[-1].markdown() + "\n")
            if "size" in args.parts:
                sections.append(scenarios.sizes(run, postgres=not args.no_postgres))
                scenarios.say("\n" + sections[-1].markdown() + "\n")
        except scenarios.BenchError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 1
    minutes = (time.monotonic() - started) / 60
    machine_rows = machine(
        postgres_version=pg_version or f"not measured ({why_not})",
        load_tool=load.describe_load_tool(),
        load_before=load_before,
    )
    command = "python -m bench " + shlex.join(argv) if argv else "make bench"
    text = report(machine_rows=machine_rows, sections=sections, command=command.strip())
    text += f"\nThe whole run took {minutes:.1f} minutes.\n"
    summary = text.split("\n\n")[1]
    scenarios.say(summary)
    scenarios.say(f"The whole run took {minutes:.1f} minutes.")
    if args.output:
        checks = [check for section in sections for check in section.checks]
        picture = args.output.with_suffix(".svg")
        picture.write_text(chart.svg(checks, title="Readers: ratios of one make bench run"))
        text += f"\n![The ratios above as bars, each with its target]({picture.name})\n"
        args.output.write_text(text, encoding="utf-8")
        scenarios.say(f"Written to {args.output} and {picture}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
