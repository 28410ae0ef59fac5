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
        confirm(submitter.value);
      } else {
        fallBack(submitter);
      }
    }).catch(function () {
      fallBack(submitter);
    });
  });
})();
