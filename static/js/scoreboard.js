// Draws the scoreboard charts from the JSON the page embeds; no inline script needed.
(function () {
  const node = document.getElementById("chart-data");
  if (!node || !window.Plotly) return;
  const data = JSON.parse(node.textContent);
  const layout = { margin: { t: 10, r: 10, b: 80, l: 40 }, legend: { orientation: "h" }, font: { size: 11 } };
  const config = { displaylogo: false, responsive: true };
  Plotly.newPlot("chart-points", [
    { type: "bar", name: "积分", x: data.units, y: data.points, marker: { color: "#b3121b" } },
    { type: "scatter", mode: "markers", name: "基数", x: data.units, y: data.quota, marker: { color: "#212529", symbol: "line-ew-open", size: 18 } },
  ], layout, config);
  const trend = Object.entries(data.trend).map(([unit, values]) => {
    let sum = 0;
    return { type: "scatter", mode: "lines", name: unit, x: data.months, y: values.map((v) => (sum += v)) };
  });
  Plotly.newPlot("chart-trend", trend, layout, config);
  document.body.dataset.chartsReady = "1";
})();
