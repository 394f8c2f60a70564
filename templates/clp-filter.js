// Filter the CLP directory as you type. Without JavaScript the full list shows.
(function () {
  var box = document.getElementById("filter-box");
  var input = document.getElementById("clp-filter");
  var status = document.getElementById("filter-status");
  if (!box || !input) { return; }
  box.hidden = false;
  var items = Array.prototype.slice.call(document.querySelectorAll("#clp-list li[data-name]"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("#clp-list section"));
  input.addEventListener("input", function () {
    var q = input.value.trim().toLowerCase();
    var shown = 0;
    items.forEach(function (li) {
      var match = li.getAttribute("data-name").indexOf(q) !== -1;
      li.hidden = !match;
      if (match) { shown += 1; }
    });
    sections.forEach(function (s) {
      s.hidden = s.querySelectorAll("li[data-name]:not([hidden])").length === 0;
    });
    status.textContent = q ? shown + " CLPs match" : "";
  });
}());
