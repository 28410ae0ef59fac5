/* Live coverage, enhanced: new updates appear without a reload. Without this file the page
   still works: a reload shows every update.

   Every `data-live-seconds` the page asks its updates fragment (data-live-poll, a cached page:
   a poll that finds nothing new costs the server no SQL, and revalidates to a 304) for the
   newest updates, and keeps those it does not show yet. Nothing is inserted under the
   reader's eyes: a fixed button says "Show N new updates" and a polite live region announces
   "N new updates"; the button puts them at the top of the list and moves focus to the newest.
   Polling pauses while the tab is hidden and stops once the coverage has ended. The sentences
   come from data-live-* attributes rendered in the reader's language. */
(function () {
  "use strict";

  var section = document.querySelector("[data-live-poll]");
  if (!section || !window.fetch || !window.DOMParser) {
    return;
  }
  var list = section.querySelector("[data-live-list]");
  var status = section.querySelector("[data-live-status]");
  var button = section.querySelector("[data-live-show]");
  var seconds = Math.max(5, parseInt(section.getAttribute("data-live-seconds"), 10) || 20);
  var held = []; // updates fetched but not shown yet, newest first
  var timer = null;
  var stopped = false;

  function text(name, count) {
    var key = count === 1 ? name + "-one" : name + "-many";
    return section.getAttribute(key).replace("{n}", String(count));
  }

  function isKnown(id) {
    if (document.getElementById("update-" + id)) {
      return true;
    }
    return held.some(function (update) {
      return update.getAttribute("data-update") === id;
    });
  }

  function tell() {
    var count = held.length;
    button.hidden = count === 0;
    button.textContent = count ? text("data-live-show", count) : "";
    status.textContent = count ? text("data-live", count) : "";
  }

  function receive(html) {
    var fragment = new DOMParser().parseFromString(html, "text/html");
    var root = fragment.querySelector("[data-live-state]");
    if (!root) {
      return;
    }
    var fresh = Array.prototype.filter.call(root.querySelectorAll("[data-update]"), function (update) {
      return !isKnown(update.getAttribute("data-update"));
    });
    if (fresh.length) {
      held = fresh.map(function (update) {
        return document.importNode(update, true);
      }).concat(held);
      tell();
    }
    if (root.getAttribute("data-live-state") !== "on") {
      stopped = true;
    }
  }

  function poll() {
    timer = null;
    if (stopped || document.hidden) {
      return;
    }
    // "no-cache": the browser asks every time, and the server answers 304 when nothing changed.
    fetch(section.getAttribute("data-live-poll"), { cache: "no-cache", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("poll answered " + response.status);
        }
        return response.text();
      })
      .then(receive)
      .catch(function () {
        // A failed poll (offline, a deploy) is simply tried again next time.
      })
      .then(schedule);
  }

  function schedule() {
    if (!stopped && timer === null && !document.hidden) {
      timer = window.setTimeout(poll, seconds * 1000);
    }
  }

  button.addEventListener("click", function () {
    if (!held.length) {
      return;
    }
    var empty = list.querySelector(".empty");
    if (empty) {
      empty.parentNode.removeChild(empty);
    }
    var newest = held[0];
    for (var i = held.length - 1; i >= 0; i -= 1) {
      list.insertBefore(held[i], list.firstChild);
    }
    held = [];
    tell();
    newest.focus();
  });

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      window.clearTimeout(timer);
      timer = null;
    } else if (timer === null) {
      poll();
    }
  });

  schedule();
})();
