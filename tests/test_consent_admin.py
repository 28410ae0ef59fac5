"""The consent log in the admin: editors can look a consent id up and export, never edit."""

import csv
import io

import pytest

from newsroom.consent.models import Category, ConsentRecord

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/consent/consentrecord/"


def make_record(*, consent_id: str, analytics: bool = False, method: str = "banner"):
    return ConsentRecord.objects.create(
        consent_id=consent_id,
        policy_version="1",
        choices={"preferences": False, "analytics": analytics, "marketing": False},
        category_versions={"analytics": 2, "marketing": 1},
        method=method,
        language="en-gb",
    )


def test_log_can_be_searched_by_consent_id(admin_client):
    make_record(consent_id="AAAAAAAAAAAAAAAAAAAAAA")
    make_record(consent_id="BBBBBBBBBBBBBBBBBBBBBB")

    response = admin_client.get(LIST_URL, {"q": "BBBBBBBBBBBBBBBBBBBBBB"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list.values_list("consent_id", flat=True)) == [
        "BBBBBBBBBBBBBBBBBBBBBB"
    ]


def test_log_cannot_be_added_to_changed_or_deleted_in_the_admin(admin_client):
    record = make_record(consent_id="AAAAAAAAAAAAAAAAAAAAAA")

    assert admin_client.get(f"{LIST_URL}add/").status_code == 403
    assert admin_client.post(f"{LIST_URL}{record.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post(f"{LIST_URL}{record.pk}/change/", {"method": "settings"})

    record.refresh_from_db()
    assert record.method == "banner"
    assert ConsentRecord.objects.count() == 1
    actions = [
        name
        for name, _ in admin_client.get(LIST_URL).context["action_form"].fields["action"].choices
    ]
    assert "delete_selected" not in actions


def test_selected_records_export_as_csv(admin_client):
    first = make_record(consent_id="AAAAAAAAAAAAAAAAAAAAAA", analytics=True)
    make_record(consent_id="BBBBBBBBBBBBBBBBBBBBBB")

    response = admin_client.post(LIST_URL, {"action": "export_csv", "_selected_action": [first.pk]})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["created_at", "consent_id"]
    assert [row[1:] for row in rows[1:]] == [
        [
            "AAAAAAAAAAAAAAAAAAAAAA",
            "1",
            "analytics",
            "banner",
            "0",
            "en-gb",
            "analytics:2,marketing:1",
        ]
    ]


CATEGORY_URL = "/admin/consent/category/"


def category_form(category: Category, **changes) -> dict:
    data = {
        "key": category.key,
        "name": category.name,
        "description": category.description,
        "position": category.position,
        "version": category.version,
        "cookies-TOTAL_FORMS": 0,
        "cookies-INITIAL_FORMS": 0,
        "cookies-MIN_NUM_FORMS": 0,
        "cookies-MAX_NUM_FORMS": 1000,
    }
    return {**data, **changes}


def test_raising_a_category_version_in_the_admin_records_when(admin_client):
    category = Category.objects.get(key="analytics")

    response = admin_client.post(
        f"{CATEGORY_URL}{category.pk}/change/", category_form(category, version=2)
    )

    assert response.status_code == 302
    category.refresh_from_db()
    assert category.version == 2
    assert category.version_changed_at is not None


def test_lowering_a_category_version_in_the_admin_is_refused_with_a_reason(admin_client):
    category = Category.objects.get(key="analytics")
    category.version = 3
    category.save()

    response = admin_client.post(
        f"{CATEGORY_URL}{category.pk}/change/", category_form(category, version=2)
    )

    assert response.status_code == 200
    assert "The version can only go up (it is 3)" in response.content.decode()
    category.refresh_from_db()
    assert category.version == 3


def test_category_key_must_be_one_the_consent_cookie_holds(admin_client):
    response = admin_client.post(
        f"{CATEGORY_URL}add/",
        {
            **category_form(Category(key="social", name="Social", description="Share buttons.")),
            "position": 9,
        },
    )

    assert response.status_code == 200
    assert not Category.objects.filter(key="social").exists()
    assert "Select a valid choice" in response.content.decode()
