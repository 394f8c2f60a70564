// Search the public site with Pagefind's index (site/pagefind/), made in shards: the first
// is loaded, the others merged into it. No inline script: the site's Content-Security-Policy
// allows scripts from the site itself (and WebAssembly).
(function () {
  var script = document.currentScript;
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!script || !form || !input || !list) { return; }
  var bundle = new URL(script.getAttribute("data-pagefind"), document.baseURI).href;
  var site = new URL("../..", new URL("./", bundle)).href;
  var merged = (script.getAttribute("data-pagefind-merge") || "").split(" ").filter(Boolean);
  var loading = null;
  function pagefind() {
    if (!loading) {
      loading = import(bundle).then(function (pf) {
        return Promise.all(merged.map(function (path) {
          return pf.mergeIndex(new URL(path, document.baseURI).href);
        })).then(function () { return pf; });
      });
    }
    return loading;
  }
  function link(url) {
    return new URL(url.replace(/^\//, ""), site).href;
  }
  function show(query) {
    list.textContent = "";
    if (!query) { status.textContent = ""; return; }
    status.textContent = "Searching…";
    pagefind().then(function (pf) {
      return pf.search(query);
    }).then(function (found) {
      return Promise.all(found.results.slice(0, 20).map(function (r) { return r.data(); }));
    }).then(function (pages) {
      pages.forEach(function (page) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = link(page.url);
        a.textContent = (page.meta && page.meta.title) || page.url;
        var excerpt = document.createElement("p");
        excerpt.className = "small";
        excerpt.innerHTML = page.excerpt;  // Pagefind's excerpt of the audited index: <mark> only
        li.appendChild(a);
        li.appendChild(excerpt);
        list.appendChild(li);
      });
      status.textContent = pages.length ? pages.length + " found" : "Nothing found";
    }).catch(function () {
      status.textContent = "Search is not available here (open the site through a web server).";
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
    show(input.value.trim());
  });
  var q = new URLSearchParams(location.search).get("q") || "";
  input.value = q;
  show(q.trim());
}());
