"""The story's Jinja2 templates write what Django's templates would, and their messages reach
the translation catalogue."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.template import engines
from django.utils import timezone, translation

from newsroom.news.management.commands.makemessages import as_python
from tests.test_views import _catalogue

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CONSENT_CATALOGUE = (
    TEMPLATES.parent / "newsroom" / "consent" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
)
TRICKY = 'Tom\'s "drones" <b>& more</b>'


def jinja(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def django(source: str, **context) -> str:
    return engines["django"].from_string("{% load i18n news_tags %}" + source).render(context)


def test_values_are_escaped_as_django_escapes_them():
    assert jinja("{{ v }}", v=TRICKY) == django("{{ v }}", v=TRICKY)
    assert (
        jinja("{{ v }}", v=TRICKY) == "Tom&#x27;s &quot;drones&quot; &lt;b&gt;&amp; more&lt;/b&gt;"
    )
    # HTML already safe, such as the sanitised body, is written as it is.
    assert jinja("{{ v|safe }}", v="<p>Hi</p>") == "<p>Hi</p>"


def test_a_name_the_context_lacks_writes_nothing_even_read_from():
    assert jinja("[{{ missing }}|{{ missing.number }}|{% if missing %}x{% endif %}]") == "[||]"


def test_messages_are_translated_and_their_values_escaped():
    message = "{{ _('Published <time datetime=\"%(stamp)s\">%(when)s</time>', stamp=s, when=w) }}"
    with translation.override("fr"):
        written = jinja(message, s="2026", w=TRICKY)
        assert written == django(
            '{% blocktranslate with stamp=s when=w %}Published <time datetime="{{ stamp }}">'
            "{{ when }}</time>{% endblocktranslate %}",
            s="2026",
            w=TRICKY,
        )
    assert written.startswith('Publié le <time datetime="2026">Tom&#x27;s &quot;')
    with translation.override("fr"):
        assert jinja('{{ pgettext("note on a story", "Correction") }}') == django(
            '{% translate "Correction" context "note on a story" %}'
        )


def test_numbers_are_localised_as_django_localises_them(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override("fr"):
        written = jinja("{{ n }} {{ x }} {{ _('%(n)s new', n=n) }}", n=12345, x=2.5)
        assert written == django(
            "{{ n }} {{ x }} {% blocktranslate %}{{ n }} new{% endblocktranslate %}", n=12345, x=2.5
        )
    assert written.startswith("12\xa0345 2,5")


def test_a_translation_that_does_not_fit_its_message_gives_the_english(monkeypatch):
    monkeypatch.setattr("newsroom.news.jinja.gettext", lambda message: "Publié %(quand)s")
    assert jinja("{{ _('Published %(when)s', when=w) }}", w="<today>") == "Published &lt;today&gt;"


def test_dates_are_written_in_local_time(settings):
    settings.TIME_ZONE = "Europe/Paris"
    moment = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    source = "{{ m|long_datetime }} {{ m|date('H:i') }}"
    with timezone.override("Europe/Paris"):
        written = jinja(source, m=moment)
        assert written == django('{{ m|long_datetime }} {{ m|date:"H:i" }}', m=moment)
    assert written == "2 December 2026, 00:30 CET 00:30"


def test_makemessages_reads_each_message_on_its_line():
    source = "<p>\n{{ _('One') }} {{ pgettext('verb', 'Search') }}\n{{ _('%(n)s new', n=3) }}</p>\n"
    assert as_python(source, name="t.jinja").splitlines() == [
        "",
        "_('One');pgettext('verb', 'Search');",
        "_('%(n)s new');",
    ]


def test_makemessages_reads_a_message_on_a_last_line_without_its_newline():
    assert as_python("<p>\n{{ _('Last') }}", name="t.jinja") == "\n_('Last');"


@pytest.mark.parametrize("source", ["{{ _(title) }}", "{{ pgettext('verb') }}", "{% if %}"])
def test_makemessages_refuses_a_message_it_cannot_read(source):
    with pytest.raises(CommandError, match=r"t\.jinja"):
        as_python(source, name="t.jinja")


def test_every_message_of_the_jinja_templates_is_in_the_french_catalogue():
    # The project's catalogue, and the consent app's (the banner's category names).
    entries = _catalogue() + _catalogue(CONSENT_CATALOGUE)
    translated = {(context, msgid) for context, msgid, msgstrs in entries if all(msgstrs)}
    templates = sorted(TEMPLATES.rglob("*.jinja"))
    assert templates
    for template in templates:
        source = template.read_text(encoding="utf-8")
        calls = re.findall(r"(_|pgettext)\((.*?)\);", as_python(source, name=str(template)))
        # Every call written in the template was read (none hidden from makemessages).
        assert len(calls) == len(re.findall(r"\b(?:_|pgettext)\(", source)), template
        for found in calls:
            texts = eval(f"({found[1]},)")
            key = ("", texts[0]) if found[0] == "_" else texts
            assert key in translated, (template.name, key)
