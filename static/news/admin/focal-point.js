/* The lead image's focal point picker in the story form.
   The two number boxes ("focal point across", "focal point down", 0 to 1) work on their own;
   this shows the picture beside them, with a ring where the point is: a click on the picture
   sets both boxes, and typing in a box moves the ring. A newly chosen file is shown before it
   is saved (read as a data: address, which the admin's CSP admits). */
(function () {
  "use strict";

  function clamp(value) {
    var number = parseFloat(value);
    if (isNaN(number)) {
      return 0.5;
    }
    return Math.min(1, Math.max(0, number));
  }

  function start() {
    var fileInput = document.getElementById("id_lead_image");
    var across = document.getElementById("id_lead_image_focal_x");
    var down = document.getElementById("id_lead_image_focal_y");
    if (!fileInput || !across || !down) {
      return;
    }
    var current = fileInput.closest("p.file-upload");
    var link = current ? current.querySelector("a[href]") : null;

    var picker = document.createElement("div");
    picker.className = "focal-picker";
    picker.hidden = true;
    var help = document.createElement("p");
    help.className = "help focal-picker__help";
    help.id = "focal-picker-help";
    help.textContent = "Click the picture where its subject is: crops for search engines " +
      "and sharing keep that point in view. Or type the numbers above.";
    var frame = document.createElement("div");
    frame.className = "focal-picker__frame";
    var image = document.createElement("img");
    image.className = "focal-picker__image";
    image.alt = "The lead image: click to set its focal point";
    image.setAttribute("aria-describedby", help.id);
    var mark = document.createElement("span");
    mark.className = "focal-picker__mark";
    mark.setAttribute("aria-hidden", "true");
    frame.append(image, mark);
    picker.append(help, frame);
    var row = down.closest(".form-row") || down.parentNode;
    row.after(picker);

    function place() {
      // CSSOM, not a style attribute: a strict CSP allows a script file to set these.
      mark.style.left = (clamp(across.value) * 100) + "%";
      mark.style.top = (clamp(down.value) * 100) + "%";
    }

    function show(src) {
      image.src = src;
      picker.hidden = false;
      place();
    }

    image.addEventListener("click", function (event) {
      var box = image.getBoundingClientRect();
      across.value = ((event.clientX - box.left) / box.width).toFixed(2);
      down.value = ((event.clientY - box.top) / box.height).toFixed(2);
      across.dispatchEvent(new Event("change", { bubbles: true }));
      down.dispatchEvent(new Event("change", { bubbles: true }));
      place();
    });
    across.addEventListener("input", place);
    down.addEventListener("input", place);

    fileInput.addEventListener("change", function () {
      var file = fileInput.files && fileInput.files[0];
      if (!file || !window.FileReader) {
        return;
      }
      // A new picture: its subject is somewhere else, so the point starts in the middle.
      across.value = "0.5";
      down.value = "0.5";
      var reader = new FileReader();
      reader.addEventListener("load", function () { show(reader.result); });
      reader.readAsDataURL(file);
    });

    if (link) {
      show(link.href);
    }
  }

  // The admin loads its scripts in the page's head, before the form exists.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
