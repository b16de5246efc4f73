// The import page: ask the server how far the import is, move the progress bar, and show
// the report (by reloading the page) once it has finished. No framework, no inline code.
(function () {
  "use strict";
  var block = document.getElementById("import-progress-block");
  if (!block || block.dataset.finished === "1") { return; }
  var bar = document.getElementById("import-progress");
  var status = document.getElementById("import-status");
  var delay = 1000;

  function show(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    var text = data.label;
    if (data.total) { text += " · " + data.done + " / " + data.total; }
    status.textContent = text;
  }

  function poll() {
    fetch(block.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { delay = Math.min(delay * 2, 10000); setTimeout(poll, delay); return; }
        show(data);
        if (data.finished) { window.location.reload(); return; }
        setTimeout(poll, delay);
      })
      .catch(function () { delay = Math.min(delay * 2, 10000); setTimeout(poll, delay); });
  }

  setTimeout(poll, delay);
})();
