"""The cookie settings page (GET) and the decision endpoint (POST only) that records a choice.

The banner on every page and the settings page both post to `decide`, so "Accept all" and
"Reject all" work without JavaScript: the form posts, the answer goes into the consent cookie
and the log. The enhanced banner (consent.js) sends the post in the background and says "saved" in
place; a plain form post is answered with a 303 to `saved`, a small confirmation page that says
what was chosen and links back to the page the reader was on. That page, like every response
here, is never cached: it depends on this reader's cookie, and the story pages stay shareable
(a `?consent=saved` flag on the story's own address would have been stored by the page cache
and Varnish as one more copy of the page, and shown to whoever followed that address).

A reader's mistake (an unknown action or category, a `next` pointing elsewhere, a post from
another site) never changes anything and never ends in an error page without a way forward:
the settings page is shown again with a sentence saying what happened.
"""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import policy, state
from .models import Category, ConsentRecord, Cookie
from .presentation import TemplateConsent

UNKNOWN_ACTION = _(
    "We didn't recognise that choice, so your cookie settings were not changed. "
    "Please use one of the buttons below."
)
CROSS_SITE = _(
    "That request came from another website, so your cookie settings were not changed. "
    "If you want to change them, use the form below."
)
UNKNOWN_CATEGORY = _(
    "That choice named a cookie category we don't have, so your cookie settings were not "
    "changed. Please use the form below."
)
# Everything a decision post may carry: a field outside this set is a forged or stale form.
_KNOWN_FIELDS = frozenset({"action", "next", "source", "js", *policy.CATEGORY_KEYS})
# Browsers send these for a form on our own pages, or for an address typed into the address bar.
_SAME_ORIGIN_FETCH_SITES = frozenset({"same-origin", "none"})


class HttpResponseSeeOther(HttpResponseRedirect):
    # 303 tells the browser to follow with a GET, so reloading the next page never re-posts.
    status_code = 303


@never_cache
@require_http_methods(["GET", "HEAD"])
def consent_settings(request):
    return _render(
        request,
        back=_safe_next(request, request.GET.get("next")),
        saved=request.GET.get("saved") == "1",
    )


# CSRF exemption is deliberate. Django's CSRF protection needs a csrftoken cookie, and the banner
# form is on every public page: the token would set a cookie on a reader's first visit, before
# they have agreed to anything, and make every page uncacheable. The harm a forged post could do
# here is small (changing someone's cookie choice), and `_is_cross_site` refuses the posts that
# browsers label as coming from elsewhere, which is the same check modern CSRF defences rest on.
@csrf_exempt
@never_cache
@require_POST
def decide(request):
    back = _safe_next(request, request.POST.get("next"))
    if _is_cross_site(request):
        return _render(request, back=back, error=CROSS_SITE, status=403)
    if not set(request.POST) <= _KNOWN_FIELDS:
        return _render(request, back=back, error=UNKNOWN_CATEGORY, status=400)
    action = request.POST.get("action", "")
    versions = dict(Category.objects.values_list("key", "version"))
    decision = policy.decision_for(
        action=action,
        # An unticked checkbox is simply absent from the post; that is how "off" arrives.
        # A ticked box posts "on"; a hand-made "analytics=0" must not count as a yes.
        chosen={
            key
            for key in policy.OPTIONAL_KEYS
            if request.POST.get(key, "").lower() in {"on", "1", "true", "yes"}
        },
        version=settings.CONSENT_POLICY_VERSION,
        now=timezone.now(),
        consent_id=state.consent_id(request),
        revision=sum(versions.values()),
    )
    if decision is None:
        return _render(request, back=back, error=UNKNOWN_ACTION, status=400)
    method = _method(request)
    ConsentRecord.objects.create(
        created_at=decision.decided_at,
        consent_id=decision.consent_id,
        policy_version=decision.version,
        choices=decision.choices,
        category_versions=versions,
        method=method,
        language=get_language() or settings.LANGUAGE_CODE,
        gpc=state.sends_gpc(request),
    )
    if method == ConsentRecord.Method.NO_JS:
        back = f"{reverse('consent:saved')}?{urlencode({'next': back})}"
    response = HttpResponseSeeOther(back)
    _expire_refused(request, response, decision=decision, withdrawing=action == "withdraw")
    state.write_cookie(request, response, decision)
    return response


def _expire_refused(request, response, *, decision: policy.Decision, withdrawing: bool) -> None:
    """Expire this site's own cookies in every category the reader has now refused.

    For a category withdrawn (allowed until this decision, or every category on "Withdraw
    consent") every inventory cookie is expired, since a cookie set on another path is not sent
    here; for the others only those the browser actually sent, so a first "Reject all" does not
    answer with a list of cookies that never existed. Third-party cookies belong to other
    sites' domains and cannot be expired from here; storage keys are cleared by consent.js.
    """
    refused = [key for key in policy.OPTIONAL_KEYS if key not in decision.granted]
    # The answer stored before this one, even if it is being asked again (stale): what it
    # allowed may have set cookies.
    earlier = state.for_request(request).decision
    withdrawn = {
        key for key in refused if withdrawing or (earlier is not None and earlier.allows(key))
    }
    cookies = Cookie.objects.filter(
        category__key__in=refused, party=Cookie.Party.FIRST, storage=Cookie.Storage.COOKIE
    ).select_related("category")
    for cookie in cookies:
        if cookie.category.key in withdrawn or cookie.name in request.COOKIES:
            response.delete_cookie(
                cookie.name, path=cookie.path or "/", domain=cookie.domain or None
            )


@never_cache
@require_http_methods(["GET", "HEAD"])
def saved(request):
    """After a choice made without JavaScript: what was chosen, and the way back to the story.

    It reads the choice from the reader's own cookie, never from the address, so a shared link
    cannot make it claim a choice that was not made.
    """
    decision = state.for_request(request).decision
    granted = [] if decision is None else [k for k in policy.OPTIONAL_KEYS if decision.allows(k)]
    names = dict(Category.objects.filter(key__in=granted).values_list("key", "name"))
    return render(
        request,
        "consent/saved.html",
        {
            "decision": decision,
            "all_allowed": decision is not None and len(granted) == len(policy.OPTIONAL_KEYS),
            "granted_labels": [gettext(names[k]) for k in granted if k in names],
            "back": _safe_next(request, request.GET.get("next")),
        },
    )


@require_http_methods(["GET", "HEAD"])
def cookie_policy(request):
    return render(
        request, "consent/cookie_policy.html", {"categories": Category.objects.for_readers()}
    )


def _method(request) -> str:
    if request.POST.get("source") == "settings":
        return ConsentRecord.Method.SETTINGS
    # gate.js, when a reader allows an embed's category from the embed itself.
    if request.POST.get("source") == "embed":
        return ConsentRecord.Method.EMBED
    # consent.js adds `js=1` when it sends the banner's post in the background.
    if request.POST.get("js") == "1":
        return ConsentRecord.Method.BANNER
    return ConsentRecord.Method.NO_JS


@require_http_methods(["GET", "HEAD"])
def gpc_json(request):
    """/.well-known/gpc.json: tells GPC tools that this site honours the signal."""
    return JsonResponse({"gpc": True, "lastUpdate": policy.GPC_LAST_UPDATE.isoformat()})


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
    current = state.for_request(request)
    consent = TemplateConsent(state=current, on_settings_page=True)
    settings_url = reverse("consent:settings")
    return render(
        request,
        "consent/settings.html",
        {
            # The same object the context processor would give, made here so the page's
            # categories are read once and also name the allowed ones below.
            "consent": consent,
            "granted_labels": [
                gettext(c.category.name) for c in consent.choices if c.checked and not c.required
            ],
            "back": back,
            # After a choice made here the reader lands back here, with a confirmation.
            "form_next": f"{settings_url}?{urlencode({'saved': '1', 'next': back})}",
            # Only a reader who has decided sees "saved", whatever the address says.
            "saved": saved and current.decided,
            "error": error,
        },
        status=status,
    )
