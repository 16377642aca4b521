// Renders every [data-chart] element from the JSON script beside it (CSP-safe: no inline script).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-chart]").forEach((el) => {
    const data = JSON.parse(el.nextElementSibling.textContent);
    const chart = echarts.init(el);
    const palette = ["#206bc4", "#2fb344", "#f59f00", "#d63939", "#ae3ec9", "#17a2b8", "#74b816"];
    if (data.type === "line") {
      // One line per series over the years; a point opens the list of that year's rows.
      chart.setOption({ color: palette, tooltip: { trigger: "axis" }, legend: { bottom: 0 },
        grid: { left: 8, right: 20, top: 10, bottom: 40, containLabel: true },
        xAxis: { type: "category", data: data.labels }, yAxis: { type: "value" },
        series: data.series.map((s) => ({ name: s.name, type: "line", data: s.values })) });
      chart.on("click", (params) => {
        const url = data.series[params.seriesIndex].urls[params.dataIndex];
        if (url) window.location.assign(url);
      });
      window.addEventListener("resize", () => chart.resize());
      return;
    }
    if (data.type === "heatmap") {
      // Rows × columns, the value coloured (negative: more demand than supply); a cell opens its rows.
      const values = data.cells.map((c) => c[2]);
      const bound = Math.max(1, ...values.map((v) => Math.abs(v)));
      chart.setOption({ tooltip: { position: "top" }, grid: { left: 8, right: 20, top: 10, bottom: 70, containLabel: true },
        xAxis: { type: "category", data: data.x, axisLabel: { rotate: 40, fontSize: 10 } },
        yAxis: { type: "category", data: data.y },
        visualMap: { min: -bound, max: bound, calculable: true, orient: "horizontal", left: "center", bottom: 0,
          inRange: { color: ["#d63939", "#f8f9fa", "#2fb344"] } },
        series: [{ type: "heatmap", data: data.cells, label: { show: true, fontSize: 10 } }] });
      chart.on("click", (params) => {
        const url = data.urls[params.dataIndex];
        if (url) window.location.assign(url);
      });
      window.addEventListener("resize", () => chart.resize());
      return;
    }
    if (data.type === "bar-pair") {
      // Two bars per category (supply and demand); a bar opens the rows it counts.
      chart.setOption({ color: palette, tooltip: { trigger: "axis" }, legend: { bottom: 0 },
        grid: { left: 8, right: 20, top: 10, bottom: 40, containLabel: true },
        xAxis: { type: "value" }, yAxis: { type: "category", data: data.labels, inverse: true },
        series: data.series.map((s) => ({ name: s.name, type: "bar", data: s.values, barMaxWidth: 14 })) });
      chart.on("click", (params) => {
        const url = data.series[params.seriesIndex].urls[params.dataIndex];
        if (url) window.location.assign(url);
      });
      window.addEventListener("resize", () => chart.resize());
      return;
    }
    if (data.type === "pie") {
      chart.setOption({ color: palette, tooltip: { trigger: "item" }, legend: { bottom: 0 },
        series: [{ type: "pie", radius: ["40%", "70%"], label: { formatter: "{b}\n{c}" }, data: data.labels.map((n, i) => ({ name: n, value: data.values[i] })) }] });
    } else {
      // containLabel + a wrapping width: long (English) category names wrap instead of being cut at 140 px.
      chart.setOption({ color: palette, tooltip: {}, grid: { left: 8, right: 20, top: 10, bottom: 30, containLabel: true },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: data.labels, inverse: true,
          axisLabel: { width: Math.min(220, Math.max(90, el.clientWidth * 0.35)), overflow: "break", lineHeight: 14 } },
        series: [{ type: "bar", data: data.values, barMaxWidth: 18 }] });
    }
    // A bar or slice opens the list of exactly the rows it counts (core/figures.py drill_url).
    if (data.urls) {
      chart.on("click", (params) => {
        const url = data.urls[params.dataIndex];
        if (url) window.location.assign(url);
      });
    }
    window.addEventListener("resize", () => chart.resize());
  });
});
