"""The rules by which the readers' Jinja2 templates (templates/**/*.jinja) write what Django's
templates would, and the filters and functions of the story's own templates.

The story page is the page readers open most often uncached, and Django's template engine
spent about half of its time there. Jinja2 compiles a template to Python, so the variables and
tags Django resolves node by node cost it less. The story itself (its header, body, notes,
topics, related links and live updates), its meta tags, its page and the frame around every
page are Jinja2 templates; newsroom/templating.py builds the environment from this one and adds
what the frame shows of the other apps.

The output is the same, byte for byte, as Django's templates give:

- every `{{ value }}` is escaped as Django escapes it (`&quot;`, `&#x27;`), not as MarkupSafe
  does (`&#34;`, `&#39;`), and a number or date is localised first, as Django does;
- `_("...")` and `pgettext(...)` are Django's `{% translate %}` and `{% blocktranslate %}`:
  the message is translated and not escaped, the values given to it are, and a translation
  whose placeholders do not fit gives the English message, as `{% blocktranslate %}` does. The
  message must be written out in the template, never a variable, since it is not escaped:
  `makemessages` refuses anything else, and tests/test_jinja.py reads every template;
- the date filters see local time, as Django's `expects_localtime` filters do;
- a name the context lacks is empty, and so is an attribute or item read from it. Calling a
  method of it (`article.get_ai_use_display()`) is an error where Django would write nothing:
  the views always give these templates their story.

`manage.py makemessages` reads the messages of these templates too (the news app's
`makemessages`), so the French catalogue keeps them.
"""

from __future__ import annotations

import html
from datetime import datetime

import jinja2
from django.template import defaultfilters
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, pgettext
from markupsafe import Markup

from .templatetags import news_tags


def translate(message: str, **values) -> SafeString:
    """`{{ _("Published <time>%(when)s</time>", when=...) }}`: the message in the reader's
    language (a translator's text, not escaped), with its values escaped."""
    return _format(gettext(message), values, english=message)


def translate_in_context(context: str, message: str, **values) -> SafeString:
    """`{{ pgettext("a live update kept at the top", "Pinned") }}`: `translate`, for a
    message whose context tells translators which sense of it is meant."""
    return _format(pgettext(context, message), values, english=message)


def _format(text: str, values: dict, *, english: str) -> SafeString:
    if values:
        escaped = {name: escape(value) for name, value in values.items()}
        try:
            text = text % escaped
        except (KeyError, ValueError, TypeError):
            # A translation whose placeholders do not fit the message's.
            text = english % escaped
    return mark_safe(text)  # a translator's (or the template's) text, values escaped above


def escape(value) -> Markup:
    """A value as Django's templates write it (`render_value_in_context`): what is already
    HTML (has `__html__`) as it is; a number or date localised, in local time; then escaped
    with the same entities (`&quot;`, `&#x27;`), without `conditional_escape`'s check for lazy
    arguments, which costs more than the escaping."""
    if type(value) is not str:
        if hasattr(value, "__html__"):
            return value
        value = str(localize(template_localtime(value)))
    return Markup(html.escape(value))


def _local(date_filter):
    """A filter of dates that, as Django's `expects_localtime` filters do, sees local time."""

    def filtered(value: datetime | None, *args):
        return date_filter(template_localtime(value), *args)

    filtered.__doc__ = date_filter.__doc__
    return filtered


def environment(**options) -> jinja2.Environment:
    """The environment Django's Jinja2 backend builds (settings.TEMPLATES)."""
    options.update(
        autoescape=True,
        # Escaped the Django way before Jinja2 looks: MarkupSafe leaves the result as it is.
        finalize=escape,
        # What a name the context lacks gives, and anything read from it: nothing, as in
        # Django's templates, whether DEBUG is on or off.
        undefined=jinja2.ChainableUndefined,
        # A template's last newline is part of what it writes, as in Django's templates.
        keep_trailing_newline=True,
    )
    env = jinja2.Environment(**options)
    env.globals.update(_=translate, pgettext=translate_in_context, url=reverse)
    env.filters.update(
        date=_local(defaultfilters.date),
        long_date=_local(news_tags.long_date),
        long_datetime=_local(news_tags.long_datetime),
        iso8601=news_tags.iso8601,
        clip=news_tags.clip,
        json_ld=news_tags.json_ld,
        topic_url=news_tags.topic_url,
        truncatewords=defaultfilters.truncatewords,
    )
    return env
