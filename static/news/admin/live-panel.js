/* Live updates without losing the story's unsaved edits. The live-coverage panel sits outside the
   story's own form, and its forms post and come back to the story's page: a reload that would
   throw away whatever the editor had typed in the story. With this file:
   - "Post update" and "Approve" are sent in the background; the panel and the admin's messages
     are replaced from the answer, and the story's form is left as it is;
   - leaving the page (or a panel button that must reload it, such as "End live coverage now")
     while the story's form holds unsaved changes asks first.
   Without this file the forms post and reload, as the panel's help text says. */
function newsroomLivePanel() {
  "use strict";
  var storyForm = document.getElementById("article_form");
  if (!storyForm) {
    return;
  }
  var dirty = false;
  var saving = false;
  function touched(event) {
    if (storyForm.contains(event.target)) {
      dirty = true;
    }
  }
  document.addEventListener("input", touched);
  document.addEventListener("change", touched);
  storyForm.addEventListener("submit", function () { saving = true; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !saving) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  if (!window.fetch || !window.DOMParser || !window.FormData) {
    return;
  }

  function showMessages(fresh) {
    var old = document.querySelector("ul.messagelist");
    if (old) {
      old.remove();
    }
    var content = document.getElementById("content");
    if (!fresh || !content) {
      return;
    }
    var list = document.importNode(fresh, true);
    list.setAttribute("tabindex", "-1");
    content.parentNode.insertBefore(list, content);
    list.focus();
  }

  function say(text) {
    var list = document.createElement("ul");
    var item = document.createElement("li");
    list.className = "messagelist";
    item.className = "error";
    item.textContent = text;
    list.appendChild(item);
    showMessages(list);
  }

  function handled(form) {
    return form.closest("#live-coverage") &&
      (form.classList.contains("newsroom-live__post") || /\/approve\/$/.test(form.action));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !handled(form)) {
      return;
    }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
    }
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (text) {
          return { response: response, page: new DOMParser().parseFromString(text, "text/html") };
        });
      })
      .then(function (answer) {
        var panel = document.getElementById("live-coverage");
        var freshPanel = answer.page.getElementById("live-coverage");
        if (answer.response.ok && freshPanel && panel) {
          // Back on the story's page: the update is posted (or approved).
          panel.replaceWith(document.importNode(freshPanel, true));
          showMessages(answer.page.querySelector("ul.messagelist"));
          return;
        }
        var refusedForm = answer.page.querySelector("form.newsroom-live__post");
        if (answer.response.status === 400 && refusedForm && form.classList.contains("newsroom-live__post")) {
          // A mistake in the update: the same form comes back marked, with what was typed.
          form.replaceChildren.apply(form, Array.prototype.map.call(refusedForm.childNodes, function (node) {
            return document.importNode(node, true);
          }));
          var note = answer.page.querySelector(".errornote");
          if (note) {
            form.insertBefore(document.importNode(note, true), form.firstChild);
          }
          var first = form.querySelector("[aria-invalid=true], .errorlist + * input, .errorlist + * textarea, input, textarea");
          if (first) {
            first.focus();
          }
          return;
        }
        say("Not posted: the server did not accept it (" + answer.response.status + "). " +
            "Your story's changes are still here; save them, then try again.");
        if (button) {
          button.disabled = false;
        }
      })
      .catch(function () {
        say("Not posted: the connection failed. Your story's changes are still here; try again.");
        if (button) {
          button.disabled = false;
        }
      });
  });
}
// The admin loads its scripts in the page's head, before the form exists.
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", newsroomLivePanel);
} else {
  newsroomLivePanel();
}
