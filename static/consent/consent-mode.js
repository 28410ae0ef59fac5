/* Google Consent Mode v2, "basic" (NEWSROOM_CONSENT_MODE=basic), for a site that uses the
   Google tag. Rendered before any other optional script.

   1. Every one of the seven consent signals is set to "denied" by default, before anything
      else can run.
   2. Only the reader's stored choice (data-granted, rendered by the server from the consent
      cookie) or a choice made now in the banner or an embed (the "newsroom:consent" event)
      updates them:
        analytics   -> analytics_storage
        marketing   -> ad_storage, ad_user_data, ad_personalization
        preferences -> functionality_storage, personalization_storage
        necessary   -> security_storage (granted with any choice)
   3. "Basic" means the Google tag itself (data-tag-src?id=data-tag-id) is not loaded at all
      until a choice allows analytics or marketing; before a choice nothing is fetched. */
(function () {
  "use strict";

  var element = document.currentScript;
  if (!element) {
    return;
  }
  var SIGNALS = {
    analytics: ["analytics_storage"],
    marketing: ["ad_storage", "ad_user_data", "ad_personalization"],
    preferences: ["functionality_storage", "personalization_storage"],
    necessary: ["security_storage"]
  };
  var TAG_CATEGORIES = ["analytics", "marketing"];
  var loaded = false;

  window.dataLayer = window.dataLayer || [];
  function gtag() {
    window.dataLayer.push(arguments);
  }
  window.gtag = window.gtag || gtag;

  function signals(granted) {
    var state = {};
    Object.keys(SIGNALS).forEach(function (key) {
      SIGNALS[key].forEach(function (signal) {
        state[signal] = granted.indexOf(key) !== -1 ? "granted" : "denied";
      });
    });
    return state;
  }

  function loadTag() {
    var src = element.getAttribute("data-tag-src");
    var id = element.getAttribute("data-tag-id");
    if (loaded || !src || !id) {
      return;
    }
    loaded = true;
    gtag("js", new Date());
    gtag("config", id);
    var script = document.createElement("script");
    script.async = true;
    script.src = src + (src.indexOf("?") === -1 ? "?" : "&") + "id=" + encodeURIComponent(id);
    document.head.appendChild(script);
  }

  function apply(granted) {
    gtag("consent", "update", signals(["necessary"].concat(granted)));
    if (TAG_CATEGORIES.some(function (key) { return granted.indexOf(key) !== -1; })) {
      loadTag();
    }
  }

  gtag("consent", "default", signals([]));
  if (element.getAttribute("data-decided") === "1") {
    apply((element.getAttribute("data-granted") || "").split(/\s+/).filter(Boolean));
  }
  document.addEventListener("newsroom:consent", function (event) {
    if (event.detail && Array.isArray(event.detail.granted)) {
      apply(event.detail.granted);
    }
  });
})();
