"""The outlet's policies: their pages, the footer links, the organisation's data, the Policies
screen, and the pages a change retires."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from newsroom.publisher import directory, structured_data
from newsroom.publisher.models import Policy
from tests import test_pagecache
from tests.factories import make_article, make_policy, make_user
from tests.test_pagecache import fetch, warm

pytestmark = pytest.mark.django_db
# The page cache's own fixture: the in-process cache, or the real Redis.
backend = test_pagecache.backend

ALL_KINDS = [kind.value for kind in Policy.Kind]


def absolute(path: str) -> str:
    return "http://testserver" + path


@pytest.fixture
def editor_client(client):
    client.force_login(make_user(role="Editor"))
    return client


def footer(html: str) -> str:
    return html.split('<footer class="site-footer">', 1)[1]


# --- Readers' pages ---


def test_a_live_policy_has_its_page_with_its_body_cleaned(client):
    make_policy(
        kind=Policy.Kind.CORRECTIONS,
        title="How we correct mistakes",
        body='<p onclick="x()">We say what changed.</p><script>alert(1)</script>',
    )
    response = client.get("/about/corrections/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="page-title">How we correct mistakes</h1>' in html
    assert "<p>We say what changed.</p>" in html
    assert "alert(1)" not in html and "onclick" not in html


@pytest.mark.parametrize("path", ["/about/ai-use/", "/about/no-such-kind/"])
def test_a_policy_not_live_or_not_written_is_the_sites_own_404(client, path):
    make_policy(kind=Policy.Kind.AI_USE, title="Hidden draft", is_live=False)
    response = client.get(path)
    assert response.status_code == 404
    assert "find that page" in response.content.decode()
    assert "Hidden draft" not in response.content.decode()


def test_the_about_page_lists_live_policies_in_reading_order(client):
    make_policy(kind=Policy.Kind.AI_USE, title="How we use AI", summary="Never to write.")
    make_policy(kind=Policy.Kind.ETHICS, title="Our ethics")
    make_policy(kind=Policy.Kind.MASTHEAD, title="Who we are", is_live=False)
    html = client.get("/about/").content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert main.index("Our ethics") < main.index("How we use AI")
    assert "Never to write." in main
    assert "Who we are" not in main


def test_the_about_page_is_not_found_while_no_policy_is_live(client):
    make_policy(is_live=False)
    assert client.get("/about/").status_code == 404


def test_every_page_footer_links_the_live_policies_only(client):
    make_policy(kind=Policy.Kind.ETHICS)
    make_policy(kind=Policy.Kind.CONTACT)
    make_policy(kind=Policy.Kind.OWNERSHIP, is_live=False)
    story = make_article()
    for path in ("/", story.get_absolute_url(), "/news/no-such-story/"):
        links = footer(client.get(path).content.decode())
        assert 'href="/about/"' in links, path
        assert 'href="/about/ethics/">Ethics policy</a>' in links, path
        assert 'href="/about/contact/">Contact and feedback</a>' in links, path
        assert "/about/ownership-funding/" not in links, path


def test_the_footer_marks_the_policy_being_read(client):
    make_policy(kind=Policy.Kind.ETHICS)
    make_policy(kind=Policy.Kind.MASTHEAD)
    links = footer(client.get("/about/masthead/").content.decode())
    assert 'href="/about/masthead/" aria-current="page"' in links
    assert 'href="/about/ethics/">' in links


def test_without_policies_the_footer_links_none(client):
    assert "/about/" not in footer(client.get("/").content.decode())


def test_french_readers_get_the_chrome_in_french(client):
    make_policy(kind=Policy.Kind.AI_USE, title="How we use AI")
    html = client.get("/about/", headers={"Accept-Language": "fr"}).content.decode()
    assert "À propos" in html
    assert "Usage de l\u2019IA" in footer(html)
    assert "How we use AI" in html  # the policy's own words stay as written


def test_policy_url_is_the_address_while_live_and_none_otherwise():
    assert directory.policy_url(Policy.Kind.AI_USE) is None
    policy = make_policy(kind=Policy.Kind.AI_USE, is_live=False)
    assert directory.policy_url(Policy.Kind.AI_USE) is None
    policy.is_live = True
    policy.save()
    assert directory.policy_url(Policy.Kind.AI_USE) == "/about/ai-use/"


# --- Queries ---


def test_policy_pages_cost_one_query_and_a_cache_hit_none(client, settings):
    for kind in ALL_KINDS:
        make_policy(kind=kind)
    settings.NEWSROOM_PAGE_CACHE = False
    client.get("/")  # process-wide look-ups (content types, the live policies), once per change
    for path in ("/about/", "/about/ethics/"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        assert len(ctx.captured_queries) == 1, path
    settings.NEWSROOM_PAGE_CACHE = True
    for path in ("/about/", "/about/ethics/"):
        warm(client, path)


def test_the_live_policies_are_read_once_per_change_not_per_page(client, django_assert_num_queries):
    make_policy()
    directory.live()
    with django_assert_num_queries(0):
        assert [link.kind for link in directory.live()] == ["ethics"]
    make_policy(kind=Policy.Kind.MASTHEAD)
    with django_assert_num_queries(1):
        assert [link.kind for link in directory.live()] == ["ethics", "masthead"]


# --- The organisation's data ---


def test_the_organisation_links_every_live_policy_under_its_property():
    for kind in ALL_KINDS:
        make_policy(kind=kind)
    data = structured_data.organization(absolute=absolute)
    assert data["@type"] == "NewsMediaOrganization"
    assert data["@id"] == "http://testserver/#publisher"
    assert {name: data[name] for name in structured_data.PROPERTIES.values()} == {
        "ethicsPolicy": "http://testserver/about/ethics/",
        "correctionsPolicy": "http://testserver/about/corrections/",
        "ownershipFundingInfo": "http://testserver/about/ownership-funding/",
        "masthead": "http://testserver/about/masthead/",
        "actionableFeedbackPolicy": "http://testserver/about/contact/",
    }
    assert data["publishingPrinciples"] == "http://testserver/about/"


def test_the_organisation_never_links_a_policy_that_is_not_live():
    make_policy(kind=Policy.Kind.ETHICS, is_live=False)
    make_policy(kind=Policy.Kind.MASTHEAD)
    data = structured_data.organization(absolute=absolute)
    assert data["masthead"] == "http://testserver/about/masthead/"
    for name in ("ethicsPolicy", "correctionsPolicy", "ownershipFundingInfo"):
        assert name not in data
    Policy.objects.filter(kind=Policy.Kind.MASTHEAD).delete()
    data = structured_data.organization(absolute=absolute)
    assert "masthead" not in data and "publishingPrinciples" not in data


def test_the_organisations_data_cannot_break_out_of_its_script_block(client, settings):
    settings.NEWSROOM_SITE_NAME = "News</script><script>alert(1)</script>"
    make_policy()
    html = client.get("/about/").content.decode()
    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert '"name": "News\\u003c/script\\u003e\\u003cscript\\u003ealert(1)' in block


# --- The Policies screen ---


def policy_form(**overrides) -> dict:
    return {
        "kind": Policy.Kind.ETHICS,
        "title": "Our ethics",
        "summary": "",
        "body": "<p>We check every fact.</p>",
        "is_live": "on",
        **overrides,
    }


def test_an_editor_writes_a_policy_and_readers_see_it(editor_client, client):
    assert editor_client.get(reverse("admin:index")).content.decode().count("Policies") >= 1
    response = editor_client.post(reverse("admin:publisher_policy_add"), policy_form())
    assert response.status_code == 302
    policy = Policy.objects.get()
    assert (policy.kind, policy.title, policy.is_live) == ("ethics", "Our ethics", True)
    editor_client.logout()
    assert "We check every fact." in client.get("/about/ethics/").content.decode()


def test_a_second_page_of_one_kind_is_refused_with_a_message(editor_client):
    make_policy(kind=Policy.Kind.ETHICS, title="The first")
    response = editor_client.post(
        reverse("admin:publisher_policy_add"), policy_form(title="The second")
    )
    assert response.status_code == 200
    assert "There is already a page of this kind" in response.content.decode()
    assert list(Policy.objects.values_list("title", flat=True)) == ["The first"]


def test_an_empty_policy_is_refused_with_a_message(editor_client):
    response = editor_client.post(reverse("admin:publisher_policy_add"), policy_form(body=""))
    assert response.status_code == 200
    assert "Write the policy before saving" in response.content.decode()
    assert not Policy.objects.exists()


def test_writers_do_not_manage_policies(client):
    client.force_login(make_user(role="Writer"))
    assert client.get(reverse("admin:publisher_policy_changelist")).status_code == 403
    assert client.post(reverse("admin:publisher_policy_add"), policy_form()).status_code == 403
    assert not Policy.objects.exists()


# --- What a change retires ---


def test_a_policy_going_live_shows_in_every_footer_on_the_next_request(client, backend):
    story = make_article()
    draft = make_policy(kind=Policy.Kind.MASTHEAD, is_live=False)
    assert "/about/masthead/" not in warm(client, "/")
    assert "/about/masthead/" not in warm(client, story.get_absolute_url())

    draft.is_live = True
    draft.save()

    assert "/about/masthead/" in footer(fetch(client, "/")[1])
    html = fetch(client, story.get_absolute_url())[1]
    assert '"masthead": "http://testserver/about/masthead/"' in html


def test_an_edit_shows_on_the_policy_page_and_the_list_without_retiring_other_pages(
    client, backend
):
    policy = make_policy(kind=Policy.Kind.ETHICS, title="Old title")
    warm(client, "/about/ethics/")
    warm(client, "/about/")
    warm(client, "/")

    policy.title = "New title"
    policy.body = "<p>Reworded.</p>"
    policy.save()

    assert "Reworded." in fetch(client, "/about/ethics/")[1]
    assert "New title" in fetch(client, "/about/")[1]
    # The footer names the kind, not the title: the home page is still the stored one.
    assert fetch(client, "/")[2] == 0


def test_taking_a_policy_down_or_deleting_it_retires_its_page_and_every_link(client, backend):
    ethics = make_policy(kind=Policy.Kind.ETHICS)
    contact = make_policy(kind=Policy.Kind.CONTACT)
    for path in ("/", "/about/", "/about/ethics/", "/about/contact/"):
        warm(client, path)

    ethics.is_live = False
    ethics.save()
    contact.delete()

    assert fetch(client, "/about/ethics/")[0] == 404
    assert fetch(client, "/about/contact/")[0] == 404
    assert fetch(client, "/about/")[0] == 404
    assert "/about/" not in footer(fetch(client, "/")[1])
