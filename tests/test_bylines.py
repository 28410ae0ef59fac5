"""The byline on the story form: a new (guest or wire) author typed in place, and the order.

Through Django's test client, as a browser without JavaScript posts the form; the browser
version (bylines.js: dragging, the keyboard buttons) is tests/test_bylines_browser.py.
"""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from newsroom.news import writing
from newsroom.news.models import Article, Author, Byline
from tests.factories import make_article, make_author, make_user
from tests.test_workflow import change_url, form_data, login, posted_back, reload

pytestmark = pytest.mark.django_db
Status = Article.Status


def rows(*rows: dict[str, str], initial: int = 0) -> dict[str, str]:
    """Byline rows as the form posts them: each a dict of its fields."""
    data = {"bylines-TOTAL_FORMS": str(len(rows)), "bylines-INITIAL_FORMS": str(initial)}
    for n, row in enumerate(rows):
        data.update({f"bylines-{n}-{key}": value for key, value in row.items()})
    return data


def errors_of(response) -> str:
    assert response.status_code == 200, "the form should come back with its errors"
    return response.content.decode()


def test_writer_adds_a_guest_author_who_appears_in_the_byline_readers_see(client):
    writer = make_user(role="Writer")
    staff = make_author(name="Ann Lee", slug="ann-lee")
    login(client, writer)
    response = client.post(
        reverse("admin:news_article_add"),
        form_data(
            **rows(
                {"author": str(staff.pk), "position": "0"},
                {"new_author": "Jane Wire", "new_author_note": "Reuters", "position": "1"},
            )
        ),
    )
    assert response.status_code == 302
    article = Article.objects.get()
    guest = Author.objects.get(name="Jane Wire")
    assert (guest.slug, guest.bio) == ("jane-wire", "Reuters")
    assert list(article.byline) == [staff, guest]

    writing.move(article, Status.PUBLISHED, user=make_user(role="Editor"), summary="Published")
    page = client.get(reload(article).get_absolute_url()).content.decode()
    assert page.index("Ann Lee") < page.index("Jane Wire")


def test_writer_sees_the_new_author_field_without_javascript(client):
    writer = make_user(role="Writer")
    login(client, writer)
    html = client.get(reverse("admin:news_article_add")).content.decode()
    assert 'name="bylines-__prefix__-new_author"' in html
    assert 'name="bylines-__prefix__-position"' in html
    # And, with JavaScript, the author box's "+" (Django shows it to those who may add authors).
    assert 'id="add_id_bylines-__prefix__-author"' in html


def test_someone_who_may_not_add_authors_gets_no_new_author_field(client):
    writer = make_user(role="Writer")
    writer.groups.get().permissions.remove(
        Permission.objects.get(content_type__app_label="news", codename="add_author")
    )
    login(client, writer)
    html = client.get(reverse("admin:news_article_add")).content.decode()
    assert "new_author" not in html
    assert 'id="add_id_bylines-__prefix__-author"' not in html
    response = client.post(
        reverse("admin:news_article_add"),
        form_data(**rows({"new_author": "Jane Wire", "position": "0"})),
    )
    # The crafted name is not a field of their form: it is ignored, and no author is made.
    assert response.status_code == 302
    assert not Author.objects.exists()
    assert not Article.objects.get().bylines.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("   ", "Type the new author\u2019s name, or choose an existing author."),
        ("ann lee!", "There is already an author called \u201cAnn Lee\u201d"),
        ("???", "An author\u2019s name needs at least one letter or digit."),
    ],
)
def test_a_new_author_name_that_cannot_be_added_is_refused_with_why(client, typed, message):
    make_author(name="Ann Lee", slug="ann-lee")
    login(client, make_user(role="Writer"))
    response = client.post(
        reverse("admin:news_article_add"),
        form_data(**rows({"new_author": typed, "position": "0"})),
    )
    assert message in errors_of(response)
    assert not Article.objects.exists()
    assert Author.objects.count() == 1


def test_a_row_with_both_an_author_and_a_new_name_is_refused(client):
    staff = make_author(name="Ann Lee")
    login(client, make_user(role="Writer"))
    response = client.post(
        reverse("admin:news_article_add"),
        form_data(**rows({"author": str(staff.pk), "new_author": "Jane Wire", "position": "0"})),
    )
    assert "not both" in errors_of(response)
    assert not Author.objects.filter(name="Jane Wire").exists()


def test_a_row_with_neither_an_author_nor_a_name_is_refused(client):
    login(client, make_user(role="Writer"))
    response = client.post(
        reverse("admin:news_article_add"),
        form_data(**rows({"position": "3"})),
    )
    assert "Choose an author, or type a new author\u2019s name." in errors_of(response)
    assert not Article.objects.exists()


def test_the_same_new_name_in_two_rows_is_refused(client):
    login(client, make_user(role="Writer"))
    response = client.post(
        reverse("admin:news_article_add"),
        form_data(
            **rows(
                {"new_author": "Jane Wire", "position": "0"},
                {"new_author": "jane wire", "position": "1"},
            )
        ),
    )
    assert "is typed in two rows" in errors_of(response)
    assert not Author.objects.exists()


def test_a_note_for_an_existing_author_is_refused(client):
    staff = make_author(name="Ann Lee")
    login(client, make_user(role="Writer"))
    response = client.post(
        reverse("admin:news_article_add"),
        form_data(**rows({"author": str(staff.pk), "new_author_note": "AFP", "position": "0"})),
    )
    assert "A note goes with a new author" in errors_of(response)


def test_a_refused_story_form_adds_no_author(client):
    """The author is made only when the whole form is saved, never on a refusal elsewhere."""
    login(client, make_user(role="Writer"))
    response = client.post(
        reverse("admin:news_article_add"),
        form_data(title="", **rows({"new_author": "Jane Wire", "position": "0"})),
    )
    errors_of(response)
    assert not Author.objects.exists()


def test_position_numbers_order_the_byline_without_javascript(client):
    writer = make_user(role="Writer")
    first, second = make_author(name="Ann Lee"), make_author(name="Bo Chen")
    article = make_article(status=Status.DRAFT, created_by=writer, authors=[first, second])
    login(client, writer)
    data = posted_back(client, change_url(article))
    ann = Byline.objects.get(article=article, author=first)
    data[f"bylines-{0 if data['bylines-0-id'] == [str(ann.pk)] else 1}-position"] = ["5"]
    assert client.post(change_url(article), data).status_code == 302
    assert list(reload(article).byline) == [second, first]


def test_writers_may_add_authors_but_not_link_them_to_accounts(client):
    login(client, make_user(role="Writer"))
    html = client.get(reverse("admin:news_author_add")).content.decode()
    assert 'name="name"' in html
    assert 'name="user"' not in html


def test_add_author_gives_a_free_address_and_check_refuses_a_taken_one():
    make_author(name="Ann Lee", slug="ann-lee-2")
    added = writing.add_author(name="  Ann   Lee ", note=" Reuters ")
    assert (added.name, added.slug, added.bio) == ("Ann Lee", "ann-lee", "Reuters")
    with pytest.raises(ValidationError, match="already an author called"):
        writing.add_author(name="Ann Lee")
