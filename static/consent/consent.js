/* Cookie banner, enhanced. Without this file the banner's buttons post a form and the page
   reloads; with it, the same post is sent in the background and the banner is replaced by a
   short confirmation that takes focus, so keyboard and screen-reader users know where they are.
   Any failure (an old browser, a network error, a refusal from the server) falls back to the
   ordinary form submission, which shows the server's own message. */
(function () {
  "use strict";

  var banner = document.querySelector("[data-consent-banner]");
  if (!banner || !window.fetch || !window.FormData) {
    return;
  }
  var form = banner.querySelector("form");
  if (!form) {
    return;
  }

  // Global Privacy Control seen client-side (a browser that exposes it but did not send the
  // header, or a cached page): nothing optional is on before a choice anyway, so this only
  // swaps the question for the same note the server would have shown.
  if (navigator.globalPrivacyControl === true) {
    var note = document.createElement("p");
    note.textContent = "Your browser asks sites not to share or sell your data (Global " +
      "Privacy Control), so we use only necessary cookies. You can still allow optional " +
      "cookies in \u201cCookie settings\u201d at the foot of every page.";
    var introText = banner.querySelector(".consent-banner__inner > p");
    if (introText) {
      introText.remove();
    }
    form.replaceWith(note);
    return;
  }

  var CONFIRMATIONS = {
    accept_all: "Thank you: all cookies are now allowed.",
    reject_all: "Thank you: only necessary cookies will be used."
  };

  function buttons() {
    return form.querySelectorAll("button");
  }

  function setBusy(busy) {
    form.setAttribute("aria-busy", busy ? "true" : "false");
    buttons().forEach(function (button) {
      button.disabled = busy;
    });
  }

  function fallBack(submitter) {
    setBusy(false);
    form.dataset.consentFallback = "1";
    submitter.click();
  }

  // Scripts rendered inert before consent (see consent_tags.consent_script) start now,
  // without a reload, once their category is allowed.
  function activate(granted) {
    document.querySelectorAll('script[type="text/plain"][data-consent-category]')
      .forEach(function (inert) {
        if (granted.indexOf(inert.dataset.consentCategory) === -1) {
          return;
        }
        var script = document.createElement("script");
        script.src = inert.dataset.src;
        inert.replaceWith(script);
      });
  }

  function confirm(action) {
    var message = document.createElement("p");
    message.className = "consent-banner__done";
    message.tabIndex = -1;
    message.textContent = (CONFIRMATIONS[action] || "Thank you: your choice is saved.") +
      " You can change it at any time from \u201cCookie settings\u201d at the foot of every page.";
    var intro = banner.querySelector(".consent-banner__inner > p");
    if (intro) {
      intro.remove();
    }
    form.replaceWith(message);
    // The pressed button is gone; the confirmation takes its place in the focus order.
    message.focus();
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (form.dataset.consentFallback || !submitter || submitter.name !== "action") {
      return;
    }
    event.preventDefault();
    var data = new FormData(form);
    data.append(submitter.name, submitter.value);
    // Tells the consent log this choice was made in the enhanced banner.
    data.append("js", "1");
    setBusy(true);
    // getAttribute, not form.action: the buttons named "action" shadow that property.
    // "manual" keeps the 303 from fetching the whole next page; the cookie is set either way.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      redirect: "manual"
    }).then(function (response) {
      if (response.type === "opaqueredirect") {
        if (submitter.value === "accept_all") {
          activate(["preferences", "analytics", "marketing"]);
        }
        confirm(submitter.value);
      } else {
        fallBack(submitter);
      }
    }).catch(function () {
      fallBack(submitter);
    });
  });
})();
