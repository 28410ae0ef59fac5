/* The People screen's "Add a person" form: the username box shows, as its placeholder, the
   username an empty box will get (the part of the email before the @) while the email is
   typed. The server makes the same suggestion (adding a number when it is taken), so without
   this file the form works the same. Loaded in the page's head, so it waits for the form. */
(function () {
  "use strict";
  function start() {
    var email = document.getElementById("id_email");
    var username = document.getElementById("id_username");
    if (!email || !username || !document.getElementById("id_sign_in_0")) {
      return;
    }
    function suggest() {
      var local = email.value.split("@")[0].toLowerCase();
      username.placeholder = local.replace(/[^\p{L}\p{N}_.+-]/gu, "");
    }
    email.addEventListener("input", suggest);
    suggest();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
