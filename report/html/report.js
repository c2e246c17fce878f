// fetchbench's HTML report: draws the charts from the JSON in #data with uPlot, then marks
// <body data-charts-drawn="true"> once every chart has drawn.
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("data").textContent);
  const root = document.getElementById("charts");
  const colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]; // red is for failures
  let made = 0, drawn = 0, done = false;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function settle() {
    if (!done && drawn === made) {
      done = true;
      document.body.setAttribute("data-charts-drawn", "true");
    }
  }
  // chart makes one uPlot chart in parent and counts its first draw.
  function chart(parent, opts, data) {
    const box = el("div");
    parent.appendChild(box);
    let first = true;
    opts.hooks = { draw: [() => { if (first) { first = false; drawn++; settle(); } }] };
    made++;
    new uPlot(opts, data, box);
  }
  const width = Math.min(900, Math.max(480, window.innerWidth - 60));

  // Latency distribution: every run on one logarithmic axis, as the share of its requests.
  if (D.runs.length) {
    root.appendChild(el("h2", "Latency distribution"));
    const xs = [...new Set(D.runs.flatMap(r => r.hist_ms))].sort((a, b) => a - b);
    const data = [xs];
    const series = [{ label: "latency ms" }];
    D.runs.forEach((r, i) => {
      const at = new Map(r.hist_ms.map((x, j) => [x, r.hist_pct[j]]));
      data.push(xs.map(x => at.get(x) ?? 0));
      const c = colors[i % colors.length];
      series.push({ label: r.label, stroke: c, fill: c + "22", width: 1.5, paths: uPlot.paths.stepped({ align: 0 }), points: { show: false } });
    });
    chart(root, {
      width, height: 260, series,
      scales: { x: { time: false, distr: 3 } },
      axes: [{ label: "latency (ms, log)" }, { label: "% of requests" }],
    }, data);
  }

  // Requests in flight over time, one chart per run: per time bucket, the time-weighted mean
  // number of requests on the wire, with the run's peak for reference and, for an adaptive
  // run, its limit.
  if (D.runs.length) {
    root.appendChild(el("h2", "Requests in flight over time"));
    root.appendChild(el("p", "Each step is the time-weighted mean number of requests on the wire during its time bucket " +
      "(the in-flight count integrated over the bucket, divided by its width): it never exceeds the run's peak, " +
      "its area is the sum of the latencies, and its average over the run is the mean in flight. " +
      "An adaptive run's limit is drawn over it: the highest and lowest limit its requests started in the bucket were admitted under.", "note"));
    const box = el("div", "", "runs");
    root.appendChild(box);
    D.runs.forEach((r, i) => {
      const cell = el("div");
      box.appendChild(cell);
      cell.appendChild(el("h3", r.label));
      const limited = Array.isArray(r.limit_max);
      let note = `bucket ${r.bucket_ms} ms; peak ${r.peak}, mean ${r.mean_in_flight} in flight`;
      if (limited) {
        const ls = r.limit_max.filter(l => l !== null);
        note += `; adaptive limit ${Math.min(...r.limit_min.filter(l => l !== null))}–${Math.max(...ls)}, settled at ${r.limit_settled}`;
      }
      cell.appendChild(el("p", note, "note"));
      const c = colors[i % colors.length];
      const series = [{ label: "ms" },
        { label: `mean in flight per ${r.bucket_ms} ms`, stroke: c, fill: c + "33", paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } },
        { label: "peak", stroke: "#7f7f7f", dash: [4, 4], width: 1, points: { show: false } }];
      const data = [r.time_ms, r.in_flight, r.time_ms.map(() => r.peak)];
      let top = r.peak;
      if (limited) {
        // The limit the run's requests were admitted under, highest and lowest per bucket,
        // held through buckets where none started.
        series.push(
          { label: "limit (highest)", stroke: "#111111", width: 1.5, spanGaps: true, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } },
          { label: "limit (lowest)", stroke: "#111111", width: 1, dash: [2, 3], spanGaps: true, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } });
        data.push(r.limit_max, r.limit_min);
        top = Math.max(top, ...r.limit_max.filter(l => l !== null));
      }
      chart(cell, {
        width: Math.min(440, width), height: 180, series,
        scales: { x: { time: false }, y: { range: (u, lo, hi) => [0, Math.max(1, top, hi)] } },
        axes: [{ label: "time (ms)" }, {}],
      }, data);
    });
  }

  // segments draws every pair of points of a mode-2 series as one horizontal bar.
  function segments(u, si) {
    const [xs, ys] = u.data[si];
    const p = new Path2D();
    const h = Math.max(1, Math.min(8, (u.bbox.height / Math.max(1, u.scales.y.max - u.scales.y.min)) * 0.7));
    for (let i = 0; i + 1 < xs.length; i += 2) {
      const x0 = u.valToPos(xs[i], "x", true), x1 = u.valToPos(xs[i + 1], "x", true);
      const y = u.valToPos(ys[i], "y", true);
      p.rect(x0, y - h / 2, Math.max(1, x1 - x0), h);
    }
    return { stroke: p, fill: p };
  }

  // Waterfalls: one per run, queue wait and wire time per request, on one time axis.
  if (D.runs.length) {
    root.appendChild(el("h2", "Waterfall"));
    const end = Math.max(1, ...D.runs.map(r => r.wall_ms));
    D.runs.forEach((r, i) => {
      root.appendChild(el("h3", r.label));
      if (r.every_kth > 1) {
        root.appendChild(el("p", `${r.requests} requests: one in ${r.every_kth} is drawn (${r.rows.length} rows).`, "note"));
      }
      const q = [[], []], wire = [[], []], bad = [[], []];
      r.rows.forEach(([seq, qs, s, e, failed]) => {
        if (s > qs) { q[0].push(qs, s); q[1].push(seq, seq); }
        const t = failed ? bad : wire;
        t[0].push(s, Math.max(e, s)); t[1].push(seq, seq);
      });
      const bar = (label, color, pts) => ({ label, stroke: color, fill: color, paths: segments, points: { show: false } });
      chart(root, {
        mode: 2, width, height: Math.min(420, 150 + 6 * r.rows.length),
        series: [{}, bar("waiting", "#c7c7c7", q), bar("on the wire", colors[i % colors.length], wire), bar("failed", "#d62728", bad)],
        scales: { x: { time: false, range: [0, end] }, y: { dir: -1, ori: 1, range: [-1, Math.max(1, r.requests)] } },
        axes: [{ label: "time (ms)" }, { label: "request" }],
        legend: { live: false },
      }, [null, q, wire, bad]);
    });
  }

  // Sweeps: throughput and p99 latency by level.
  D.sweeps.forEach(s => {
    root.appendChild(el("h2", s.title));
    root.appendChild(el("p", s.knee, "note"));
    chart(root, {
      width, height: 260,
      series: [{ label: s.param }, { label: "req/s", stroke: colors[0], width: 2, scale: "rps" }, { label: "p99 ms", stroke: colors[1], width: 2, scale: "ms" }],
      scales: { x: { time: false, distr: s.param === "c" ? 3 : 1, log: 2 }, rps: {}, ms: {} },
      axes: [{ label: s.param }, { scale: "rps", label: "req/s" }, { scale: "ms", side: 1, label: "p99 ms", grid: { show: false } }],
    }, [s.levels, s.rps, s.p99_ms]);
  });
  settle();
})();
