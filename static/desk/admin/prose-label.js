// The body editor (django-prose-editor) replaces its textarea with an editable area that has no
// name of its own: give it the textarea's label and help text, so a screen reader announces
// "Body" where it would announce an unnamed text box. Without JavaScript the labelled textarea
// is what the form shows, so nothing is lost.
(function () {
  "use strict";

  function name(editable, textarea) {
    if (!editable || !textarea || !textarea.id) return;
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    if (label) {
      if (!label.id) label.id = textarea.id + "-label";
      editable.setAttribute("aria-labelledby", label.id);
    }
    var described = textarea.getAttribute("aria-describedby");
    if (described) editable.setAttribute("aria-describedby", described);
    editable.setAttribute("aria-multiline", "true");
  }

  document.addEventListener("prose-editor:ready", function (event) {
    var detail = event.detail || {};
    name(detail.editor && detail.editor.view && detail.editor.view.dom, detail.textarea);
  });
})();
