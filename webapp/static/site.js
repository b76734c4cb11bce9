// Progressive enhancement only: every page reads fine without this file.
// - table.sortable: header buttons sort rows (numbers by data-value, text by locale);
// - form[data-filter-table]: selects hide table rows whose data-* do not match, live.
// Data never goes through innerHTML: rows are moved, text read with textContent.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var collator = new Intl.Collator(lang, { numeric: true, sensitivity: "base" });

  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) { return numeric ? -Infinity : ""; }
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
    if (numeric) { var n = parseFloat(raw); return isNaN(n) ? -Infinity : n; }
    return raw;
  }

  function makeSortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var numeric = th.getAttribute("data-type") === "number";
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
          var c = numeric ? (x < y ? -1 : x > y ? 1 : 0) : collator.compare(x, y);
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function makeFilter(form) {
    var target = document.getElementById(form.getAttribute("data-filter-table"));
    var status = form.querySelector("[data-filter-status]");
    if (!target) { return; }
    var selects = form.querySelectorAll("select[data-key]");
    function apply() {
      var shown = 0, rows = target.querySelectorAll("tbody tr");
      Array.prototype.forEach.call(rows, function (row) {
        var ok = true;
        Array.prototype.forEach.call(selects, function (s) {
          if (!s.value) { return; }
          var values = (row.getAttribute("data-" + s.getAttribute("data-key")) || "").split(" ");
          if (values.indexOf(s.value) < 0) { ok = false; }
        });
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      if (status) {
        status.textContent = status.getAttribute("data-template").replace("{shown}", shown)
          .replace("{total}", rows.length);
      }
    }
    Array.prototype.forEach.call(selects, function (s) { s.addEventListener("change", apply); });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(); });
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-filter-table]"), makeFilter);
  });
})();
