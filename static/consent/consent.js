/* Cookie consent, enhanced. Everything here improves markup that already works without it:
   the banner's buttons post a form, its "Settings" link opens the settings page, and the
   settings page's forms post too.

   With this file, on the banner:
   - "Settings" opens the same choices as a modal dialog (WAI-ARIA dialog pattern: labelled,
     focus moves in, Tab stays inside, Esc closes, focus goes back to "Settings");
   - a choice is sent in the background and confirmed in a polite status message, no reload;
   - scripts rendered inert before consent (consent_tags.consent_script) and embeds start
     once allowed (gate.js does it, on the "newsroom:consent" event this file sends);
   - Global Privacy Control seen in the browser (navigator.globalPrivacyControl) counts as a
     refusal: the question is replaced by the note the server shows for the Sec-GPC header.
   On the banner and the settings page, refusing or withdrawing a category removes its
   local- and session-storage keys (from the inventory, in data-consent-storage); the server
   expires its cookies.

   The sentences come from data-msg-* attributes rendered in the reader's language. Any failure
   (an old browser, a network error, a refusal from the server) falls back to the ordinary form
   submission, which shows the server's own message. */
(function () {
  "use strict";

  var STORAGE_AREAS = ["localStorage", "sessionStorage"];
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled])," +
    " textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

  function storageMap(element) {
    try {
      var map = JSON.parse(element.getAttribute("data-consent-storage") || "{}");
      return map && typeof map === "object" ? map : {};
    } catch (error) {
      return {};
    }
  }

  // The optional categories an action leaves off: every one for "Reject all" and "Withdraw",
  // the unticked ones for "Save choices", none for "Accept all".
  function refusedBy(form, action, keys) {
    if (action === "accept_all") {
      return [];
    }
    if (action !== "save") {
      return keys;
    }
    return keys.filter(function (key) {
      var box = form.querySelector('input[type="checkbox"][name="' + key + '"]');
      return !(box && box.checked);
    });
  }

  function clearStorage(map, categories) {
    categories.forEach(function (category) {
      (map[category] || []).forEach(function (item) {
        if (!Array.isArray(item) || STORAGE_AREAS.indexOf(item[0]) === -1) {
          return;
        }
        try {
          window[item[0]].removeItem(String(item[1]));
        } catch (error) {
          // Storage switched off in the browser: there is nothing to clear.
        }
      });
    });
  }

  // The settings page posts and reloads as it does without JavaScript (it then says what was
  // saved); only the storage keys need clearing first, which the server cannot do.
  var settingsPage = document.querySelector("[data-consent-settings]");
  if (settingsPage) {
    var pageStorage = storageMap(settingsPage);
    settingsPage.querySelectorAll("form[data-consent-form]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var action = event.submitter ? event.submitter.value : "";
        clearStorage(pageStorage, refusedBy(form, action, Object.keys(pageStorage)));
      });
    });
  }

  var banner = document.querySelector("[data-consent-banner]");
  if (!banner) {
    return;
  }
  var messages = banner.dataset;
  var bannerForm = banner.querySelector(".consent-banner__form");
  var dialog = banner.querySelector("[data-consent-dialog]");
  var opener = banner.querySelector("[data-consent-open]");
  var status = banner.querySelector("[data-consent-status]");
  var intro = banner.querySelector(".consent-banner__intro");

  function removeQuestion() {
    [opener, intro, bannerForm, dialog].forEach(function (element) {
      if (element && element.parentNode) {
        element.remove();
      }
    });
  }

  // Global Privacy Control in the browser and no choice stored: nothing optional runs before a
  // choice anyway, so this only swaps the question for the note the server would have shown.
  // A reader asked again about changed categories keeps their other choices; the signal
  // answers for the changed ones (they stay off), as the server does for the header, so
  // there is nothing to ask or to say.
  if (navigator.globalPrivacyControl === true) {
    if (banner.hasAttribute("data-consent-reasking")) {
      banner.remove();
      return;
    }
    removeQuestion();
    banner.classList.add("consent-banner--gpc");
    banner.querySelector(".consent-banner__title").textContent = messages.msgGpcTitle;
    var note = document.createElement("p");
    note.textContent = messages.msgGpcText;
    status.replaceWith(note);
    return;
  }

  if (!window.fetch || !window.FormData || !bannerForm) {
    return;
  }

  var categories = [];
  if (dialog) {
    dialog.querySelectorAll('input[type="checkbox"][name]').forEach(function (box) {
      categories.push(box.name);
    });
  }
  var storage = storageMap(banner);

  function focusables() {
    return Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (element) {
      return element.offsetWidth > 0 || element.offsetHeight > 0;
    });
  }

  if (dialog && opener && typeof dialog.showModal === "function") {
    opener.addEventListener("click", function (event) {
      event.preventDefault();
      dialog.showModal();
      var first = focusables()[0];
      if (first) {
        first.focus();
      }
    });
    dialog.querySelector("[data-consent-close]").addEventListener("click", function () {
      dialog.close();
    });
    // The page behind a modal dialog is inert, but Tab would still leave for the browser's own
    // controls; keep it cycling through the dialog, as the pattern asks.
    dialog.addEventListener("keydown", function (event) {
      if (event.key !== "Tab") {
        return;
      }
      var items = focusables();
      if (!items.length) {
        return;
      }
      var first = items[0];
      var last = items[items.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
    // Esc closes a modal dialog natively; whichever way it closes, focus goes back to the
    // control that opened it, if that is still on the page.
    dialog.addEventListener("close", function () {
      if (document.contains(opener)) {
        opener.focus();
      }
    });
  }

  function confirm(action) {
    var said = {accept_all: messages.msgAccepted, reject_all: messages.msgRejected};
    if (dialog && dialog.open) {
      dialog.close();
    }
    removeQuestion();
    // The status region was on the page from the start, so screen readers announce the change;
    // it also takes focus, since the button that was pressed has gone.
    status.textContent = (said[action] || messages.msgSaved) + " " + messages.msgLater;
    status.className = "consent-banner__done";
    status.focus();
  }

  function enhance(form) {
    function setBusy(busy) {
      form.setAttribute("aria-busy", busy ? "true" : "false");
      form.querySelectorAll("button").forEach(function (button) {
        button.disabled = busy;
      });
    }

    function fallBack(submitter) {
      setBusy(false);
      form.dataset.consentFallback = "1";
      submitter.click();
    }

    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (form.dataset.consentFallback || !submitter || submitter.name !== "action") {
        return;
      }
      event.preventDefault();
      var action = submitter.value;
      var refused = refusedBy(form, action, categories.length ? categories : Object.keys(storage));
      var data = new FormData(form);
      data.append(submitter.name, action);
      // Tells the consent log this choice was made in the enhanced banner.
      data.append("js", "1");
      setBusy(true);
      // getAttribute, not form.action: the buttons named "action" shadow that property.
      // gate.js (at every page's foot) sends it; without gate.js, the form posts as usual.
      var gate = window.newsroomConsent;
      (gate ? gate.save(form.getAttribute("action"), data) : Promise.resolve(false))
        .then(function (saved) {
          if (!saved) {
            fallBack(submitter);
            return;
          }
          clearStorage(storage, refused);
          // gate.js starts the inert scripts and embeds of the allowed categories, and the
          // Consent Mode adapter updates its signals.
          gate.announce(categories.filter(function (key) {
            return refused.indexOf(key) === -1;
          }), "banner");
          confirm(action);
        }).catch(function () {
          fallBack(submitter);
        });
    });
  }

  enhance(bannerForm);
  if (dialog) {
    enhance(dialog.querySelector("form"));
  }
})();
