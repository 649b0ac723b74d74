/* Dashboard charts (server/web/dashboard.py) with the vendored ECharts 5. The figures come embedded
   in #dashboard-charts[data-chart] (JSON), then every minute from data-data-url; no inline script
   (CSP). Without JavaScript the tables under the charts show the same figures. */
(function () {
  "use strict";

  var root = document.getElementById("dashboard-charts");
  if (!root || typeof window.echarts === "undefined") { return; }

  var REFRESH_MS = 60 * 1000;
  var hourlyEl = root.querySelector('[data-chart-kind="hourly"]');
  var unitsEl = root.querySelector('[data-chart-kind="units"]');
  var hourly = hourlyEl ? window.echarts.init(hourlyEl, null, { renderer: "canvas" }) : null;
  var units = unitsEl ? window.echarts.init(unitsEl, null, { renderer: "canvas" }) : null;

  function grid() {
    return { left: 48, right: 16, top: 24, bottom: 32, containLabel: true };
  }

  function draw(data) {
    if (hourly) {
      hourly.setOption({
        tooltip: { trigger: "axis" },
        grid: grid(),
        xAxis: { type: "category", data: data.hours, axisLabel: { formatter: "{value}:00" } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ name: root.dataset.seriesMovements, type: "bar", data: data.movements, itemStyle: { color: "#1565c0" } }]
      });
    }
    if (units) {
      units.setOption({
        tooltip: { trigger: "axis" },
        grid: grid(),
        xAxis: { type: "category", data: data.warehouses, axisLabel: { interval: 0, rotate: data.warehouses.length > 4 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ name: root.dataset.seriesUnits, type: "bar", data: data.units, itemStyle: { color: "#2e7d32" } }]
      });
    }
  }

  function refresh() {
    fetch(root.dataset.dataUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { draw(data); } })
      .catch(function () { /* offline or signed out: keep the figures shown */ });
  }

  try {
    draw(JSON.parse(root.dataset.chart || "{}"));
  } catch (e) {
    return;
  }
  window.addEventListener("resize", function () {
    if (hourly) { hourly.resize(); }
    if (units) { units.resize(); }
  });
  window.setInterval(refresh, REFRESH_MS);
})();
