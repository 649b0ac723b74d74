/* Ctrl+K / Cmd+K search (server/web/search_page.py). No inline script: the CSP allows scripts from
   this origin only. htmx fetches the results fragment as you type; this file opens and closes the
   dialog and moves through the results with the keyboard:
     Ctrl+K, Cmd+K or the top bar's button  open the dialog (the button is a plain link without JS)
     ArrowDown / ArrowUp                    choose a result
     Enter                                  open the chosen result, else the first one
     Esc                                    close (the <dialog> does this itself)
   Every [data-search] box (the dialog, the search page) gets the same keys. */
(function () {
  "use strict";

  var dialog = document.getElementById("search-dialog");

  function results(box) {
    return Array.prototype.slice.call(box.querySelectorAll("[data-search-results] a[data-result]"));
  }

  function choose(box, index) {
    var items = results(box);
    var input = box.querySelector("[data-search-input]");
    items.forEach(function (a, i) {
      var on = i === index;
      a.classList.toggle("active", on);
      a.setAttribute("aria-selected", on ? "true" : "false");
      if (on) {
        a.scrollIntoView({ block: "nearest" });
        if (input) { input.setAttribute("aria-activedescendant", a.id); }
      }
    });
    box.dataset.active = String(index);
  }

  function activeIndex(box) {
    var n = parseInt(box.dataset.active || "0", 10);
    return isNaN(n) ? 0 : n;
  }

  function openDialog() {
    if (!dialog) { return false; }
    if (!dialog.open) { dialog.showModal(); }
    var input = dialog.querySelector("[data-search-input]");
    if (input) { input.focus(); input.select(); }
    return true;
  }

  function onKey(box, event) {
    var items = results(box);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!items.length) { return; }
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      choose(box, (activeIndex(box) + step + items.length) % items.length);
    } else if (event.key === "Enter" && !event.isComposing) {
      if (!items.length) { return; }  // no results yet: the form submits to the full search page
      event.preventDefault();
      var target = items[Math.min(activeIndex(box), items.length - 1)];
      window.location.assign(target.href);
    }
  }

  function bind(box) {
    var input = box.querySelector("[data-search-input]");
    if (input) {
      input.addEventListener("keydown", function (event) { onKey(box, event); });
    }
    var area = box.querySelector("[data-search-results]");
    if (area) {
      area.addEventListener("htmx:afterSwap", function () { choose(box, 0); });
      area.addEventListener("htmx:beforeSwap", function (event) {
        // the session ended while typing: the server redirected to the sign-in page; go there
        var url = (event.detail.xhr && event.detail.xhr.responseURL) || "";
        if (url.indexOf("/login") !== -1) {
          event.detail.shouldSwap = false;
          window.location.assign(url);
        }
      });
    }
    choose(box, 0);
  }

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "k" || event.key === "K")) {
      if (openDialog()) { event.preventDefault(); }
    }
  });

  document.querySelectorAll("[data-search-open]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (openDialog()) { event.preventDefault(); }
    });
  });

  document.querySelectorAll("[data-search-close]").forEach(function (button) {
    button.addEventListener("click", function () { if (dialog) { dialog.close(); } });
  });

  if (dialog) {
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) { dialog.close(); }  // a click on the backdrop
    });
  }

  document.querySelectorAll("[data-search]").forEach(bind);
})();
