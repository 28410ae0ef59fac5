"""The People screen: an editor-in-chief adds, invites, changes and deactivates staff."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse

from newsroom.desk import people
from newsroom.news import workflow
from newsroom.news.models import Author
from tests.factories import make_article, make_author, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-1"
NEW_PASSWORD = "plum-orchard-lantern-42"
PEOPLE = reverse("admin:desk_person_changelist")
ADD = reverse("admin:desk_person_add")


@pytest.fixture
def chief(client):
    user = make_user(role="Editor-in-chief", username="chief", email="chief@example.org")
    client.force_login(user)
    return user


def add_form(**overrides):
    data = {
        "name": "Ann Lee",
        "email": "ann.lee@example.org",
        "username": "",
        "role": "writer",
        "credit": "on",
        "sign_in": "invite",
        "password1": "",
        "password2": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def change_url(user):
    return reverse("admin:desk_person_change", args=[user.pk])


def change_form(user, **overrides):
    data = {
        "name": user.get_full_name() or user.username.title(),
        "email": user.email,
        "role": people.role_of(user) or "",
        "is_active": "on" if user.is_active else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v}


def sign_in(username, password):
    """A fresh browser signing in through the login form; the client, or None if refused."""
    browser = Client()
    response = browser.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
    )
    return browser if response.status_code == 302 else None


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def invitation_link(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.body)[1]


# Adding


def test_an_editor_in_chief_adds_a_writer_who_can_sign_in_and_write(client, chief):
    response = client.post(
        ADD,
        add_form(sign_in="password", password1=NEW_PASSWORD, password2=NEW_PASSWORD),
        follow=True,
    )
    assert response.status_code == 200
    ann = User.objects.get(username="ann.lee")
    assert ann.is_staff and ann.is_active and not ann.is_superuser
    assert ann.get_full_name() == "Ann Lee" and ann.email == "ann.lee@example.org"
    assert [g.name for g in ann.groups.all()] == ["Writer"]
    assert Author.objects.get(user=ann).name == "Ann Lee"
    assert mail.outbox == []
    writer = sign_in("ann.lee", NEW_PASSWORD)
    assert writer is not None
    assert writer.get(reverse("admin:news_article_add")).status_code == 200
    assert writer.get(PEOPLE).status_code == 403


def test_an_invitation_emails_a_link_that_sets_the_password_and_signs_in(client, chief):
    response = client.post(ADD, add_form(role="editor"), follow=True)
    assert any("Emailed Ann Lee (ann.lee@example.org)" in m for m in messages_of(response))
    ann = User.objects.get(username="ann.lee")
    assert not ann.has_usable_password()
    assert sign_in("ann.lee", "") is None
    [message] = mail.outbox
    assert message.to == ["ann.lee@example.org"]
    assert "ann.lee" in message.body and "as an editor" in message.body

    newcomer = Client()
    link = invitation_link(message)
    form_page = newcomer.get(link, follow=True)
    assert "Choose your password" in form_page.content.decode()
    set_password = form_page.redirect_chain[-1][0]
    done = newcomer.post(
        set_password,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == reverse("admin:index")
    assert "Your password is set and you are signed in" in done.content.decode()
    assert sign_in("ann.lee", NEW_PASSWORD) is not None
    again = Client().get(link, follow=True).content.decode()
    assert "This link no longer works" in again


def test_a_made_up_or_broken_link_says_it_no_longer_works(client, chief):
    client.post(ADD, add_form())
    good = invitation_link(mail.outbox[0])
    uid, token = good.rstrip("/").split("/")[-2:]
    for link in (
        reverse("admin:desk_person_welcome", args=[uid, "1-wrong"]),
        reverse("admin:desk_person_welcome", args=["!!", token]),
    ):
        response = Client().get(link)
        assert response.status_code == 200
        assert "This link no longer works" in response.content.decode()
        assert "Ask an editor-in-chief to send you a new one" in response.content.decode()


def test_an_invitation_link_stops_working_when_the_person_is_deactivated(client, chief):
    client.post(ADD, add_form())
    ann = User.objects.get(username="ann.lee")
    ann.is_active = False
    ann.save()
    page = Client().get(invitation_link(mail.outbox[0]), follow=True).content.decode()
    assert "This link no longer works" in page


def test_the_username_comes_from_the_email_with_a_number_when_taken(client, chief):
    make_user(username="Ann")
    client.post(ADD, add_form(email="ann@example.org"))
    client.post(ADD, add_form(name="Ann Other", email="ann@example.net"))
    assert User.objects.filter(username__in=["ann2", "ann3"]).count() == 2


def test_without_an_email_the_username_comes_from_the_name(client, chief):
    client.post(
        ADD,
        add_form(email="", sign_in="password", password1=NEW_PASSWORD, password2=NEW_PASSWORD),
    )
    assert User.objects.filter(username="ann.lee", email="").exists()


def test_an_existing_author_of_the_same_name_is_linked_not_duplicated(client, chief):
    author = make_author(name="Ann Lee", slug="ann-lee")
    response = client.post(ADD, add_form(), follow=True)
    assert Author.objects.filter(name="Ann Lee").count() == 1
    assert Author.objects.get(pk=author.pk).user.username == "ann.lee"
    assert any("linked to their account" in m for m in messages_of(response))


def test_a_new_author_entry_gets_a_free_address(client, chief):
    taken = make_author(name="Ann Lee", slug="ann-lee")
    taken.user = make_user()  # another Ann Lee's, so not linked
    taken.save()
    client.post(ADD, add_form())
    assert Author.objects.get(user__username="ann.lee").slug == "ann-lee-2"


def test_no_byline_when_the_box_is_unticked(client, chief):
    client.post(ADD, add_form(credit=None))
    assert User.objects.filter(username="ann.lee").exists()
    assert not Author.objects.exists()


def test_an_editor_in_chief_can_add_another_editor_in_chief(client, chief):
    client.post(ADD, add_form(role="editor-in-chief"))
    ann = User.objects.get(username="ann.lee")
    assert people.role_of(ann) == people.Role.EDITOR_IN_CHIEF
    assert workflow.is_editor(ann) and ann.has_perms(["desk.add_person", "desk.change_person"])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"email": ""}, "To email them an invitation, give their email address"),
        ({"email": "not an address"}, "Enter a valid email address."),
        ({"username": "CHIEF"}, "Someone already signs in as \u201cCHIEF\u201d"),
        ({"username": "ann lee"}, "Enter a valid username."),
        ({"email": "Chief@Example.org"}, "(chief) already has this email address"),
        ({"role": "publisher"}, "Select a valid choice."),
        ({"sign_in": "password"}, "Type a password, or choose to email them an invitation"),
        (
            {"sign_in": "password", "password1": NEW_PASSWORD, "password2": "other"},
            "The two passwords differ",
        ),
        ({"sign_in": "password", "password1": "abc", "password2": "abc"}, "too short"),
    ],
)
def test_a_form_that_cannot_be_saved_says_why_and_adds_nobody(client, chief, overrides, message):
    response = client.post(ADD, add_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == 1
    assert mail.outbox == []


def test_a_mail_server_that_fails_leaves_the_person_added_and_says_so(client, chief, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on discard
    response = client.post(ADD, add_form(), follow=True)
    assert response.status_code == 200
    said = " ".join(messages_of(response))
    assert "The invitation to Ann Lee could not be sent" in said
    assert "Traceback" not in response.content.decode()
    assert User.objects.filter(username="ann.lee").exists()


def test_without_a_mail_server_the_screen_says_the_email_went_to_the_log(
    client, chief, settings, capsys
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    response = client.post(ADD, add_form(), follow=True)
    assert "written to the server's log instead of being sent" in " ".join(messages_of(response))
    assert "/welcome/" in capsys.readouterr().out


# The list


def test_the_list_shows_name_email_role_access_and_last_sign_in(client, chief):
    make_user(username="wanda", role="Writer", email="wanda@example.org")
    gone = make_user(username="gone", role="Editor")
    gone.is_active = False
    gone.save()
    html = client.get(PEOPLE).content.decode()
    for text in ("wanda", "wanda@example.org", "Writer", "Editor-in-chief", "Never", "gone"):
        assert text in html
    assert 'alt="False"' in html  # the deactivated editor cannot sign in


def test_the_role_filter_shows_only_that_role(client, chief):
    make_user(username="wanda", role="Writer")
    make_user(username="eddie", role="Editor")
    html = client.get(PEOPLE, {"role": "editor"}).content.decode()
    assert "eddie" in html and "wanda" not in html
    html = client.get(PEOPLE, {"role": "writer"}).content.decode()
    assert "wanda" in html and "eddie" not in html


def test_the_access_filter_shows_who_can_sign_in_or_not(client, chief):
    make_user(username="wanda")
    gone = make_user(username="gone")
    gone.is_active = False
    gone.save()
    html = client.get(PEOPLE, {"active": "no"}).content.decode()
    assert "gone" in html and "wanda" not in html
    html = client.get(PEOPLE, {"active": "yes"}).content.decode()
    assert "wanda" in html and ">gone<" not in html


def test_the_list_costs_the_same_queries_however_many_people(
    client, chief, django_assert_max_num_queries
):
    for n in range(3):
        make_user(username=f"few{n}")
    with django_assert_max_num_queries(12) as few:
        client.get(PEOPLE)
    for n in range(30):
        make_user(username=f"many{n}", role="Editor")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(PEOPLE)


# Changing


def test_a_writer_is_made_an_editor(client, chief):
    wanda = make_user(username="wanda", role="Writer")
    response = client.post(change_url(wanda), change_form(wanda, role="editor"))
    assert response.status_code == 302
    wanda.refresh_from_db()
    assert people.role_of(wanda) == people.Role.EDITOR
    assert [g.name for g in wanda.groups.all()] == ["Editor"]
    assert workflow.is_editor(User.objects.get(pk=wanda.pk))


def test_other_groups_are_kept_when_the_role_changes(client, chief):
    from django.contrib.auth.models import Group

    wanda = make_user(username="wanda", role="Writer")
    wanda.groups.add(Group.objects.create(name="Night desk"))
    client.post(change_url(wanda), change_form(wanda, role="editor"))
    assert sorted(g.name for g in wanda.groups.all()) == ["Editor", "Night desk"]


def test_deactivating_stops_sign_in_and_keeps_the_account_and_its_stories(client, chief):
    wanda = make_user(username="wanda", role="Writer", password=PASSWORD)
    story = make_article(created_by=wanda)
    response = client.post(change_url(wanda), change_form(wanda, is_active=""))
    assert response.status_code == 302
    wanda.refresh_from_db()
    assert not wanda.is_active and wanda.is_staff
    assert sign_in("wanda", PASSWORD) is None
    story.refresh_from_db()
    assert story.created_by == wanda


def test_deactivating_signs_out_a_person_who_is_signed_in(client, chief):
    wanda = make_user(username="wanda", role="Writer", password=PASSWORD)
    session = sign_in("wanda", PASSWORD)
    client.post(PEOPLE, {"action": "deactivate", "_selected_action": [wanda.pk]})
    assert session.get(reverse("admin:news_article_changelist")).status_code == 302


def test_the_deactivate_and_reactivate_actions(client, chief):
    wanda = make_user(username="wanda", role="Writer", password=PASSWORD)
    response = client.post(
        PEOPLE, {"action": "deactivate", "_selected_action": [wanda.pk]}, follow=True
    )
    assert any("Deactivated: wanda" in m for m in messages_of(response))
    assert sign_in("wanda", PASSWORD) is None
    client.post(PEOPLE, {"action": "reactivate", "_selected_action": [wanda.pk]})
    assert sign_in("wanda", PASSWORD) is not None


def test_the_screen_never_deletes_anyone(client, chief):
    wanda = make_user(username="wanda")
    assert client.get(reverse("admin:desk_person_delete", args=[wanda.pk])).status_code == 403
    html = client.get(PEOPLE).content.decode()
    assert 'value="delete_selected"' not in html
    client.post(PEOPLE, {"action": "delete_selected", "_selected_action": [wanda.pk]})
    assert User.objects.filter(pk=wanda.pk).exists()


def test_the_sign_in_link_action_skips_people_it_cannot_reach(client, chief):
    reachable = make_user(username="wanda", email="wanda@example.org")
    no_email = make_user(username="nomail")
    deactivated = make_user(username="gone", email="gone@example.org")
    deactivated.is_active = False
    deactivated.save()
    response = client.post(
        PEOPLE,
        {
            "action": "send_sign_in_link",
            "_selected_action": [reachable.pk, no_email.pk, deactivated.pk],
        },
        follow=True,
    )
    said = " ".join(messages_of(response))
    assert [m.to for m in mail.outbox] == [["wanda@example.org"]]
    assert "Not sent to nomail: they have no email address" in said
    assert "Not sent to gone: they are deactivated" in said


# Refusals


def test_an_editor_in_chief_cannot_change_their_own_role_or_deactivate_themselves(client, chief):
    make_user(username="other-chief", role="Editor-in-chief")
    for change in ({"role": "writer"}, {"is_active": ""}):
        response = client.post(change_url(chief), change_form(chief, **change))
        assert response.status_code == 200
        assert "You can\u2019t change your own role or deactivate yourself" in (
            response.content.decode().replace("&#x27;", "\u2019").replace("'", "\u2019")
        )
    chief.refresh_from_db()
    assert chief.is_active and people.role_of(chief) == people.Role.EDITOR_IN_CHIEF
    response = client.post(
        PEOPLE, {"action": "deactivate", "_selected_action": [chief.pk]}, follow=True
    )
    assert any("deactivate yourself" in m for m in messages_of(response))
    assert User.objects.get(pk=chief.pk).is_active


def test_the_only_editor_in_chief_is_told_to_make_another_first(client, chief):
    response = client.post(change_url(chief), change_form(chief, role="editor"))
    html = response.content.decode()
    assert "You are the newsroom&#x27;s only editor-in-chief" in html
    assert "make someone else editor-in-chief first" in html
    assert people.role_of(User.objects.get(pk=chief.pk)) == people.Role.EDITOR_IN_CHIEF


def test_an_editor_in_chief_may_rename_themselves(client, chief):
    response = client.post(change_url(chief), change_form(chief, name="The Chief"))
    assert response.status_code == 302
    assert User.objects.get(pk=chief.pk).get_full_name() == "The Chief"


def test_an_administrator_is_read_only_to_an_editor_in_chief(client, chief):
    admin = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    admin.first_name = "Rosa Root"
    admin.save()
    page = client.get(change_url(admin))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="is_active"' not in html
    assert "Rosa Root" in html and "root@example.org" in html and "Administrator" in html
    client.post(change_url(admin), {"name": "Root", "email": "", "role": "writer"})
    response = client.post(
        PEOPLE, {"action": "deactivate", "_selected_action": [admin.pk]}, follow=True
    )
    assert any("only another administrator can change" in m for m in messages_of(response))
    admin.refresh_from_db()
    assert admin.is_active and not admin.groups.exists()


def test_an_administrator_counts_as_an_editor_in_chief(client):
    admin = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(admin)
    assert client.get(ADD).status_code == 200
    only_chief = make_user(username="solo", role="Editor-in-chief")
    response = client.post(change_url(only_chief), change_form(only_chief, role="editor"))
    assert response.status_code == 302
    assert people.role_of(User.objects.get(pk=only_chief.pk)) == people.Role.EDITOR


@pytest.mark.parametrize("role", ["Writer", "Editor"])
def test_anyone_else_is_refused_with_the_readable_not_allowed_page(client, role):
    client.force_login(make_user(role=role))
    wanda = make_user(username="wanda")
    for url in (PEOPLE, ADD, change_url(wanda)):
        response = client.get(url)
        assert response.status_code == 403
        assert "You can't do that here" in response.content.decode()
    response = client.post(ADD, add_form())
    assert response.status_code == 403
    assert not User.objects.filter(username="ann.lee").exists()
    assert "People" not in client.get(reverse("admin:index")).content.decode()


def test_the_admin_index_links_people_for_an_editor_in_chief(client, chief):
    html = client.get(reverse("admin:index")).content.decode()
    assert f'<a href="{PEOPLE}"' in html and ">People<" in html


def test_the_add_form_suggests_the_username_without_javascript_too(client, chief):
    html = client.get(ADD).content.decode()
    assert "Leave it empty to use the part of their email before the @" in html
    assert "desk/admin/people" in html  # the placeholder script, an enhancement only


def test_djangos_users_screen_stays_for_administrators_only(client, chief):
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    admin = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(admin)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
