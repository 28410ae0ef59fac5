"""Editors in Django admin."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from newsroom.news import writing
from newsroom.news.models import Article, Author, Topic
from tests.factories import make_article, make_author, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    user = User.objects.create_user("ed", password="correct-horse-battery", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["news", "taggit"])
    )
    response = client.post(
        reverse("admin:login"),
        {"username": "ed", "password": "correct-horse-battery", "next": "/admin/"},
    )
    assert response.status_code == 302
    return client


def byline(author):
    """Form fields for a byline of `author`: a story is published only with one."""
    return {
        "bylines-TOTAL_FORMS": "1",
        "bylines-0-author": str(author.pk),
        "bylines-0-position": "0",
    }


def form_data(**overrides):
    data = {
        "title": "Drones over the Bosphorus",
        "slug": "drones-over-the-bosphorus",
        "standfirst": "A summary.",
        "body": "<p>Body text.</p>",
        "status": "published",
        "published_at_0": "2026-01-02",
        "published_at_1": "10:00:00",
        "tags": "Defence, Turkey",
        "lead_image_alt": "",
        "lead_image_caption": "",
        "lead_image_credit": "",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "related_links-TOTAL_FORMS": "1",
        "related_links-INITIAL_FORMS": "0",
        "related_links-0-title": "An earlier story",
        "related_links-0-url": "https://example.com/earlier",
        "related_links-0-position": "1",
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_changelist_loads_with_filters_and_search(editor_client):
    make_article(title="Listed story", authors=[make_author(name="Ann Lee")], tags=["Drones"])
    response = editor_client.get(reverse("admin:news_article_changelist"), {"q": "Listed"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Listed story" in html and "Ann Lee" in html and "Drones" in html


def test_changelist_query_count_does_not_grow_with_rows(
    editor_client, django_assert_max_num_queries
):
    for n in range(30):
        make_article(authors=[make_author()], tags=[f"T{n}", "Common"])
    with django_assert_max_num_queries(14):
        assert editor_client.get(reverse("admin:news_article_changelist")).status_code == 200


def test_change_form_loads_with_view_on_site(editor_client, seed_article):
    response = editor_client.get(reverse("admin:news_article_change", args=[seed_article.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "View on site" in html
    assert seed_article.title.replace("'", "&#x27;") in html


def test_editor_saves_an_article_with_a_related_link(editor_client):
    author = make_author(name="Kenji Sato")
    response = editor_client.post(
        reverse("admin:news_article_add"),
        form_data(
            **{
                "bylines-TOTAL_FORMS": "1",
                "bylines-0-author": str(author.pk),
                "bylines-0-position": "0",
            }
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()
    assert [(r.title, r.url) for r in article.related_links.all()] == [
        ("An earlier story", "https://example.com/earlier")
    ]
    assert [a.name for a in article.byline] == ["Kenji Sato"]
    assert sorted(t.name for t in article.tags.all()) == ["Defence", "Turkey"]


def test_body_from_the_admin_is_sanitised_on_save(editor_client):
    editor_client.post(
        reverse("admin:news_article_add"),
        form_data(
            body='<p onclick="x()">Fine <script>alert(1)</script><a href="javascript:x">l</a></p>',
            **byline(make_author()),
        ),
    )
    assert Article.objects.get().body == "<p>Fine <a>l</a></p>"


def test_published_without_a_time_means_now(editor_client):
    editor_client.post(
        reverse("admin:news_article_add"),
        form_data(published_at_0="", published_at_1="", **byline(make_author())),
    )
    assert Article.objects.published().count() == 1


def test_bad_form_is_refused_with_a_message_and_saves_nothing(editor_client):
    response = editor_client.post(
        reverse("admin:news_article_add"),
        form_data(title="", **{"related_links-0-url": "not a url"}),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html
    assert "Enter a valid URL." in html
    assert not Article.objects.exists()


def test_author_autocomplete_finds_authors(editor_client):
    make_author(name="Kenji Sato")
    make_author(name="Ann Lee")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"term": "Ken", "app_label": "news", "model_name": "byline", "field_name": "author"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Kenji Sato"]


def test_demo_editor_command_prints_a_working_login(client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_demo_editor", stdout=out)
    password = out.getvalue().split("with password ")[1].strip().strip("'")
    assert f"http://127.0.0.1:8000{reverse('admin:index')} " in out.getvalue()
    # Through the login form, as a person signs in (login throttling needs the request).
    response = client.post(reverse("admin:login"), {"username": "editor", "password": password})
    assert response.status_code == 302
    assert client.get(reverse("admin:news_article_changelist")).status_code == 200
    # An editor-in-chief, so the People screen can be tried too.
    assert client.get(reverse("admin:desk_person_add")).status_code == 200


def test_slug_help_shows_an_address_a_new_story_would_have(editor_client):
    html = editor_client.get(reverse("admin:news_article_add")).content.decode()
    assert "/news//" not in html
    assert "/news/drones-over-japan/" in html


def test_slug_help_shows_the_storys_own_address(editor_client):
    story = make_article(slug="harbour-strike")
    html = editor_client.get(reverse("admin:news_article_change", args=[story.pk])).content
    assert "/news//" not in html.decode()
    assert "address is /news/harbour-strike/." in html.decode()


def test_author_slug_help_shows_an_example_address(editor_client):
    html = editor_client.get(reverse("admin:news_author_add")).content.decode()
    assert "/authors//" not in html
    assert "/authors/ann-lee/" in html


def test_an_author_gets_a_role_and_profiles_elsewhere(editor_client):
    response = editor_client.post(
        reverse("admin:news_author_add"),
        {
            "name": "Ann Lee",
            "slug": "ann-lee",
            "role": "Defence correspondent",
            "bio": "",
            "same_as": "https://ann-lee.example/\r\n\r\nhttps://social.example/@annlee",
        },
    )
    assert response.status_code == 302
    author = Author.objects.get(slug="ann-lee")
    assert author.role == "Defence correspondent"
    assert author.profiles == ["https://ann-lee.example/", "https://social.example/@annlee"]


def test_profiles_that_are_not_web_addresses_are_refused_line_by_line(editor_client):
    response = editor_client.post(
        reverse("admin:news_author_add"),
        {
            "name": "Ann Lee",
            "slug": "ann-lee",
            "same_as": "https://ann-lee.example/\r\n@annlee\r\njavascript:alert(1)",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Line 2 (\u201c@annlee\u201d) is not a web address" in html
    assert "Line 3 (\u201cjavascript:alert(1)\u201d) is not a web address" in html
    assert "Line 1" not in html
    assert not Author.objects.exists()


def test_more_than_ten_profiles_are_refused_with_a_message(editor_client):
    lines = "\r\n".join(f"https://site{n}.example/" for n in range(11))
    response = editor_client.post(
        reverse("admin:news_author_add"), {"name": "Ann Lee", "slug": "ann-lee", "same_as": lines}
    )
    assert "At most 10 profiles, one a line (there are 11)." in response.content.decode()
    assert not Author.objects.exists()


def test_the_writing_space_is_spellchecked_wide_and_grows(editor_client):
    html = editor_client.get(reverse("admin:news_article_add")).content.decode()
    title = re.search(r"<input [^>]*id=\"id_title\"[^>]*>", html).group(0)
    standfirst = re.search(r"<textarea [^>]*id=\"id_standfirst\"[^>]*>", html).group(0)
    body = re.search(r"<textarea [^>]*id=\"id_body\"[^>]*>", html).group(0)
    for box in (title, standfirst, body):
        assert 'spellcheck="true"' in box
    assert re.search(r"<link href=\"/static/news/admin/writing-space(\.\w+)?\.css\"", html)
    css = (Path(settings.BASE_DIR) / "static/news/admin/writing-space.css").read_text()
    assert "#article_form #id_title" in css and "width: 100%" in css
    assert "field-sizing: content" in css
    assert ".prose-editor .ProseMirror" in css and "min-height: 30em" in css


# Plain words: what the admin says, as an editor reads it


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style", "template")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style", "template")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


# "Tags" or "tag" as a word; a page address such as /tags/defence/ is not a word.
TAG_WORD = re.compile(r"(?<![/\w])tags?(?![/\w])", re.IGNORECASE)


def test_the_admin_says_topics_and_never_tags_or_taggit(client):
    client.force_login(make_user(role="Editor"))
    story = make_article(tags=["Defence"])
    topic = Topic.objects.get()
    pages = {
        "index": reverse("admin:index"),
        "topics": reverse("admin:news_topic_changelist"),
        "topic": reverse("admin:news_topic_change", args=[topic.pk]),
        "new topic": reverse("admin:news_topic_add"),
        "stories": reverse("admin:news_article_changelist"),
        "story": reverse("admin:news_article_change", args=[story.pk]),
        "new story": reverse("admin:news_article_add"),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        text = visible_text(response.content.decode())
        assert "topic" in text.lower(), name
        assert "taggit" not in text.lower(), name
        assert TAG_WORD.findall(text) == [], name
    index = visible_text(client.get(pages["index"]).content.decode())
    assert "Stories, authors and topics" in index and "Topics" in index
    stories = visible_text(client.get(pages["stories"]).content.decode())
    assert "By topics" in stories


def test_the_tag_word_check_sees_the_word_it_forbids():
    """The control for the test above: taggit's own labels would fail it."""
    assert TAG_WORD.findall(visible_text("<h1>Taggit</h1><p>Select tag to change</p>"))
    assert not TAG_WORD.findall(visible_text('<p><a href="/tags/x/">/tags/defence/</a></p>'))


def test_the_topic_screen_names_its_address_and_links_its_stories(client):
    client.force_login(make_user(role="Editor"))
    make_article(tags=["Defence"])
    make_article(tags=["Defence"])
    topic = Topic.objects.get()
    html = client.get(reverse("admin:news_topic_change", args=[topic.pk])).content.decode()
    assert "Address" in visible_text(html) and "/tags/defence/ for Defence" in html
    stories = reverse("admin:news_article_changelist") + f"?tags__id__exact={topic.pk}"
    assert f'<a href="{stories}">2 stories</a>' in html
    listed = client.get(stories).content.decode()
    assert "2 stories" in visible_text(listed)


def test_a_topic_screen_without_taggit_permissions_is_refused(client):
    client.force_login(make_user(role="Writer"))
    assert client.get(reverse("admin:news_topic_changelist")).status_code == 200
    assert client.get(reverse("admin:news_topic_add")).status_code == 403


def test_who_saved_reads_an_import_or_a_former_user(client, seed_article):
    client.force_login(make_user(role="Editor"))
    gone = make_user(role="Editor", username="gone")
    writing.save(seed_article, user=gone)
    writing.finish(seed_article, user=gone, summary="Edited")
    gone.delete()
    html = client.get(reverse("admin:news_article_revisions", args=[seed_article.pk]))
    text = visible_text(html.content.decode())
    assert "Created by import of" in text and "an import" in text
    assert "a former user Edited" in text  # the By and What columns
    assert "importer" not in text and "removed user" not in text


def test_the_story_list_and_form_say_when_an_import_saved_last(client, seed_article):
    client.force_login(make_user(role="Editor"))
    written = make_article(title="Written here")
    gone = make_user(role="Editor", username="gone")
    writing.save(written, user=gone)
    gone.delete()
    text = visible_text(client.get(reverse("admin:news_article_changelist")).content.decode())
    assert re.search(r"\d\d:\d\d by an import", text)
    assert re.search(r"\d\d:\d\d by a former user", text)
    assert "removed user" not in text
    form = client.get(reverse("admin:news_article_change", args=[seed_article.pk]))
    assert "Last edited by an import at" in visible_text(form.content.decode())


def test_deleting_a_topic_says_its_stories_stay(client):
    client.force_login(make_user(role="Editor"))
    story = make_article(tags=["Defence"])
    topic = Topic.objects.get()
    url = reverse("admin:news_topic_delete", args=[topic.pk])
    text = visible_text(client.get(url).content.decode())
    assert "Stories that lose it (the stories stay): 1" in text
    assert "tagged" not in text.lower()
    client.post(url, {"post": "yes"})
    assert not Topic.objects.exists()
    assert Article.objects.filter(pk=story.pk).exists()


class InputAttributes(HTMLParser):
    """The attributes of every <input> in a page."""

    @classmethod
    def of(cls, html: str) -> list[dict[str, str | None]]:
        parser = cls()
        parser.found = []
        parser.feed(html)
        return parser.found

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.found.append(dict(attrs))


def test_each_date_and_time_box_on_the_story_form_has_a_name_of_its_own(editor_client):
    """The split boxes share one label that points at neither: each is named on its own."""
    html = editor_client.get(reverse("admin:news_article_add")).content.decode()
    names = {
        attrs["name"]: attrs.get("aria-label")
        for attrs in InputAttributes.of(html)
        if re.fullmatch(r"\w+_[01]", attrs.get("name") or "")
    }
    assert names["published_at_0"] == "Publication date"
    assert names["published_at_1"] == "Publication time"
    assert names["live_from_0"] and names["live_until_1"]
    assert None not in names.values()


def test_every_box_in_the_story_forms_tables_has_a_label(editor_client):
    """Django's tabular inline shows one header per column; each box also gets its label."""
    story = make_article(authors=[make_author()], related=[("Earlier", "https://example.org/")])
    html = editor_client.get(reverse("admin:news_article_change", args=[story.pk])).content
    html = html.decode()
    labelled = set(re.findall(r'<label for="(id_[\w-]+)"', html))
    for box in ("bylines-0-position", "bylines-0-DELETE", "related_links-0-url"):
        assert f"id_{box}" in labelled
    assert "<th></th>" not in html
    assert '<th class="original"></th>' not in html


def test_the_story_form_groups_type_and_disclosure_with_plain_help(editor_client):
    html = editor_client.get(reverse("admin:news_article_add")).content.decode()
    fieldset = html[html.index("Type and disclosure") :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    for name in ("article_type", "sponsor_name", "claim_reviewed", "ai_use", "reviewed_by"):
        assert f'name="{name}"' in fieldset
    assert "Required to publish an AI-generated story" in fieldset


def test_a_sponsored_story_without_a_sponsor_is_refused_with_a_message(editor_client):
    response = editor_client.post(
        reverse("admin:news_article_add"), form_data(article_type="sponsored", sponsor_name="")
    )
    assert response.status_code == 200
    assert "Say who paid for this sponsored story: readers must be told." in (
        response.content.decode()
    )
    assert not Article.objects.exists()


def test_a_sponsored_story_saved_in_the_admin_stores_sponsored_links(editor_client):
    response = editor_client.post(
        reverse("admin:news_article_add"),
        form_data(
            article_type="sponsored",
            sponsor_name="Acme Bank",
            body='<p><a href="https://acme.example/" rel="dofollow">Acme</a></p>',
            **byline(make_author()),
        ),
    )
    assert response.status_code == 302
    stored = Article.objects.get()
    assert stored.body == '<p><a href="https://acme.example/" rel="sponsored">Acme</a></p>'


def test_the_story_list_filters_by_type_and_ai_use(editor_client):
    make_article(title="An opinion", article_type=Article.Type.OPINION)
    make_article(title="A model wrote it", ai_use=Article.AIUse.GENERATED)
    url = reverse("admin:news_article_changelist")
    opinions = editor_client.get(url, {"article_type__exact": "opinion"}).content.decode()
    assert "An opinion" in opinions and "A model wrote it" not in opinions
    generated = editor_client.get(url, {"ai_use__exact": "generated"}).content.decode()
    assert "A model wrote it" in generated and "An opinion" not in generated
