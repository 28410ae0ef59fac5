"""Security headers on every response, the CSP report endpoint, and login throttling."""

import json
import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse

from newsroom.security.middleware import PERMISSIONS_POLICY
from newsroom.security.views import MAX_REPORT_BYTES
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-password-42"


# Headers


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/news/no-such-story/", 404),
        ("/search/?" + "q=" + "a" * 5000, 400),
        ("/consent/", 200),
        ("/admin/login/", 200),
        ("/admin/", 302),
    ],
)
def test_every_response_carries_the_security_headers(client, path, status):
    make_article()
    response = client.get(path)
    assert response.status_code == status
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_session_and_csrf_cookies_are_httponly_or_lax(client):
    user = make_user(password=PASSWORD)
    client.get(reverse("admin:login"))
    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": PASSWORD}
    )
    session = response.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert client.cookies["csrftoken"]["samesite"] == "Lax"


def test_https_requests_get_hsts_and_plain_http_is_redirected(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = client.get("/consent/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/consent/"
    secure = client.get("/consent/", headers={"x-forwarded-proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


# The CSP report endpoint

REPORT = {
    "csp-report": {
        "document-uri": "https://news.example.org/news/a-story/",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
        "line-number": 12,
        "source-file": "https://news.example.org/news/a-story/",
    }
}


def csp_logs(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "newsroom.security.csp"]


def post_report(client, body, content_type="application/csp-report"):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(reverse("csp_report"), data, content_type=content_type)


def test_a_csp_report_is_logged_at_warning_and_answered_with_204(client, caplog):
    with caplog.at_level(logging.WARNING, logger="newsroom.security.csp"):
        response = post_report(client, REPORT)
    assert response.status_code == 204
    [record] = csp_logs(caplog)
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "directive='script-src-elem'" in message
    assert "blocked='inline'" in message
    assert "document='https://news.example.org/news/a-story/'" in message


def test_reporting_api_batches_log_each_violation(client, caplog):
    reports = [
        {"type": "csp-violation", "body": {"documentURL": f"https://x/{n}", "blockedURL": "eval"}}
        for n in range(3)
    ] + [{"type": "deprecation", "body": {"id": "x"}}]
    with caplog.at_level(logging.WARNING, logger="newsroom.security.csp"):
        response = post_report(client, reports, "application/reports+json")
    assert response.status_code == 204
    assert [r.getMessage().split()[2] for r in csp_logs(caplog)] == [
        "document='https://x/0'",
        "document='https://x/1'",
        "document='https://x/2'",
    ]


def test_a_report_cannot_forge_log_lines(client, caplog):
    report = {"csp-report": {"document-uri": "x\nCRITICAL fake entry", "blocked-uri": "y" * 5000}}
    with caplog.at_level(logging.WARNING, logger="newsroom.security.csp"):
        post_report(client, report)
    message = csp_logs(caplog)[0].getMessage()
    assert "\n" not in message
    assert len(message) < 1000


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"not json at all", "application/csp-report", 400),
        (b"\xff\xfe\x00garbage", "application/csp-report", 400),
        (b"[]", "application/reports+json", 400),
        (b'{"csp-report": "a string"}', "application/csp-report", 400),
        (b'[{"type": "csp-violation", "body": 5}]', "application/reports+json", 400),
        (b"null", "application/csp-report", 400),
        (json.dumps(REPORT).encode(), "text/plain", 415),
        (json.dumps(REPORT).encode(), "multipart/form-data; boundary=x", 415),
    ],
)
def test_garbage_reports_are_refused_without_a_500_or_a_log_line(
    client, caplog, body, content_type, status
):
    with caplog.at_level(logging.WARNING, logger="newsroom.security.csp"):
        response = post_report(client, body, content_type)
    assert response.status_code == status
    assert csp_logs(caplog) == []


def test_an_oversized_report_is_refused(client, caplog):
    body = json.dumps({"csp-report": {"blocked-uri": "x" * MAX_REPORT_BYTES}})
    with caplog.at_level(logging.WARNING, logger="newsroom.security.csp"):
        response = post_report(client, body)
    assert response.status_code == 413
    assert csp_logs(caplog) == []


def test_the_report_endpoint_takes_only_post(client):
    assert client.get(reverse("csp_report")).status_code == 405


def test_the_report_endpoint_needs_no_csrf_token(settings):
    from django.test import Client

    response = post_report(Client(enforce_csrf_checks=True), REPORT)
    assert response.status_code == 204


# Login throttling


def sign_in(client, username: str, password: str):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR="203.0.113.7",
    )


@pytest.fixture
def editor():
    return make_user(role="Editor", password=PASSWORD)


def test_the_failure_after_the_limit_locks_the_client_out(client, editor, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = sign_in(client, editor.username, "wrong-guess")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    locked = sign_in(client, editor.username, "wrong-guess")
    assert locked.status_code == 429
    refused = sign_in(client, editor.username, "another-guess")
    html = refused.content.decode()
    assert refused.status_code == 429
    assert "Too many sign-in attempts" in html
    assert f"After {limit} wrong passwords, signing in from here is paused for 15 minutes" in html
    assert "Traceback" not in html
    assert 880 <= int(refused["Retry-After"]) <= 900
    assert refused["Cache-Control"] == "no-store"


def test_the_right_password_is_refused_during_the_lockout(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, editor.username, "wrong-guess")
    response = sign_in(client, editor.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def time_passes(delta: timedelta) -> None:
    """Travel in time for django-axes: its records of failures grow older by `delta`."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - delta)


def test_the_lockout_ends_after_the_cool_off(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, editor.username, "wrong-guess")
    time_passes(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
    response = sign_in(client, editor.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_one_minute_before_the_end_the_lockout_still_holds(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, editor.username, "wrong-guess")
    time_passes(settings.AXES_COOLOFF_TIME - timedelta(seconds=50))
    response = sign_in(client, editor.username, PASSWORD)
    assert response.status_code == 429
    assert "in 1 minute;" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 50


def test_attempts_during_the_lockout_do_not_extend_it(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, editor.username, "wrong-guess")
    time_passes(settings.AXES_COOLOFF_TIME / 2)
    assert sign_in(client, editor.username, "wrong-again").status_code == 429
    time_passes(settings.AXES_COOLOFF_TIME / 2 + timedelta(seconds=1))
    assert sign_in(client, editor.username, PASSWORD).status_code == 302


def test_the_lockout_is_per_client_address(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, editor.username, "wrong-guess")
    elsewhere = client.post(
        reverse("admin:login"),
        {"username": editor.username, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.20",
    )
    assert elsewhere.status_code == 302


def test_the_limit_and_cool_off_come_from_settings(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=3)
    assert sign_in(client, editor.username, "wrong-guess").status_code == 200
    response = sign_in(client, editor.username, "wrong-guess")
    assert response.status_code == 429
    assert "After 2 wrong passwords, signing in from here is paused for 3 minutes" in (
        response.content.decode()
    )


def test_a_successful_sign_in_clears_earlier_failures(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, editor.username, "wrong-guess")
    assert sign_in(client, editor.username, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_behind_a_proxy_the_client_is_the_address_the_proxy_saw(client, editor, settings):
    settings.NEWSROOM_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("admin:login"),
            {"username": editor.username, "password": "wrong-guess"},
            REMOTE_ADDR="10.0.0.1",
            # Whatever the client claims on the left is ignored; the proxy appended the right.
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.9",
        )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    another_reader = client.post(
        reverse("admin:login"),
        {"username": editor.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert another_reader.status_code == 302
