// Shipshape: small conveniences on top of pages that work without JavaScript.
(function () {
  "use strict";

  // Menus are <details>: keep only one open, close on outside click or Escape.
  var menus = Array.prototype.slice.call(document.querySelectorAll("details.menu"));
  menus.forEach(function (m) {
    m.addEventListener("toggle", function () {
      if (!m.open) return;
      menus.forEach(function (o) { if (o !== m) o.open = false; });
    });
  });
  document.addEventListener("click", function (e) {
    menus.forEach(function (m) { if (m.open && !m.contains(e.target)) m.open = false; });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    menus.forEach(function (m) {
      if (m.open) { m.open = false; m.querySelector("summary").focus(); }
    });
  });

  // Confirmation steps: move focus into the panel when it opens.
  document.querySelectorAll("details.confirm").forEach(function (d) {
    d.addEventListener("toggle", function () {
      if (!d.open) return;
      var el = d.querySelector(".confirm-panel input, .confirm-panel button");
      if (el) el.focus();
    });
  });

  // Copy buttons for one-time secrets and links (hidden without JavaScript).
  document.querySelectorAll("[data-copy]").forEach(function (btn) {
    var input = document.getElementById(btn.getAttribute("data-copy"));
    if (!input) return;
    btn.hidden = false;
    var label = btn.querySelector("span");
    var original = label ? label.textContent : "";
    btn.addEventListener("click", function () {
      var done = function () {
        btn.classList.add("is-copied");
        if (label) label.textContent = "Copied";
        setTimeout(function () {
          btn.classList.remove("is-copied");
          if (label) label.textContent = original;
        }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
      } else {
        input.select();
        try { if (document.execCommand("copy")) done(); } catch (err) { /* the text stays selected */ }
      }
    });
  });
  document.querySelectorAll("input[readonly]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });

  // Suggest a URL name from the name until the person edits it themselves.
  document.querySelectorAll("form").forEach(function (form) {
    var name = form.querySelector("input[name=name]");
    var slug = form.querySelector("input[name=slug]");
    if (!name || !slug) return;
    var touched = slug.value !== "";
    slug.addEventListener("input", function () { touched = slug.value !== ""; });
    name.addEventListener("input", function () {
      if (touched) return;
      slug.value = name.value.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
        .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
    });
  });

  // Project keys are upper-case.
  document.querySelectorAll("input[name=key]").forEach(function (key) {
    key.addEventListener("input", function () {
      var pos = key.selectionStart;
      key.value = key.value.toUpperCase();
      key.setSelectionRange(pos, pos);
    });
  });
})();
