"""Live coverage: readers polling a live story while its desk posts an update every 10 seconds.

Issue 13's figure, a ratio within one run. Readers ask for the live page and for its updates
fragment (what the page's script polls), picked at random for every request (wrk with
bench/spread.lua), through gunicorn with the page cache on: a phase while nobody posts, one
while an update is posted through news.writing every 10 s by another process, then quiet again.
Posting retires the page, the fragment and the feed (`story-N-updates`) and nothing else, so
each post costs the readers one render of each in each worker; the ratio is the posting phase's
rate over the mean of the quiet ones.
"""

from __future__ import annotations

from . import load
from .breaking import BackgroundJob, quiet_busy_quiet
from .results import Check, Section, table

TARGET = 0.8
POST_EVERY_SECONDS = 10
UPDATES = 50
TITLE = "Live coverage: readers polling while an update is posted every 10 s"


def sections(run) -> list[Section]:
    from .scenarios import say

    plan = run.plan
    # Two posts at least fall in a full run's posting phase.
    phase = plan.seconds * 4
    if load.load_tool() != "wrk":
        return [_not_measured("wrk is not installed")]
    database = run.fresh_sqlite("live")
    say(f"live coverage: the seed story live with {UPDATES} updates, {phase:g} s per phase")
    site = run.job("live_site", {"updates": UPDATES}, DATABASE_URL=database)
    paths_file = run.folder / "live-paths.txt"
    paths_file.write_text(f"{site['page']}\n{site['fragment']}\n", encoding="utf-8")
    env = {**run.env, "DATABASE_URL": database, "NEWSROOM_PAGE_CACHE": "1"}
    logs = run.folder / "gunicorn.log"
    with load.Server("site, live", "newsroom.wsgi:application", env=env, log=logs) as server:
        server.wait_until_serving(site["fragment"])
        args = {"slug": site["slug"], "seconds": phase + 3, "every": POST_EVERY_SECONDS}
        desk = BackgroundJob(run, "post_updates", args, env=env)
        phases = quiet_busy_quiet(
            server.url(""), paths_file, seconds=phase, warmup=plan.warmup, job=desk
        )
    quiet, posting, ratio = phases.quiet, phases.busy, phases.ratio
    posted = {"posts": 0, "seconds": 0.0, **phases.result}
    row = [
        f"{quiet[0].per_second:,.0f} / {quiet[1].per_second:,.0f}",
        f"{posting.per_second:,.0f}",
        f"{ratio:.2f}x",
        f"{posted['posts']} in {posted['seconds']:.1f} s",
        str(phases.faults),
    ]
    return [
        Section(
            title=TITLE,
            text=[
                f"gunicorn, {load.WORKERS} sync workers, page cache on, SQLite; the seed story as "
                f"live coverage with {UPDATES} updates. Readers ask for its page and its updates "
                f"fragment at random (wrk, {load.CONNECTIONS} connections, bench/spread.lua): "
                f"{phase:g} s quiet, {phase:g} s while an update is posted every "
                f"{POST_EVERY_SECONDS} s through news.writing by another process, {phase:g} s "
                "quiet again. A post retires the live page, its fragment and its feed, no "
                "listing.",
                table(
                    [
                        "quiet req/s (before / after)",
                        "posting req/s",
                        "posting vs quiet",
                        "updates posted",
                        "non-2xx + errors",
                    ],
                    [row],
                ),
            ],
            checks=[_check(ratio)],
        )
    ]


def _not_measured(why: str) -> Section:
    return Section(title=TITLE, text=[f"Not measured: {why}."], checks=[_check(float("nan"))])


def _check(value: float) -> Check:
    return Check(
        name="live page polled while posting", value=value, op=">=", target=TARGET, unit="x"
    )
