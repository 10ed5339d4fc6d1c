// The township picker as an ARIA combobox (docs/decisions/0186-*.md): htmx brings the matches
// as a listbox under the box; here the arrow keys move through them, Enter picks the one shown
// as chosen (htmx then swaps in the filled-in box) and Escape closes the list. A tap or a click
// picks through htmx alone. Without JavaScript the box keeps its <datalist>.
(function () {
  "use strict";

  function options() {
    var list = document.getElementById("township-listbox");
    return list ? Array.prototype.slice.call(list.querySelectorAll('[role="option"]')) : [];
  }

  function choose(box, option) {
    options().forEach(function (each) {
      each.setAttribute("aria-selected", each === option ? "true" : "false");
    });
    if (option) {
      box.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      box.removeAttribute("aria-activedescendant");
    }
  }

  function close(box) {
    var results = document.getElementById("township-results");
    if (results) results.textContent = "";
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  }

  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || box.getAttribute("role") !== "combobox") return;
    var all = options();
    if (!all.length) return;
    var current = document.getElementById(box.getAttribute("aria-activedescendant") || "");
    var at = all.indexOf(current);
    if (event.key === "ArrowDown") {
      choose(box, all[(at + 1) % all.length]);
    } else if (event.key === "ArrowUp") {
      choose(box, all[at <= 0 ? all.length - 1 : at - 1]);
    } else if (event.key === "Enter" && at >= 0) {
      current.click(); // htmx's own click trigger asks for the filled-in box
    } else if (event.key === "Escape") {
      close(box);
    } else {
      return;
    }
    event.preventDefault();
  });

  // After every htmx swap: say whether the list is open, and start again from the box.
  document.addEventListener("htmx:afterSettle", function () {
    var box = document.querySelector('input[role="combobox"]');
    if (!box) return;
    box.setAttribute("aria-expanded", options().length ? "true" : "false");
    box.removeAttribute("aria-activedescendant");
  });
})();
