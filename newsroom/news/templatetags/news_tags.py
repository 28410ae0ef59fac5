"""Template filters and tags of the readers' pages: machine-readable and localised dates, JSON-LD,
meta descriptions clipped to length, `{% jinja %}`, which
writes one of the story's Jinja2 templates into a page (news/jinja.py), and `{% frame %}`, by
which base.html hands the Jinja2 frame (frame.jinja) the blocks of a Django template's page."""

import json
import unicodedata
from datetime import datetime

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.template import engines
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockNode
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, add_truncation_text, calculate_truncate_chars_length
from django.utils.translation import pgettext

from newsroom.news import addresses

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str, **values) -> str:
    """`{% jinja "news/_story.jinja" authors=update.credits %}`: a Jinja2 template of the
    reader pages (news/jinja.py), given this template's context and the values named."""
    template = engines["jinja2"].env.get_template(template_name)
    names = context.flatten()
    names.update(values)
    # What the template engine wrote, escaped by it as it wrote it.
    return mark_safe(template.render(names))


class FrameNode(template.Node):
    """base.html's `{% frame %}{% block title %}{% frame_default %}{% endblock %}...{% endframe %}`:
    the page, written by the Jinja2 frame (base_html.jinja) with each block the page's
    templates gave it; a block none of them overrides is left to the frame."""

    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.blocks = [node for node in nodelist if isinstance(node, BlockNode)]

    def render(self, context) -> str:
        overridden = context.render_context.get(BLOCK_CONTEXT_KEY)
        slots = {
            node.name: mark_safe(node.render(context))  # what Django's templates wrote
            for node in self.blocks
            if overridden is not None and overridden.get_block(node.name) is not node
        }
        return jinja(context, "base_html.jinja", slots=slots)


@register.tag
def frame(parser, token):
    nodelist = parser.parse(("endframe",))
    parser.delete_first_token()
    return FrameNode(nodelist)


@register.simple_tag(takes_context=True)
def frame_default(context) -> str:
    """`{% frame_default %}` in a block of base.html: what the frame itself writes in that
    block, for a page's `{{ block.super }}`."""
    frame = engines["jinja2"].env.get_template("frame.jinja")
    block = frame.blocks[context["block"].name]
    return mark_safe("".join(block(frame.new_context(context.flatten()))))  # as Jinja2 wrote it


@register.filter
def iso8601(value: datetime | None) -> str:
    """A machine-readable time for <time datetime> and structured data: local time, whole
    seconds, explicit offset ("2026-08-20T09:30:00+00:00"). HTML allows at most three digits
    of a second, which Django's "c" format exceeds."""
    if not value:
        return ""
    return timezone.localtime(value).isoformat(timespec="seconds")


@register.filter(expects_localtime=True)
def long_date(value: datetime | None) -> str:
    """A day as readers of the active language write it: "3 December 2026", "3 décembre 2026".
    The format is translated (Django's own DATE_FORMAT for en-gb abbreviates the month), and
    asked for separately on the first of a month, which French writes "1er décembre"."""
    if not value:
        return ""
    if value.day == 1:
        return formats.date_format(value, pgettext("date format, the first of a month", "j F Y"))
    return formats.date_format(value, pgettext("date format", "j F Y"))


@register.filter(expects_localtime=True)
def long_datetime(value: datetime | None) -> str:
    """A day and time in the active language: "3 December 2026, 14:30 UTC", "3 décembre 2026
    à 14:30 UTC"; like `long_date`, with its own format for the first of a month."""
    if not value:
        return ""
    if value.day == 1:
        return formats.date_format(
            value, pgettext("date and time format, the first of a month", "j F Y, H:i T")
        )
    return formats.date_format(value, pgettext("date and time format", "j F Y, H:i T"))


_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003e", ord("<"): "\\u003c", ord("&"): "\\u0026"}


@register.filter(is_safe=True)
def clip(value, length: int) -> str:
    """Django's `truncatechars`, without its walk over every character of a text already short
    enough: the same result (the text in NFC form, or cut with an ellipsis), for a fraction of
    the cost on a story page's three meta descriptions."""
    text = unicodedata.normalize("NFC", str(value))
    length = int(length)
    if len(text) <= length:
        return text
    if length > 0 and not any(map(unicodedata.combining, text[: length + 1])):
        # Every character Truncator would count up to the cut counts as one: its cut, with
        # its ellipsis, without its walk in Python.
        return add_truncation_text(text[: calculate_truncate_chars_length(length, None)])
    return Truncator(text).chars(length)


@register.filter
def json_ld(data: dict) -> str:
    """`data` as JSON safe inside <script type="application/ld+json">: no "</script>" or
    "<!--" can appear, whatever editors typed."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_JSON_SCRIPT_ESCAPES))  # escaped above


@register.filter
def topic_url(slug: str) -> str:
    """`{{ tag.slug|topic_url }}`: the topic's page, as `{% url 'news:tag_detail' slug %}` gives
    it, without a full `reverse()` per topic (news/addresses.py)."""
    return addresses.topic_url(slug)
