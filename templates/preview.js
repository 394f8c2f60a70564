// The rep's preview: reload the page when the preview has been rebuilt (server-sent events).
(function () {
  var shown = null;
  var events = new EventSource("/_preview/events");
  events.onmessage = function (event) {
    if (shown === null) {
      shown = event.data;
    } else if (event.data !== shown) {
      window.location.reload();
    }
  };
})();
