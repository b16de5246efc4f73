// Draw every chart of the page from its JSON block; the numbers stay readable without it.
(function () {
  "use strict";
  if (!window.Plotly) { return; }
  var nodes = document.querySelectorAll("[data-chart]");
  Array.prototype.forEach.call(nodes, function (node) {
    var source = document.getElementById(node.getAttribute("data-chart"));
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(node, figure.data, figure.layout, figure.config || {});
  });
})();
