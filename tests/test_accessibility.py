"""WCAG 2.2 AA in a real browser: axe-core's rules, then the checks axe cannot make.

axe-core (from npm, `make validators`) runs in Debian's Chromium through Playwright on every kind
of reader page, with the cookie banner open (a first visit) and closed (after "Reject all"). The
other tests use the pages as a keyboard user does, at 320 CSS px, at 200 % zoom and with reduced
motion. The site is a gunicorn server prepared by manage.py commands: the seed story tagged
Defence, plus a story with a lead image, two authors, a correction and a related link, flagged
as breaking news (so every page shows that banner too), made in `manage.py shell` with the test
factories, and a live story with 50 updates. tests/browser.py says when these tests skip or fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

import pytest

from tests.browser import ROOT, manage, migrate, require_browser, running_site, serve, server_env

# The site under test is its own SQLite file (tests/browser.py): not run again on PostgreSQL.
pytestmark = pytest.mark.own_site

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Every WCAG A and AA rule up to 2.2, plus axe's best practices (heading order, landmarks).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

ARTICLE = "/news/japans-defence-minister-visits-turkey-for-defence-cooperation-drones/"
IMAGE_STORY = "/news/drones-on-show/"
PAGES = {
    "home": "/",
    "article": ARTICLE,
    "image-story": IMAGE_STORY,
    "tag": "/tags/defence/",
    "topics": "/tags/",
    "author": "/authors/newsroom-staff/",
    "search": "/search/?q=drones",
    "archive": "/archive/",
    "cookie-settings": "/consent/",
    "live": "/news/count-night/",
    "consent-saved": "/consent/saved/?next=/tags/",
    "not-found": "/news/no-such-story/",
    "about": "/about/",
    "policy": "/about/ethics/",
    "author-profile": "/authors/mina-park/",
}
STATUS = {name: 404 if name == "not-found" else 200 for name in PAGES}

MAKE_IMAGE_STORY = """
from datetime import timedelta
from io import BytesIO

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from newsroom.news.models import Correction
from tests.factories import make_article, make_author

buffer = BytesIO()
Image.new("RGB", (1200, 675), "#0b4f8a").save(buffer, format="PNG")
story = make_article(
    title="Drones on show",
    slug="drones-on-show",
    standfirst="Makers bring unmanned aircraft to the defence fair.",
    # An unbroken address and a line of code: what pushes a narrow page sideways.
    body="<p>The fair opened on Monday.</p><h2>What was shown</h2><p>Small drones.</p>"
    "<blockquote><p>We want to buy them.</p></blockquote>"
    "<p>The catalogue: https://catalogue.defence-fair.example/2026/exhibitors/unmanned-aircraft"
    "/small-reconnaissance-drones/full-list-with-specifications.pdf</p>"
    "<pre><code>flight_time_minutes = battery_capacity_mah / average_current_draw_ma * 60"
    "</code></pre>",
    authors=[make_author(name="Ann Lee"), make_author(name="Kenji Sato")],
    tags=["Defence", "Drones"],
    related=[("Japan's Defence Minister Visits Turkey for Defence Cooperation, Drones", "")],
)
story.lead_image.save("drones.png", ContentFile(buffer.getvalue()), save=False)
story.lead_image_alt = "A grey drone on a stand in an exhibition hall."
story.lead_image_caption = "A drone at the fair."
story.lead_image_credit = "Newsroom"
story.breaking_until = timezone.now() + timedelta(hours=2)
story.save()
Correction.objects.create(article=story, text="An earlier version gave the wrong day.")
"""

# Live coverage with 50 updates: headlines on some, key events, one pinned, authors on some.
MAKE_LIVE_STORY = """
from datetime import timedelta

from django.utils import timezone

from tests.factories import make_author, make_live_story, make_update

ann = make_author(name="Ann Lee", slug="ann-lee-live")
story = make_live_story(title="Count night", slug="count-night", authors=[ann], tags=["Defence"])
now = timezone.now()
for n in range(50):
    make_update(
        article=story,
        headline=f"Seat {n} declared" if n % 3 == 0 else "",
        body=f"<p>Update {n}: counting (<a href='https://example.org/{n}'>a link</a>).</p>",
        key_event=n % 10 == 0,
        pinned=n == 25,
        shown_at=now - timedelta(minutes=50 - n),
        authors=[ann] if n % 2 else [],
    )
"""

# The policies and an author with a role, a bio and profiles elsewhere.
MAKE_POLICIES = """
from newsroom.publisher.models import Policy
from tests.factories import make_author, make_policy

make_policy(
    kind=Policy.Kind.ETHICS,
    summary="How we report, and how we don't.",
    body="<h2>Sources</h2><p>We name them.</p><ul><li>Always</li></ul>"
    "<p><a href='https://example.org/code'>Our code of practice</a></p>",
)
make_policy(kind=Policy.Kind.CORRECTIONS)
make_policy(kind=Policy.Kind.AI_USE)
make_author(
    name="Mina Park",
    slug="mina-park",
    role="Data editor",
    bio="Counts things.",
    same_as="https://mina.example/\\nhttps://social.example/@mina",
)
"""

NARROW = {"viewport": {"width": 320, "height": 640}}
# A 1280 px window at 200 % zoom lays the page out in 640 CSS px, as this does.
ZOOMED = {"viewport": {"width": 640, "height": 360}, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 720}}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    seeds = ("import_seeds", "--publish", "--tag", "Defence", "-v0")
    image_story = ("shell", "-c", MAKE_IMAGE_STORY)
    live_story = ("shell", "-c", MAKE_LIVE_STORY)
    policies = ("shell", "-c", MAKE_POLICIES)
    with running_site(
        tmp_path_factory.mktemp("site"), seeds, image_story, live_story, policies
    ) as base:
        yield base


@contextmanager
def reader_page(browser, site: str, *, banner: str = "open", **options) -> Iterator:
    """A page in a fresh browser context; with banner="closed" the reader has said "Reject all"."""
    context = browser.new_context(**options)
    page = context.new_page()
    try:
        if banner == "closed":
            page.goto(site + "/")
            page.get_by_role("button", name="Reject all").click()
            page.locator(".consent-banner__done").wait_for()
        yield page
    finally:
        context.close()


def visit(page, site: str, name: str) -> None:
    """Open one of PAGES; a page that answers wrongly (a 501 placeholder) fails as that."""
    response = page.goto(site + PAGES[name])
    assert (name, response.status) == (name, STATUS[name])


def axe_or_skip() -> str:
    if not AXE.is_file():
        missing = f"axe-core is not installed at {AXE} (run `make validators`, which runs npm ci)"
        if os.environ.get("NEWSROOM_REQUIRE_BROWSER") or os.environ.get(
            "NEWSROOM_REQUIRE_VALIDATORS"
        ):
            pytest.fail(f"axe-core required but unavailable: {missing}")
        pytest.skip(missing)
    return str(AXE)


def axe_violations(page, *, within: str | None = None) -> list[str]:
    """One line per failing element: rule, CSS selector and axe's summary of the fix. `within`:
    a CSS selector, to check only that part of the page."""
    # Evaluated through the DevTools protocol, which the site's CSP (script-src 'self') allows;
    # a <script> tag added to the page would rightly be refused.
    page.evaluate(Path(axe_or_skip()).read_text(encoding="utf-8"))
    results = page.evaluate(
        "([tags, within]) => axe.run(within ? {include: [within]} : document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        [AXE_TAGS, within],
    )
    return [
        f"{violation['id']}: {node['target']} {node['failureSummary']}"
        for violation in results["violations"]
        for node in violation["nodes"]
    ]


@pytest.mark.parametrize("banner", ["open", "closed"])
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations(browser, site, name, banner):
    with reader_page(browser, site, banner=banner) as page:
        visit(page, site, name)
        # The settings page never shows the banner: it is where the reader decides.
        banner_shown = banner == "open" and name != "cookie-settings"
        assert page.locator("[data-consent-banner]").count() == int(banner_shown)
        breaking = page.get_by_role("region", name="Breaking news")
        assert breaking.get_by_role("link").inner_text() == "Breaking: Drones on show"
        assert axe_violations(page) == []


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations_on_french_pages(browser, site, name):
    """A browser set to French gets the chrome in French, each part of it marked lang="fr"
    inside the page of the stories' language."""
    with reader_page(browser, site, locale="fr-FR") as page:
        visit(page, site, name)
        assert page.locator("html").get_attribute("lang") == "en-gb"
        assert page.locator("main [lang=fr]").count() > 0
        assert page.get_by_role("region", name="Dernière minute").is_visible()
        assert axe_violations(page) == []


def test_also_read_asides_in_the_seed_story_are_named_by_their_own_words(browser, site):
    """Each "Also read" between the paragraphs is a complementary landmark whose name is what
    it says, so a screen reader's list of landmarks tells them apart."""
    with reader_page(browser, site) as page:
        visit(page, site, "article")
        asides = page.locator("main .story__body aside")
        assert asides.count() == 2
        for headline in (
            "5 Surprising Business Leaders Who Attended Trump's Inauguration",
            "Advice from 5 CFOs Germinating Growth and Innovation in 2025",
        ):
            named = page.get_by_role("complementary", name=f"Also read: {headline}", exact=True)
            assert named.count() == 1


def open_settings_dialog(page) -> None:
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("dialog").wait_for()


@pytest.mark.parametrize("options", [DESKTOP, NARROW, ZOOMED], ids=["desktop", "320px", "zoom200"])
def test_axe_finds_no_violations_with_the_settings_dialog_open(browser, site, options):
    with reader_page(browser, site, **options) as page:
        visit(page, site, "image-story")
        open_settings_dialog(page)
        assert axe_violations(page) == []


@pytest.mark.parametrize("options", [NARROW, ZOOMED], ids=["320px", "zoom200"])
def test_settings_dialog_fits_a_320px_screen_and_200_percent_zoom(browser, site, options):
    with reader_page(browser, site, **options) as page:
        visit(page, site, "article")
        open_settings_dialog(page)
        fits = page.evaluate(
            """() => {
              const dialog = document.querySelector('dialog');
              const box = dialog.getBoundingClientRect();
              return [document.documentElement.scrollWidth <= document.documentElement.clientWidth,
                      box.left >= 0 && box.right <= innerWidth,
                      dialog.scrollWidth <= dialog.clientWidth];
            }"""
        )
        assert fits == [True, True, True]
        # Every control can be reached by scrolling the dialog itself.
        last = page.get_by_role("button", name="Reject all").last
        last.scroll_into_view_if_needed()
        assert last.is_visible()


@pytest.mark.parametrize("options", [NARROW, ZOOMED], ids=["320px", "zoom200"])
@pytest.mark.parametrize("name", ["home", "image-story", "cookie-settings"])
def test_axe_finds_no_violations_in_the_narrow_layouts(browser, site, name, options):
    """Target sizes and overlaps depend on the layout, so the narrow one is checked too."""
    with reader_page(browser, site, **options) as page:
        visit(page, site, name)
        assert axe_violations(page) == []


def test_axe_run_reports_a_planted_violation(browser, site):
    """The harness itself: a page with an unlabelled image and grey-on-white text must fail."""
    with reader_page(browser, site) as page:
        page.goto(site + "/")
        # Styles set through the DOM, not a style attribute, which the CSP refuses.
        page.evaluate(
            """() => {
              document.querySelector('main').insertAdjacentHTML('beforeend',
                '<img src="/favicon.ico"><p id="faint">Faint</p>');
              Object.assign(document.getElementById('faint').style,
                {color: '#ccc', background: '#fff'});
            }"""
        )
        rules = {line.split(":", 1)[0] for line in axe_violations(page)}
        assert {"image-alt", "color-contrast"} <= rules


WALK_STOP = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el.dataset.walked) return null;
  el.dataset.walked = "1";
  const box = el.getBoundingClientRect();
  // A link that wraps is several boxes with gaps between them: test the centre of each.
  const covers = [...el.getClientRects()]
    .map(r => document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2))
    .filter(hit => !(hit && (hit === el || el.contains(hit))));
  const style = getComputedStyle(el);
  return {
    element: el.outerHTML.slice(0, 120),
    covered_by: covers.length ? (covers[0] ? covers[0].outerHTML.slice(0, 80) : "nothing") : null,
    // Chromium scrolls a focused element just into view, which can leave a fraction of a
    // pixel outside: that is still in view.
    outside_viewport: box.top < -1 || box.left < -1
      || box.bottom > innerHeight + 1 || box.right > innerWidth + 1,
    outline: style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth),
  };
}"""


def focus_walk(page, *, limit: int = 200) -> list[dict]:
    """Tab from the top of the page until focus leaves it or comes round again."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(WALK_STOP)
        if stop is None:
            break
        stops.append(stop)
    return stops


@pytest.mark.parametrize("options", [DESKTOP, NARROW, ZOOMED], ids=["desktop", "320px", "zoom200"])
@pytest.mark.parametrize("path", ["/", IMAGE_STORY, "/tags/defence/"])
def test_every_focused_element_is_visible_outlined_and_not_under_the_banner(
    browser, site, path, options
):
    with reader_page(browser, site, **options) as page:
        page.goto(site + path)
        assert page.locator("[data-consent-banner]").is_visible()
        stops = focus_walk(page)
        # Skip link, three banner controls, brand, three nav links, search box and button, ...
        assert len(stops) > 10
        hidden = [
            stop
            for stop in stops
            if stop["covered_by"] or stop["outside_viewport"] or stop["outline"] < 2
        ]
        assert hidden == []


def test_skip_link_comes_first_and_jumps_past_banner_and_masthead(browser, site):
    with reader_page(browser, site) as page:
        page.goto(site + IMAGE_STORY)
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to main content")
        assert skip.evaluate("el => el === document.activeElement")
        assert skip.is_visible()
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('main') !== null")


@pytest.mark.parametrize("name", PAGES)
def test_page_has_one_banner_main_and_footer_landmark_and_labelled_navigation(browser, site, name):
    with reader_page(browser, site) as page:
        visit(page, site, name)
        assert page.get_by_role("banner").count() == 1
        assert page.get_by_role("main").count() == 1
        assert page.get_by_role("contentinfo").count() == 1
        assert page.get_by_role("navigation", name="Main").count() == 1
        assert page.get_by_role("search").count() == 1


@pytest.mark.parametrize("name", PAGES)
def test_headings_start_at_one_h1_in_main_and_never_skip_a_level(browser, site, name):
    with reader_page(browser, site) as page:
        visit(page, site, name)
        levels = page.eval_on_selector_all(
            "main h1, main h2, main h3, main h4, main h5, main h6",
            "hs => hs.map(h => Number(h.tagName[1]))",
        )
        assert page.locator("h1").count() == 1
        assert levels[:1] == [1]
        assert [(a, b) for a, b in pairwise(levels) if b > a + 1] == []


def test_story_image_has_alt_text_and_its_own_size_at_every_width(browser, site):
    for options in (DESKTOP, NARROW, ZOOMED):
        with reader_page(browser, site, **options) as page:
            page.goto(site + IMAGE_STORY)
            image = page.locator(".story__figure img")
            image.scroll_into_view_if_needed()
            page.wait_for_function("document.querySelector('.story__figure img').complete")
            assert image.get_attribute("alt") == "A grey drone on a stand in an exhibition hall."
            assert (image.get_attribute("width"), image.get_attribute("height")) == ("1200", "675")
            box = image.bounding_box()
            assert box["width"] <= options["viewport"]["width"]
            # Scaled down to fit, never squashed.
            assert box["height"] == pytest.approx(box["width"] * 675 / 1200, abs=1)


@pytest.mark.parametrize("banner", ["open", "closed"])
@pytest.mark.parametrize("options", [NARROW, ZOOMED], ids=["320px", "zoom200"])
def test_no_page_scrolls_sideways_at_320px_or_200_percent_zoom(browser, site, options, banner):
    overflowing = {}
    with reader_page(browser, site, banner=banner, **options) as page:
        for name in PAGES:
            visit(page, site, name)
            # None when the page fits; otherwise the innermost elements that stick out (or
            # whose text does), to say where to look.
            culprits = page.evaluate(
                """() => {
                  const width = document.documentElement.clientWidth;
                  if (document.documentElement.scrollWidth <= width) return null;
                  const wide = new Set([...document.body.querySelectorAll('*')].filter(el => {
                    const box = el.getBoundingClientRect();
                    return box.width > 1  // not the 1px visually-hidden headings
                      && Math.max(box.right, box.left + el.scrollWidth) > width + 0.5;
                  }));
                  return [...wide].filter(el => ![...el.children].some(c => wide.has(c)))
                    .map(el => el.outerHTML.slice(0, 80));
                }"""
            )
            if culprits is not None:
                overflowing[name] = culprits
    assert overflowing == {}


# WCAG 1.4.12's test values: a reader's own stylesheet may set at least these.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""


@pytest.mark.parametrize("name", PAGES)
def test_wider_text_spacing_at_320px_clips_nothing_and_scrolls_nothing_sideways(
    browser, site, name
):
    with reader_page(browser, site, **NARROW) as page:
        visit(page, site, name)
        # A constructed stylesheet, as a reader's extension would add: the site's CSP refuses an
        # inline <style>, rightly, but a reader's own styles must still win.
        page.evaluate(
            """css => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);
                        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; }""",
            TEXT_SPACING,
        )
        clipped = page.evaluate(
            """() => [...document.body.querySelectorAll('*')].filter(el => {
                 const style = getComputedStyle(el);
                 const hides = /hidden|clip/.test(style.overflowX + style.overflowY);
                 const spills = el.scrollHeight > el.clientHeight + 1
                   || el.scrollWidth > el.clientWidth + 1;
                 return hides && spills && el.clientWidth > 1;  // not the visually-hidden
               }).map(el => el.outerHTML.slice(0, 80))"""
        )
        assert clipped == []
        assert page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )


# Styles set through the DOM, not a style attribute, which the CSP refuses.
PROBE = """() => {
  document.querySelector('main').insertAdjacentHTML('beforeend', "<p id='probe'>Moving</p>");
  Object.assign(document.getElementById('probe').style, {
    transition: 'opacity 2s', animation: 'probe 2s infinite', scrollBehavior: 'smooth'});
}"""


@pytest.mark.parametrize(
    ("preference", "expected"),
    [("reduce", ("0s", "none", "auto")), ("no-preference", ("2s", "probe", "smooth"))],
)
def test_reduced_motion_switches_off_transitions_animations_and_smooth_scrolling(
    browser, site, preference, expected
):
    """A probe with motion of its own tests the stylesheet's rule, not today's lack of motion."""
    with reader_page(browser, site, reduced_motion=preference) as page:
        page.goto(site + IMAGE_STORY)
        page.evaluate(PROBE)
        motion = page.eval_on_selector(
            "#probe",
            "el => { const s = getComputedStyle(el);"
            " return [s.transitionDuration, s.animationName, s.scrollBehavior]; }",
        )
        assert tuple(motion) == expected


# The desk's People and Topics screens, signed in as an editor-in-chief

CHIEF_PASSWORD = "a-long-chief-password-1"
MAKE_PEOPLE = f"""
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.utils.http import urlsafe_base64_encode

from tests.factories import make_article, make_user

make_user(username="chief", role="Editor-in-chief", password="{CHIEF_PASSWORD}",
          email="chief@example.org")
make_user(username="wanda", role="Writer", email="wanda@example.org")
gone = make_user(username="gone", role="Editor")
gone.is_active = False
gone.save()
make_article(tags=["Defence", "Drones"])
invited = make_user(username="newcomer", role="Writer")
invited.set_unusable_password()
invited.save()
uid = urlsafe_base64_encode(str(invited.pk).encode())
print(f"/admin/desk/person/welcome/{{uid}}/{{default_token_generator.make_token(invited)}}/")
"""


@pytest.fixture(scope="module")
def desk_site(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """A site with an editor-in-chief and a few people; yields its URL and an invitation link."""
    require_browser()
    env = server_env(tmp_path_factory.mktemp("desk-site"))
    migrate(env)
    invitation = manage(env, "shell", "-c", MAKE_PEOPLE).strip().splitlines()[-1]
    with serve(env) as base:
        yield base, invitation


@contextmanager
def desk_page(browser, site: str) -> Iterator:
    """A page in a fresh browser context, signed in as the editor-in-chief."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(site + "/admin/login/")
        page.get_by_label("Username").fill("chief")
        page.get_by_label("Password").fill(CHIEF_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(site + "/admin/")
        yield page
    finally:
        context.close()


DESK_PAGES = {
    "index": "/admin/",
    "people": "/admin/desk/person/",
    "add a person": "/admin/desk/person/add/",
    "topics": "/admin/news/topic/",
}


@pytest.mark.parametrize("name", DESK_PAGES)
def test_axe_finds_no_violations_on_the_desk_screens(browser, desk_site, name):
    site, _ = desk_site
    with desk_page(browser, site) as page:
        response = page.goto(site + DESK_PAGES[name])
        assert response.status == 200
        assert axe_violations(page) == []


def test_axe_finds_no_violations_on_a_persons_page_and_a_refused_add_form(browser, desk_site):
    site, _ = desk_site
    with desk_page(browser, site) as page:
        page.goto(site + "/admin/desk/person/")
        page.get_by_role("link", name="wanda").click()
        page.wait_for_load_state()
        assert "Change person" in page.content()
        assert axe_violations(page) == []
        page.goto(site + "/admin/desk/person/add/")
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_load_state()
        assert page.locator(".errornote").count() == 1
        assert axe_violations(page) == []


def test_the_username_box_shows_the_name_the_email_will_give(browser, desk_site):
    site, _ = desk_site
    with desk_page(browser, site) as page:
        page.goto(site + "/admin/desk/person/add/")
        username = page.get_by_label("Username")
        assert username.get_attribute("placeholder") == ""
        page.get_by_role("textbox", name="Email").fill("Ann.Lee@example.org")
        assert username.get_attribute("placeholder") == "ann.lee"


def test_axe_finds_no_violations_on_the_invitation_pages(browser, desk_site):
    site, invitation = desk_site
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(site + invitation)
        assert "Choose your password" in page.content()
        assert axe_violations(page) == []
        page.goto(site + "/admin/desk/person/welcome/MQ/1-wrong/")
        assert "This link no longer works" in page.content()
        assert axe_violations(page) == []
    finally:
        context.close()
