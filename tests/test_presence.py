""" "Someone else is editing this story": presence on the change page, its ping and "Take over"."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom.desk import presence
from newsroom.desk.models import EditingSession
from newsroom.news import writing
from newsroom.news.models import Article
from tests.factories import make_article, make_author, make_user
from tests.test_workflow import form_data

pytestmark = pytest.mark.django_db


def person(first: str, last: str, *, role: str = "Editor"):
    user = make_user(role=role)
    user.first_name, user.last_name = first, last
    user.save()
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_url(article):
    return reverse("admin:news_article_change", args=[article.pk])


def ping_url(article):
    return reverse("admin:news_article_presence", args=[article.pk])


def take_over_url(article):
    return reverse("admin:news_article_take_over", args=[article.pk])


def clock(moment) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


def travel(monkeypatch, delta, *clients_and_users):
    """Move the clock on by `delta`, signing each (client, user) in again: sessions expire."""
    later = timezone.now() + delta
    monkeypatch.setattr(timezone, "now", lambda: later)
    for client, user in clients_and_users:
        client.force_login(user)


@pytest.fixture
def story():
    article = make_article(title="Harbour talks", authors=[make_author()])
    writing.finish(article, user=None, summary="Created")
    return article


@pytest.fixture
def ann():
    return person("Ann", "Lee")


@pytest.fixture
def bob():
    return person("Bob", "Marsh")


def banner_of(response) -> str:
    html = response.content.decode()
    start = html.index('id="newsroom-presence"')
    return html[start : html.index("</div>\n", html.index("</form>", start))]


def test_a_second_editor_sees_who_has_the_story_open_and_since_when(story, ann, bob):
    first, second = signed_in(ann), signed_in(bob)
    alone = first.get(change_url(story)).content.decode()
    assert "Someone else is editing" not in alone
    opened = EditingSession.objects.get(user=ann).started_at

    html = second.get(change_url(story)).content.decode()

    assert (
        f"Someone else is editing this story: Ann Lee, since {clock(opened)} "
        "(less than a minute ago)." in html
    )
    assert f'action="{take_over_url(story)}"' in html
    # And the first sees the second, on the page's next load.
    assert (
        "Someone else is editing this story: Bob Marsh"
        in first.get(change_url(story)).content.decode()
    )


def test_the_banner_says_how_many_minutes_ago_they_came(story, ann, bob, monkeypatch):
    first, second = signed_in(ann), signed_in(bob)
    first.get(change_url(story))
    opened = EditingSession.objects.get(user=ann).started_at
    travel(monkeypatch, timedelta(minutes=5), (first, ann), (second, bob))
    first.post(ping_url(story))
    html = second.get(change_url(story)).content.decode()
    assert f"Ann Lee, since {clock(opened)} (5 minutes ago)." in html


def test_the_ping_keeps_the_page_counted_and_answers_in_json(story, ann, bob, monkeypatch):
    first, second = signed_in(ann), signed_in(bob)
    first.get(change_url(story))
    travel(monkeypatch, timedelta(seconds=90), (first, ann), (second, bob))

    response = first.post(ping_url(story))

    assert response["Content-Type"] == "application/json"
    assert response.json() == {"editors": [], "taken_over": None}
    session = EditingSession.objects.get(user=ann)
    assert session.seen_at == timezone.now()
    assert session.pings

    second.get(change_url(story))
    editors = first.post(ping_url(story)).json()["editors"]
    assert [e["name"] for e in editors] == ["Bob Marsh"]
    assert editors[0]["message"].startswith("Someone else is editing this story: Bob Marsh, since")


def test_a_page_that_stops_pinging_is_gone_after_two_minutes(story, ann, bob, monkeypatch):
    first, second = signed_in(ann), signed_in(bob)
    first.get(change_url(story))
    first.post(ping_url(story))

    travel(monkeypatch, timedelta(minutes=2, seconds=-1), (second, bob))
    assert "Ann Lee" in second.post(ping_url(story)).content.decode()
    travel(monkeypatch, timedelta(seconds=2), (second, bob))
    assert second.post(ping_url(story)).json()["editors"] == []
    assert "Someone else is editing" not in second.get(change_url(story)).content.decode()


def test_a_page_without_javascript_counts_for_twenty_minutes_from_its_opening(
    story, ann, bob, monkeypatch
):
    signed_in(ann).get(change_url(story))  # no ping: no JavaScript
    second = signed_in(bob)

    travel(monkeypatch, timedelta(minutes=19), (second, bob))
    assert (
        "Someone else is editing this story: Ann Lee"
        in second.get(change_url(story)).content.decode()
    )
    travel(monkeypatch, timedelta(minutes=2), (second, bob))
    assert "Someone else is editing" not in second.get(change_url(story)).content.decode()


def test_taking_over_tells_the_others_at_their_next_ping(story, ann, bob):
    first, second = signed_in(ann), signed_in(bob)
    first.get(change_url(story))
    first.post(ping_url(story))
    second.get(change_url(story))

    response = second.post(take_over_url(story), follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [(change_url(story), 302)]
    assert "You took over \u201cHarbour talks\u201d. Ann Lee will see that you took over" in html
    assert "Someone else is editing" not in banner_of(response)
    taken = first.post(ping_url(story)).json()["taken_over"]
    at = EditingSession.objects.get(user=ann).taken_over_at
    assert taken["name"] == "Bob Marsh"
    assert taken["message"].startswith(
        f"Bob Marsh took over this story at {clock(at)}: your unsaved changes may conflict."
    )
    # Opening the story again, the first editor sees who has it now.
    again = first.get(change_url(story)).content.decode()
    assert f"Someone else is editing this story: Bob Marsh, since {clock(at)}" in again
    assert "took over this story" not in again


def test_the_taken_over_editors_save_is_still_refused_with_what_changed(story, ann, bob):
    first, second = signed_in(ann), signed_in(bob)
    first.get(change_url(story))
    opened = Article.objects.get(pk=story.pk)
    second.get(change_url(story))
    second.post(take_over_url(story))
    second.post(change_url(story), form_data(opened, title="Harbour talks end"))

    response = first.post(change_url(story), form_data(opened, standfirst="Ann's words."))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: " in html
    assert f"What {bob.get_username()} changed since you opened this story" in html
    assert Article.objects.get(pk=story.pk).standfirst != "Ann's words."


def test_take_over_is_a_plain_form_outside_the_story_form(story, ann, bob):
    signed_in(ann).get(change_url(story))
    second = Client(enforce_csrf_checks=True)
    second.force_login(bob)

    html = second.get(change_url(story)).content.decode()

    banner = html.index('id="newsroom-presence"')
    assert banner < html.index('id="article_form"') or banner > html.index("</form></div>")
    form = re.search(
        rf'<form method="post" action="{take_over_url(story)}"[^>]*>(.*?)</form>', html, re.S
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(1)).group(1)
    assert '<button type="submit" class="button">Take over</button>' in form.group(1)
    response = second.post(take_over_url(story), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert EditingSession.objects.get(user=ann).taken_over_by == bob


def test_the_ping_and_take_over_take_only_posts(story, ann):
    client = signed_in(ann)
    assert client.get(ping_url(story)).status_code == 405
    assert client.get(take_over_url(story)).status_code == 405
    assert not EditingSession.objects.exists()


def test_someone_who_cannot_edit_the_story_is_not_counted_and_cannot_take_over(story, ann):
    writer = make_user(role="Writer")
    own_published = make_article(created_by=writer, authors=[make_author()])
    client = signed_in(writer)
    client.get(change_url(own_published))  # a writer's published story is read-only to them
    assert not EditingSession.objects.exists()
    assert client.post(ping_url(own_published)).status_code == 403
    client.post(take_over_url(own_published))
    assert not EditingSession.objects.exists()


def test_presence_of_long_gone_pages_is_forgotten(story, ann, bob, monkeypatch):
    signed_in(ann).get(change_url(story))
    second = signed_in(bob)
    travel(monkeypatch, presence.FORGOTTEN + timedelta(seconds=1), (second, bob))
    second.get(change_url(story))
    assert list(EditingSession.objects.values_list("user", flat=True)) == [bob.pk]
