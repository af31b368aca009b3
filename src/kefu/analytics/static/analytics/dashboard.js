// Draw the dashboard's charts from the numbers the page carries (#report-data); the tables
// beside them show the same numbers, so the page reads without JavaScript too.
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    if (!window.echarts) return;
    var data = JSON.parse(document.getElementById("report-data").textContent);
    var L = JSON.parse(document.getElementById("report-labels").textContent);
    var charts = [];
    function draw(id, option) {
      var el = document.getElementById(id);
      if (!el) return;
      var chart = echarts.init(el, null, { renderer: "svg" });
      option.tooltip = option.tooltip || { trigger: "item" };
      option.grid = option.grid || { left: 40, right: 10, top: 20, bottom: 40, containLabel: true };
      chart.setOption(option);
      charts.push(chart);
    }
    var v = data.volume;
    draw("chart-day", {
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: v.by_day.map(function (d) { return d.day.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: L.opened, type: "line", smooth: true, areaStyle: {}, data: v.by_day.map(function (d) { return d.count; }) }]
    });
    // A donut beside its table: names wrap instead of being cut to "售…", slices too thin to
    // carry a name leave it to the table and the tooltip.
    function pie(id, rows) {
      draw(id, { tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        series: [{ type: "pie", radius: ["30%", "54%"], center: ["46%", "50%"], minShowLabelAngle: 12,
          label: { formatter: "{b}", overflow: "break", width: 56, lineHeight: 14 },
          labelLine: { length: 6, length2: 6 },
          data: rows.map(function (r) { return { name: r.label, value: r.count }; }) }] });
    }
    pie("chart-type", v.by_type);
    pie("chart-channel", v.by_channel);
    var keys = ["met_on_time", "met_late", "breached", "running"];
    var colors = { met_on_time: "#3a9d5d", met_late: "#e6a23c", breached: "#d9534f", running: "#8aa4c8" };
    draw("chart-sla", {
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.sla.by_target.map(function (r) { return r.label; }) },
      series: keys.map(function (k) {
        return { name: L[k], type: "bar", stack: "sla", itemStyle: { color: colors[k] },
          data: data.sla.by_target.map(function (r) { return r[k]; }) };
      })
    });
    var buckets = Object.keys(data.backlog.buckets);
    draw("chart-backlog", {
      xAxis: { type: "category", data: buckets.map(function (k) { return L[k] || k; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: L.tickets, type: "bar", data: buckets.map(function (k) { return data.backlog.buckets[k]; }) }]
    });
    var causes = data.root_causes.slice(0, 10).reverse();
    draw("chart-causes", {
      grid: { left: 10, right: 20, top: 10, bottom: 20, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: causes.map(function (r) { return r.label; }) },
      series: [{ type: "bar", data: causes.map(function (r) { return r.count; }) }]
    });
    var b = data.breakdowns || {};
    function stacked(id, rows, keys) {
      draw(id, {
        tooltip: { trigger: "axis" }, legend: { bottom: 0 },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: rows.map(function (r) { return r.label; }) },
        series: keys.map(function (k) {
          return { name: L[k] || k, type: "bar", stack: "all", data: rows.map(function (r) { return r[k]; }) };
        })
      });
    }
    function bars(id, rows, key, name) {
      rows = rows.slice(0, 10).reverse();
      draw(id, {
        grid: { left: 10, right: 20, top: 10, bottom: 20, containLabel: true },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: rows.map(function (r) { return r.label; }) },
        series: [{ name: name, type: "bar", data: rows.map(function (r) { return Number(r[key]); }) }]
      });
    }
    if (b.aftersales) {
      stacked("chart-as-category", b.aftersales.by_category, ["return", "exchange", "repair"]);
      bars("chart-as-model", b.aftersales.by_model, "total", L.tickets);
    }
    if (b.csat_questions) bars("chart-questions", b.csat_questions, "average", L.average);
    if (b.low_scores) pie("chart-low", b.low_scores.outcomes.filter(function (r) { return r.count; }));
    if (b.escalations) pie("chart-esc-cause", b.escalations.by_cause);
    if (b.compensation_reasons) bars("chart-comp", data.compensation.by_store.concat(b.compensation_reasons), "total", L.amount);
    if (b.qa_service_types) stacked("chart-qa", b.qa_service_types, ["cold", "production_line", "friendly", "quality"]);
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
