/* What waits for consent on every page: a story's embed facades and the optional scripts
   declared in settings. Without this file a facade is a plain link to the content on its
   provider's site, and an inert script stays inert.

   - A facade (a <figure class="embed"> the sanitiser made from a provider's iframe) whose
     category the reader allowed becomes the provider's player. Otherwise it says which
     provider and which cookie category it needs, with a button that records that consent
     (a "save" post to the decision endpoint, logged as coming from an embed) and then shows
     every facade of the category and starts the category's inert scripts.
   - A choice made in the banner (consent.js) arrives as a "newsroom:consent" event with the
     allowed categories; this file sends the same event after its own button.

   Nothing is fetched from a provider before its category is allowed: the player's address
   lives in data-embed-src until then. The sentences come from data-msg-* attributes in the
   reader's language. */
(function () {
  "use strict";

  var gate = document.querySelector("[data-consent-gate]");
  if (!gate) {
    return;
  }
  var messages = gate.dataset;
  var granted = (gate.getAttribute("data-granted") || "").split(/\s+/).filter(Boolean);

  function allowed(key) {
    return granted.indexOf(key) !== -1;
  }

  function format(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function facades() {
    return Array.prototype.slice.call(document.querySelectorAll("figure.embed[data-embed-src]"));
  }

  function showPlayer(figure) {
    var frame = document.createElement("iframe");
    frame.src = figure.getAttribute("data-embed-src");
    frame.title = figure.getAttribute("data-embed-title") || figure.getAttribute("data-embed-provider");
    frame.loading = "lazy";
    frame.allowFullscreen = true;
    frame.className = "embed__frame";
    figure.querySelectorAll(".embed__offer, .embed__note").forEach(function (offer) {
      offer.remove();
    });
    figure.insertBefore(frame, figure.firstChild);
    figure.classList.add("embed--loaded");
    figure.removeAttribute("data-embed-src");
  }

  function startScripts() {
    document.querySelectorAll('script[type="text/plain"][data-consent-category]')
      .forEach(function (inert) {
        if (!allowed(inert.dataset.consentCategory)) {
          return;
        }
        var script = document.createElement("script");
        script.src = inert.dataset.src;
        inert.replaceWith(script);
      });
  }

  function release() {
    facades().forEach(function (figure) {
      if (allowed(figure.getAttribute("data-embed-category"))) {
        showPlayer(figure);
      }
    });
    startScripts();
  }

  // A choice posted to the decision endpoint; true once it is stored. "manual" keeps the 303
  // from fetching a whole page for nothing: the cookie is set either way.
  function save(url, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      redirect: "manual"
    }).then(function (response) {
      return response.type === "opaqueredirect";
    });
  }

  // Tells this file, and the Consent Mode adapter, which categories are now allowed.
  function announce(categories, source) {
    document.dispatchEvent(new CustomEvent("newsroom:consent", {
      detail: {granted: categories, source: source}
    }));
  }

  function record(category, button, note) {
    var data = new FormData();
    data.append("action", "save");
    granted.concat([category]).forEach(function (key) {
      if (key !== "necessary") {
        data.append(key, "on");
      }
    });
    data.append("source", "embed");
    data.append("next", window.location.pathname);
    button.disabled = true;
    save(gate.getAttribute("data-decide"), data).then(function (saved) {
      if (!saved) {
        throw new Error("not saved");
      }
      if (!allowed(category)) {
        granted.push(category);
      }
      announce(granted.slice(), "embed");
    }).catch(function () {
      button.disabled = false;
      note.textContent = messages.msgFailed;
    });
  }

  function offer(figure) {
    var category = figure.getAttribute("data-embed-category");
    var values = {
      provider: figure.getAttribute("data-embed-provider"),
      category: gate.getAttribute("data-category-" + category) || category
    };
    var box = document.createElement("div");
    box.className = "embed__offer";
    // A facade rendered by a template ({% consent_embed %}) already says it in words.
    var note = figure.querySelector(".embed__note");
    if (note) {
      note.insertAdjacentElement("afterend", box);
    } else {
      note = document.createElement("p");
      note.className = "embed__note";
      note.textContent = format(messages.msgHidden, values);
      box.appendChild(note);
      figure.insertBefore(box, figure.firstChild);
    }
    note.setAttribute("role", "status");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "embed__allow";
    button.textContent = format(messages.msgAllow, values);
    button.addEventListener("click", function () {
      record(category, button, note);
    });
    box.appendChild(button);
    if (gate.hasAttribute("lang")) {
      box.setAttribute("lang", gate.getAttribute("lang"));
    }
  }

  document.addEventListener("newsroom:consent", function (event) {
    if (event.detail && Array.isArray(event.detail.granted)) {
      granted = event.detail.granted.slice();
      release();
    }
  });
  // For consent.js, whose banner choices go the same way.
  window.newsroomConsent = {save: save, announce: announce};

  release();
  if (window.fetch && window.FormData) {
    facades().forEach(offer);
  }
})();
