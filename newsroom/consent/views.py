"""The cookie settings page: GET shows the reader's current choices, POST records a new one.

The banner on every page posts here too, so "Accept all" and "Reject all" work without JavaScript:
the form posts, the answer goes into the consent cookie, and a 303 sends the reader back to the
page they were on. A reader's mistake (an unknown action, a `next` pointing elsewhere, a post
from another site) never changes anything and never ends in an error page without a way forward:
the settings page is shown again with a sentence saying what happened.
"""

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import policy
from .middleware import consent_state

UNKNOWN_ACTION = (
    "We didn't recognise that choice, so your cookie settings were not changed. "
    "Please use one of the buttons below."
)
CROSS_SITE = (
    "That request came from another website, so your cookie settings were not changed. "
    "If you want to change them, use the form below."
)
# Browsers send these for a form on our own pages, or for an address typed into the address bar.
_SAME_ORIGIN_FETCH_SITES = frozenset({"same-origin", "none"})


class HttpResponseSeeOther(HttpResponseRedirect):
    # 303 tells the browser to follow with a GET, so reloading the next page never re-posts.
    status_code = 303


@dataclass(frozen=True, kw_only=True)
class CategoryChoice:
    category: policy.Category
    checked: bool


# CSRF exemption is deliberate. Django's CSRF protection needs a csrftoken cookie, and the banner
# form is on every public page: the token would set a cookie on a reader's first visit, before
# they have agreed to anything, and make every page uncacheable. The harm a forged post could do
# here is small (changing someone's cookie choice), and `_is_cross_site` refuses the posts that
# browsers label as coming from elsewhere, which is the same check modern CSRF defences rest on.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def consent_settings(request):
    if request.method != "POST":
        return _render(
            request,
            back=_safe_next(request, request.GET.get("next")),
            saved=request.GET.get("saved") == "1",
        )
    back = _safe_next(request, request.POST.get("next"))
    if _is_cross_site(request):
        return _render(request, back=back, error=CROSS_SITE, status=403)
    decision = policy.decision_for(
        action=request.POST.get("action", ""),
        # An unticked checkbox is simply absent from the post; that is how "off" arrives.
        # A ticked box posts "on"; a hand-made "analytics=0" must not count as a yes.
        chosen={
            key
            for key in policy.OPTIONAL_KEYS
            if request.POST.get(key, "").lower() in {"on", "1", "true", "yes"}
        },
        version=settings.CONSENT_POLICY_VERSION,
        today=timezone.localdate(),
    )
    if decision is None:
        return _render(request, back=back, error=UNKNOWN_ACTION, status=400)
    response = HttpResponseSeeOther(back)
    response.set_cookie(
        policy.COOKIE_NAME,
        policy.serialise(decision),
        max_age=policy.COOKIE_MAX_AGE,
        path="/",
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


def _is_cross_site(request) -> bool:
    """Whether the browser says this post came from another site.

    Requests with neither header (curl, old browsers) are let through: they carry no ambient
    authority a forger could borrow, since the only thing at stake is the consent cookie itself.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in _SAME_ORIGIN_FETCH_SITES
    origin = request.headers.get("Origin")
    if origin is not None:
        # "null" (sandboxed frames, some redirects) has no host and so is refused too.
        return urlsplit(origin).netloc.lower() != request.get_host().lower()
    return False


def _safe_next(request, candidate: str | None) -> str:
    """`candidate` if it is a page on this site, else the home page."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


def _render(request, *, back: str, saved: bool = False, error: str = "", status: int = 200):
    state = getattr(request, "consent", None)
    if state is None:
        state = consent_state(request)
    settings_url = reverse("consent:settings")
    return render(
        request,
        "consent/settings.html",
        {
            "choices": [
                CategoryChoice(category=c, checked=state.allows(c.key)) for c in policy.CATEGORIES
            ],
            "granted_labels": [
                c.label for c in policy.CATEGORIES if not c.required and state.allows(c.key)
            ],
            "back": back,
            # After a choice made here the reader lands back here, with a confirmation.
            "form_next": f"{settings_url}?{urlencode({'saved': '1', 'next': back})}",
            # Only a reader who has decided sees "saved", whatever the address says.
            "saved": saved and state.decided,
            "error": error,
        },
        status=status,
    )
