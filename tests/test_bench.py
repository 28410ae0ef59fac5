"""The benchmark's own parts, cheaply: the floor, the generators, wrk's figures, PASS and MISS.

`make bench` itself takes minutes and measures speed; these only check that what it measures
is what it says (a 10 KB floor, seed-shaped stories, published rows, honest marks).
"""

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from taggit.models import TaggedItem

from bench import bulk, chart, load
from bench.load import parse_wrk
from bench.results import Check, Section, report
from bench.stories import TOPIC_WORD, story_text
from newsroom.ingest.seeds import parse_text
from newsroom.news.models import Article, Byline
from newsroom.search.query import search_articles
from tests.browser import skip_unless_available

ROOT = Path(__file__).resolve().parent.parent

# The floor's WSGI application called as gunicorn calls it, in a process of its own: its
# settings are its own, not the suite's.
FLOOR_PROBE = """
from wsgiref.util import setup_testing_defaults
from bench.floor import application
environ = {}
setup_testing_defaults(environ)
environ["HTTP_HOST"] = "127.0.0.1"
started = []
body = b"".join(application(environ, lambda status, headers: started.append(status)))
print(started[0], len(body), body[:15].decode())
"""

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8001/news/story/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.21ms    1.02ms  21.63ms   89.12%
    Req/Sec     3.71k   212.45     4.10k    71.00%
  36912 requests in 5.01s, 371.44MB read
  Socket errors: connect 0, read 3, write 0, timeout 1
  Non-2xx or 3xx responses: 12
Requests/sec:   7367.62
Transfer/sec:     74.14MB
"""


def test_the_floor_answers_every_request_with_ten_kilobytes():
    result = subprocess.run(
        [sys.executable, "-c", FLOOR_PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "OK", "10240", "<!doctype", "html>"]


def test_a_generated_story_reads_as_a_seed_file_does():
    story = parse_text(story_text(random.Random(1), 300))

    assert story.headline.endswith("(300)")
    assert TOPIC_WORD in story.headline
    assert 8 <= len(story.paragraphs) <= 10
    assert len(story.related) == 2
    assert story.lead_image_missing
    assert story.stripped["separator line"] == 2
    assert story.stripped["cookie-banner line"] == 2
    assert not any("cookie" in p.lower() for p in story.paragraphs)


def test_generated_stories_are_about_the_size_of_the_seed():
    rng = random.Random(2)
    sizes = [len(story_text(rng, n).encode()) for n in range(50)]
    assert 2_000 < sum(sizes) / len(sizes) < 3_500


@pytest.mark.django_db
def test_the_bulk_generator_adds_published_stories_with_bylines_topics_and_search():
    bulk.generate(30)
    bulk.generate(20)

    published = Article.objects.published()
    assert published.count() == 50
    assert published.values("slug").distinct().count() == 50
    assert not published.filter(bylines__isnull=True).exists()
    assert 50 <= Byline.objects.count() <= 100
    tagged = TaggedItem.objects.filter(object_id__in=published.values("pk"))
    assert not published.exclude(pk__in=tagged.values("object_id")).exists()
    # Stories 0 and 100 are the only ones under 101 to carry the searched-for word.
    assert [a.slug for a in search_articles(TOPIC_WORD)] == ["bench-story-0"]


def test_wrk_figures_are_read_from_its_summary():
    figures = parse_wrk(WRK_OUTPUT)

    assert figures.requests == 36912
    assert figures.seconds == pytest.approx(5.01)
    assert figures.non_2xx == 12
    assert figures.errors == 4
    assert figures.per_second == pytest.approx(7367.7, abs=0.5)


def test_unreadable_wrk_output_is_an_error_not_zero_requests():
    with pytest.raises(RuntimeError, match="could not read wrk"):
        parse_wrk("unable to connect to 127.0.0.1:8001 Connection refused")


@pytest.mark.parametrize(
    ("value", "op", "target", "mark"),
    [
        (0.70, ">=", 0.7, "PASS"),
        (0.69, ">=", 0.7, "MISS"),
        (4, "<=", 4, "PASS"),
        (5, "<=", 4, "MISS"),
        (119.9, "<", 120, "PASS"),
        (120.0, "<", 120, "MISS"),
        (6, "==", 6, "PASS"),
        (7, "==", 6, "MISS"),
    ],
)
def test_a_check_passes_only_when_the_target_is_met(value, op, target, mark):
    assert Check(name="x", value=value, op=op, target=target).mark == mark


def test_the_report_counts_and_names_the_missed_targets():
    section = Section(
        title="Readers",
        checks=[
            Check(name="story vs floor", value=0.5, op=">=", target=0.7, unit="x"),
            Check(name="queries", value=4, op="<=", target=4),
        ],
    )
    text = report(machine_rows=[["CPU", "test"]], sections=[section], command="make bench")

    assert "1 of 2 targets met; missed: story vs floor." in text
    assert "| story vs floor | 0.50x | >= 0.70x | MISS |" in text
    assert "| queries | 4 | <= 4 | PASS |" in text


def test_the_python_client_loads_the_floor_under_gunicorn_when_wrk_is_absent(tmp_path):
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with load.Server("floor", "bench.floor:application", env=env, log=tmp_path / "log") as floor:
        assert floor.wait_until_serving("/") == (200, 10 * 1024)
        figures = load.python_load(floor.url("/"), seconds=1)
        peaks = floor.peak_rss_mib()

    assert figures.requests > 10
    assert figures.non_2xx == figures.errors == 0
    assert len(peaks) == load.WORKERS
    assert all(10 < peak < 200 for peak in peaks.values())


def test_the_chart_draws_each_ratio_with_its_target_and_mark():
    checks = [
        Check(name="story, cache on, vs floor", value=0.85, op=">=", target=0.8, unit="x"),
        Check(
            name="long tail while editing, Redis", value=float("nan"), op=">=", target=0.8, unit="x"
        ),
        Check(name="queries", value=4, op="<=", target=4),
    ]
    picture = chart.svg(checks, title="Readers")

    assert picture.startswith("<svg") and picture.rstrip().endswith("</svg>")
    assert picture.count('fill="#2e7d32"') == 1  # met
    assert picture.count('fill="#c62828"') == 1  # not measured counts as missed
    assert "0.85x (PASS, target 0.80x)" in picture
    assert "not measured (MISS, target 0.80x)" in picture
    assert "queries" not in picture  # only ratios are drawn


def test_spread_load_reaches_every_listed_page_through_nginx(tmp_path):
    skip_unless_available("wrk and nginx", _spread_tools_missing(), required_by=())
    root = tmp_path / "root"
    paths = [f"/news/story-{n}/" for n in range(5)]
    for path in paths:
        (root / path.strip("/")).mkdir(parents=True)
        (root / path.strip("/") / "index.html").write_text(f"<p>{path}</p>")
    listed = tmp_path / "paths.txt"
    listed.write_text("\n".join(paths) + "\n")

    with load.Nginx(tmp_path / "nginx", root=root) as nginx:
        figures = load.run_spread_load(nginx.url(""), listed, seconds=1)
        log = (tmp_path / "nginx" / "error.log").read_text()

    assert figures.requests > 100
    assert figures.non_2xx == figures.errors == 0, log


def test_the_editor_job_saves_the_story_as_often_as_asked(db):
    from bench.jobs import edit_story
    from tests.factories import make_article

    story = make_article(slug="breaking", body="<p>First.</p>")
    done = edit_story({"slug": "breaking", "seconds": 1.0, "per_second": 4})

    story.refresh_from_db()
    assert 3 <= done["saves"] <= 5
    assert story.body.startswith("<p>First.</p>") and f"Update {done['saves']}." in story.body


def test_the_editor_wait_figure_times_saves_around_a_real_import(tmp_path):
    """The import runs in a process of its own on a SQLite file, the saves in another."""
    from bench import scenarios

    run = scenarios.Run(folder=tmp_path, plan=scenarios.Plan())
    run.job("migrate", DATABASE_URL=run.sqlite_url(run.template))
    result = scenarios.measure_editor_wait(run, 40)

    assert result["created"] == 40
    assert result["start"] <= result["begin"] <= result["end"]
    assert 0 < result["transaction_cpu"] <= result["end"] - result["start"]
    assert all(wait > 0 for wait in result["waits_ms"])
    assert result["idle_ms"] > 0
    assert "| 40 | " in scenarios.editor_wait_section(40, result).markdown()


def _spread_tools_missing() -> str | None:
    if load.load_tool() != "wrk":
        return "wrk is not installed"
    return load.nginx_missing()


def test_the_live_site_job_makes_the_seed_story_live_coverage_with_its_updates(db):
    from bench.jobs import live_site
    from newsroom.news.models import LiveUpdate

    site = live_site({"updates": 12})

    story = Article.objects.get(slug=site["slug"])
    assert story.live_coverage_on and story.is_live
    assert LiveUpdate.objects.for_readers().filter(article=story).count() == 12
    assert site["fragment"] == f"/news/{story.slug}/updates/"


def test_the_live_desk_job_posts_updates_as_often_as_asked(db):
    from bench.jobs import live_site, post_updates
    from newsroom.news.models import LiveUpdate

    site = live_site({"updates": 0})
    done = post_updates({"slug": site["slug"], "seconds": 1.0, "every": 0.4})

    assert 2 <= done["posts"] <= 4
    assert LiveUpdate.objects.for_readers().count() == done["posts"]
