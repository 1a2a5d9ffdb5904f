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
  // Copy buttons that carry their text (a file's full SHA-256).
  document.querySelectorAll("[data-copy-value]").forEach(function (btn) {
    var text = btn.getAttribute("data-copy-value");
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var done = function () {
        btn.classList.add("is-copied");
        setTimeout(function () { btn.classList.remove("is-copied"); }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () {});
        return;
      }
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.className = "sr-only";
      document.body.appendChild(ta);
      ta.select();
      try { if (document.execCommand("copy")) done(); } catch (err) { /* nothing to copy with */ }
      document.body.removeChild(ta);
    });
  });

  // File uploads: send with XMLHttpRequest to show progress. Without
  // JavaScript the form posts normally and the server redirects back.
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var box = form.querySelector(".upload-progress");
    var bar = box && box.querySelector("progress");
    var pct = box && box.querySelector(".upload-percent");
    var errBox = form.querySelector(".upload-error");
    var button = form.querySelector("button[type=submit]");
    if (!box || !bar || !window.FormData || !window.XMLHttpRequest) return;
    var show = function (p) {
      bar.value = p;
      pct.textContent = p + "%";
    };
    var fail = function (msg) {
      box.hidden = true;
      button.disabled = false;
      if (errBox) { errBox.textContent = msg; errBox.hidden = false; }
    };
    // The message of a refused upload: the field or form error of the
    // re-rendered page, or the error page's explanation.
    var messageOf = function (xhr) {
      try {
        var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var sels = ["form[data-upload] .field-error", "form[data-upload] .alert-error span", "main .alert-error span", ".error-page .lead"];
        for (var i = 0; i < sels.length; i++) {
          var el = doc.querySelector(sels[i]);
          if (el && el.textContent.trim()) return el.textContent.trim();
        }
      } catch (err) { /* fall through */ }
      return "The upload failed (" + (xhr.status ? "HTTP " + xhr.status : "connection lost") + ").";
    };
    form.addEventListener("submit", function (e) {
      var input = form.querySelector("input[type=file]");
      if (!input || !input.files || input.files.length === 0) return; // let the browser say so
      e.preventDefault();
      if (errBox) errBox.hidden = true;
      button.disabled = true;
      box.hidden = false;
      show(0);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (ev) {
        if (ev.lengthComputable) show(Math.floor(ev.loaded / ev.total * 100));
      });
      xhr.addEventListener("load", function () {
        if (xhr.status >= 200 && xhr.status < 300) {
          show(100);
          // The server redirected to the release page; go where it went.
          if (xhr.responseURL) window.location.assign(xhr.responseURL + "#files");
          else window.location.reload();
          return;
        }
        fail(messageOf(xhr));
      });
      xhr.addEventListener("error", function () { fail("The upload failed: the connection was lost."); });
      xhr.addEventListener("abort", function () { fail("The upload was cancelled."); });
      xhr.send(new FormData(form));
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
