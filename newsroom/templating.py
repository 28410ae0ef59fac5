"""The Jinja2 environment of the readers' pages: the frame around every page (frame.jinja, with
the consent banner, the breaking-news banner, the masthead and the footer) and the story's page.

Project glue, like urls.py: the frame shows what three apps contribute, the news app (the
breaking-news banner), the consent app (the banner, the page's scripts) and the publisher (the
footer's policies), and none of them may import another that sits beside it. The story's own
templates and the rules by which every Jinja2 template writes values and messages as Django's
would are the news app's (news/jinja.py).

Why Jinja2: the story page is the page readers open most often uncached, and Django's template
engine spent much of its time there on the machinery of blocks, includes and tags around what
the page shows. With the frame and the story page in Jinja2, the seed story's uncached page took
about 1,560 us in process instead of about 1,870 us (docs/performance.md). Django's other
pages extend base.html as before, which hands the frame their blocks (`{% frame %}`,
news_tags)."""

from __future__ import annotations

import jinja2
from django.template import defaultfilters, engines
from django.templatetags.static import static
from django.utils import timezone

from newsroom.consent.templatetags import consent_tags
from newsroom.news import breaking
from newsroom.news import jinja as news_jinja
from newsroom.pagecache import fragments
from newsroom.publisher import directory
from newsroom.publisher.templatetags import publisher_tags


@jinja2.pass_context
def breaking_banner(context) -> breaking.Banner | None:
    """`breaking_banner()`: the breaking-news story this page shows, if any."""
    return breaking.for_page(context.get("request"))


@jinja2.pass_context
def policy_links(context):
    """`policy_links()`: the live policies, for the footer."""
    return directory.for_page(context.get("request"))


@jinja2.pass_context
def consent_script(context, key: str, src: str):
    """`consent_script("analytics", src)`: the script, inert until its category is allowed."""
    return consent_tags.consent_script(context, key, src)


def django_template(template_name: str, **values) -> str:
    """`django_template("consent/_categories.html", prefix=...)`: a partial the Django pages
    share with the frame, written with the values given."""
    return engines["django"].get_template(template_name).render(values)


def environment(**options) -> jinja2.Environment:
    """The environment Django's Jinja2 backend builds (settings.TEMPLATES)."""
    env = news_jinja.environment(**options)
    env.globals.update(
        once=fragments.once,
        static=static,
        now=timezone.now,
        site_language=consent_tags.site_language,
        chrome_lang=consent_tags.chrome_lang,
        consent_settings=consent_tags.consent_settings,
        consent_script=consent_script,
        breaking_banner=breaking_banner,
        policy_links=policy_links,
        django_template=django_template,
    )
    env.filters.update(
        force_escape=defaultfilters.force_escape,
        join=defaultfilters.join,
        link_kinds=publisher_tags.link_kinds,
        urlencode=defaultfilters.urlencode,
        yesno=defaultfilters.yesno,
    )
    return env
