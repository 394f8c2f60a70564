// Filter the votes table by vote and by topic. Without JavaScript the whole table shows.
(function () {
  var form = document.getElementById("votes-filter");
  var vote = document.getElementById("vote-filter");
  var tag = document.getElementById("tag-filter");
  var status = document.getElementById("votes-status");
  if (!form || !vote || !tag) { return; }
  form.hidden = false;
  var rows = Array.prototype.slice.call(document.querySelectorAll("#votes-table tr[data-vote]"));
  function apply() {
    var shown = 0;
    rows.forEach(function (tr) {
      var tags = tr.getAttribute("data-tags").split("|");
      var match = (!vote.value || tr.getAttribute("data-vote") === vote.value) &&
        (!tag.value || tags.indexOf(tag.value) !== -1);
      tr.hidden = !match;
      if (match) { shown += 1; }
    });
    status.textContent = (vote.value || tag.value) ? shown + " decisions match" : "";
  }
  vote.addEventListener("change", apply);
  tag.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
}());
