// Searchable menus: a form's <select data-picker> (organisations, people, any long list) gets a
// filter box above it. Typing keeps the options whose label holds every word typed, in any case;
// chosen options always stay (a hidden choice is still sent). Without this script the menu is a
// plain <select> and works as one. Served from the binary (/static/picker.js): no CDN, no build.
(function () {
  "use strict";

  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
  }

  function enhance(select) {
    var options = Array.prototype.slice.call(select.options);
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-filter";
    box.placeholder = select.getAttribute("data-picker") || "";
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("aria-controls", select.id);
    box.autocomplete = "off";
    var count = document.createElement("span");
    count.className = "picker-count";
    count.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(count, select.nextSibling);
    function filter() {
      var want = words(box.value);
      var shown = 0;
      var firstShown = null;
      options.forEach(function (o) {
        var label = (o.text || "").toLowerCase();
        var hit = want.every(function (w) { return label.indexOf(w) >= 0; });
        var keep = hit || o.selected || (o.value === "" && want.length === 0);
        o.hidden = !keep;
        if (hit && o.value !== "") {
          shown += 1;
          if (firstShown === null) firstShown = o;
        }
      });
      if (!select.multiple) {
        // Shown as a list while filtering, so the matches can be seen and picked; the first
        // match is chosen meanwhile, so that typing a name and saving is enough.
        select.size = want.length > 0 ? Math.max(2, Math.min(8, shown + 1)) : 0;
        var chosen = select.options[select.selectedIndex];
        if (want.length > 0 && firstShown !== null && (!chosen || chosen.value === "" || chosen.hidden)) {
          firstShown.selected = true;
        }
      }
      count.textContent = want.length > 0 ? " " + shown + " / " + options.filter(function (o) { return o.value !== ""; }).length : "";
    }

    box.addEventListener("input", filter);
    box.addEventListener("keydown", function (e) {
      // Enter picks the first match rather than sending the form half filled in.
      if (e.key === "Enter") {
        e.preventDefault();
        select.focus();
      }
    });
    select.addEventListener("change", function () {
      if (!select.multiple && box.value !== "") {
        box.value = "";
        filter();
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-picker]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
