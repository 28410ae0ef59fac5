/* Topic suggestions for the comma-separated "Tags" box in the story form.
   As an editor types, the word after the last comma is looked up among existing topics and
   offered through a <datalist>: picking one completes it. Without this file the box is a plain
   text field and works the same. */
(function () {
  "use strict";
  var input = document.getElementById("id_tags");
  if (!input || !window.fetch) {
    return;
  }
  var endpoint = window.location.pathname.replace(/\/(add|\d+\/change)\/?$/, "/tag-suggestions/");
  var list = document.createElement("datalist");
  list.id = "id_tags_suggestions";
  input.setAttribute("list", list.id);
  input.setAttribute("autocomplete", "off");
  input.after(list);
  var pending = 0;

  input.addEventListener("input", function () {
    var parts = input.value.split(",");
    var term = parts[parts.length - 1].trim();
    var done = parts.slice(0, -1).map(function (p) { return p.trim(); }).filter(Boolean);
    var ticket = ++pending;
    if (!term) {
      list.replaceChildren();
      return;
    }
    fetch(endpoint + "?q=" + encodeURIComponent(term), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        if (ticket !== pending) {
          return;
        }
        list.replaceChildren.apply(list, data.results.map(function (name) {
          var option = document.createElement("option");
          option.value = done.concat([name]).join(", ");
          return option;
        }));
      })
      .catch(function () { list.replaceChildren(); });
  });
})();
