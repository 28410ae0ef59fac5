/* "Someone else is editing this story": keeps the banner on a story's change page current.
   While the page is open it tells the server so every few seconds (data-ping-seconds) and shows
   what the answer says: who else is editing, and whether someone took the story over. Without
   this file the banner is right as the page opens, and "Take over" is a plain form. */
(function () {
  "use strict";
  var box = document.getElementById("newsroom-presence");
  if (!box || !box.dataset.pingUrl || !window.fetch) {
    return;
  }
  var notes = box.querySelector("[data-presence-notes]");
  var takeOver = box.querySelector("[data-presence-take-over]");
  var token = takeOver && takeOver.querySelector("[name=csrfmiddlewaretoken]");
  var seconds = Math.max(15, parseInt(box.dataset.pingSeconds, 10) || 45);
  var shown = "";

  function note(kind, text) {
    var item = document.createElement("li");
    item.className = kind;
    item.textContent = text;
    return item;
  }

  function show(data) {
    var items = [];
    if (data.taken_over) {
      items.push(note("error", data.taken_over.message));
    }
    data.editors.forEach(function (editor) {
      items.push(note("warning", editor.message));
    });
    var text = items.map(function (item) { return item.textContent; }).join("\n");
    // Only a change is written: the notes are a live region, read out when they change.
    if (text !== shown) {
      shown = text;
      notes.replaceChildren.apply(notes, items);
      notes.hidden = items.length === 0;
    }
    if (takeOver) {
      takeOver.hidden = data.editors.length === 0;
    }
  }

  function ping() {
    fetch(box.dataset.pingUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data) {
          show(data);
        }
      })
      .catch(function () { /* offline for a moment: the next ping tries again */ });
  }

  shown = Array.prototype.map.call(notes.children, function (item) {
    return item.textContent;
  }).join("\n");
  ping();
  window.setInterval(ping, seconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      ping();
    }
  });
})();
