vcl 4.1;
# Newsroom behind Varnish 7 with the xkey module (Debian: varnish, varnish-modules).
#
# Caches anonymous readers' GET/HEAD pages, one copy per consent variant rather than per visitor:
# the consent cookie's per-visitor id and time are left out of the key, and a page is stored
# only when Newsroom says (X-Consent-Key) it rendered it for the same choices. Newsroom names
# what each page shows in its `xkey` header and purges by tag when it changes
# (NEWSROOM_PURGE_URLS=http://<this host>:<port>/), from the addresses in `purgers` only. The
# admin, consent choices, previews, search and anything with a session go to Newsroom uncached;
# a response that sets a cookie is never stored.
#
# Set the backend to where gunicorn listens, and `purgers` to the app servers' addresses.

import std;
import cookie;
import xkey;

backend newsroom {
    .host = "127.0.0.1";
    .port = "8000";
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the tags to purge in an xkey-purge header"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Editors (a session cookie) always see the database; so do previews and searches.
    cookie.parse(req.http.Cookie);
    if (cookie.isset("sessionid") || req.url ~ "^/(preview|search)/") {
        return (pass);
    }
    # The consent choices, without the visitor's id and time (policy.cache_key in Newsroom).
    set req.http.X-Consent-Key = "";
    if (cookie.isset("newsroom_consent")) {
        set req.http.X-Consent-Key = regsuball(
            cookie.get("newsroom_consent"), "(^id:[^|]*\|)|(\|time:[^|]*$)", "");
        if (req.http.X-Consent-Key !~ "\|rev:[0-9]+$") {
            # A cookie written before choices carried their revision: not shareable.
            return (pass);
        }
    }
    # The language Newsroom picks from the cookie or Accept-Language.
    set req.http.X-Newsroom-Language = cookie.get("django_language") + "|" + req.http.Accept-Language;
    return (hash);
}

sub vcl_hash {
    hash_data(req.url);
    if (req.http.host) {
        hash_data(req.http.host);
    }
    hash_data(req.http.X-Consent-Key);
    hash_data(req.http.X-Newsroom-Language);
    if (req.http.Sec-GPC == "1") {
        hash_data("gpc");
    }
    return (lookup);
}

sub vcl_backend_response {
    # Only what Newsroom tagged as a cacheable page; never a response that sets a cookie, or one
    # rendered for other consent choices than the cookie's (a misread or expired cookie).
    if (!beresp.http.xkey || beresp.http.Set-Cookie || beresp.status != 200) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    if (beresp.http.X-Consent-Key && beresp.http.X-Consent-Key != bereq.http.X-Consent-Key) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # The key above already holds everything the page varies on; Vary: Cookie would make one
    # copy per visitor. Browsers still get it (vcl_deliver).
    set beresp.http.X-Newsroom-Vary = beresp.http.Vary;
    unset beresp.http.Vary;
    return (deliver);
}

sub vcl_deliver {
    if (resp.http.X-Newsroom-Vary) {
        set resp.http.Vary = resp.http.X-Newsroom-Vary;
        unset resp.http.X-Newsroom-Vary;
    }
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    unset resp.http.xkey;
    unset resp.http.X-Consent-Key;
    return (deliver);
}
