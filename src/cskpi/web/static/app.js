// cskpi web: draws the ECharts options the server rendered, runs the live monitor (SSE) and
// the scorecard editor. No framework; the pages work without JS except charts and live data.
(function () {
  "use strict";
  var charts = {};

  function drawCharts() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.on("finished", function () { el.dataset.rendered = "1"; });
      chart.setOption(JSON.parse(el.dataset.chart));
      charts[el.id] = chart;
    });
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (id) { charts[id].resize(); });
    });
  }

  function text(el, value) { if (el) { el.textContent = value; } }

  function escapeHtml(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function live() {
    var root = document.getElementById("live");
    if (!root || !window.EventSource) { return; }
    var names = JSON.parse(root.dataset.names);
    var status = document.getElementById("live-status");
    var source = new EventSource(root.dataset.stream);
    source.onopen = function () { status.dataset.state = "connected"; text(status, root.dataset.textConnected); };
    source.onerror = function () { status.dataset.state = "lost"; text(status, root.dataset.textLost); };
    source.addEventListener("live", function (event) {
      var d = JSON.parse(event.data);
      root.dataset.version = d.version;
      root.dataset.updates = String(Number(root.dataset.updates || 0) + 1);
      var q = function (k) { return root.querySelector('[data-live="' + k + '"]'); };
      text(q("waiting"), d.queue.waiting);
      text(q("longest"), d.queue.longest_wait_seconds == null ? "—" : Math.round(d.queue.longest_wait_seconds) + "s");
      text(q("requests"), d.today.requests);
      text(q("accepted"), d.today.accepted);
      text(q("frt"), d.today.first_response_display);
      text(q("art"), d.today.avg_response_display);
      text(document.querySelector('[data-live="date"]'), d.date);
      var rows = d.agents.map(function (a) {
        return "<tr><td>" + escapeHtml(a.name || a.agent_id) + "</td><td>" + escapeHtml(a.group) +
          '</td><td><span class="state state-' + escapeHtml(a.state) + '">' + escapeHtml(names[a.state] || a.state) +
          "</span></td><td>" + escapeHtml(a.since) + '</td><td class="num"><span class="load">' +
          a.open_sessions + " / " + (a.max_concurrency == null ? "—" : a.max_concurrency) + "</span></td></tr>";
      });
      var body = q("agents");
      if (rows.length) { body.innerHTML = rows.join(""); }
      var pie = charts["chart-states"];
      if (pie) {
        pie.setOption({ series: [{ data: Object.keys(d.states).map(function (k, i) {
          var old = pie.getOption().series[0].data[i] || {};
          return { name: names[k] || k, value: d.states[k], itemStyle: old.itemStyle };
        }) }] });
      }
    });
  }

  function editor() {
    var root = document.getElementById("editor");
    if (!root) { return; }
    var lang = root.dataset.lang;
    var list = document.getElementById("findings");
    var table = document.getElementById("preview");
    function show(findings) {
      list.innerHTML = findings.length ? findings.map(function (f) {
        return '<li class="sev-' + escapeHtml(f.severity) + '">' + f.line + ":" + f.column + " " +
          escapeHtml(f.field) + " — " + escapeHtml(f.message[lang]) + "</li>";
      }).join("") : '<li class="ok">' + escapeHtml(table.dataset.empty) + "</li>";
    }
    function post(url, body) {
      return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" },
                          body: JSON.stringify(body), credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); });
    }
    document.getElementById("btn-check").onclick = function () {
      post("/api/scorecards/check", { yaml: document.getElementById("yaml").value })
        .then(function (r) { show(r.body.findings || []); root.dataset.checked = "1"; });
    };
    document.getElementById("btn-preview").onclick = function () {
      var period = document.getElementById("preview-period").value;
      post("/api/scorecards/preview", { yaml: document.getElementById("yaml").value, period: period })
        .then(function (r) {
          var body = table.querySelector("tbody");
          if (!r.ok) { show(r.body.findings || []); body.innerHTML = '<tr><td colspan="4">' + escapeHtml(r.body.detail) + "</td></tr>"; return; }
          show(r.body.findings);
          body.innerHTML = r.body.results.map(function (x) {
            return "<tr><td>" + (x.rank == null ? "—" : x.rank) + "</td><td>" + escapeHtml(x.name || x.agent_id) +
              ' <small class="muted">' + escapeHtml(x.agent_id) + '</small></td><td class="num">' + x.total +
              "</td><td>" + escapeHtml(x.grade || "—") + "</td></tr>";
          }).join("");
          root.dataset.previewed = String(r.body.results.length);
        });
    };
  }

  function entryForms() {
    document.querySelectorAll("[data-entry-form]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var data = new FormData(form);
        var body = { date: data.get("date"), kind: data.get("kind"), reason: data.get("reason"),
                     count: Number(data.get("count") || 1) };
        fetch(form.dataset.entryForm, { method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
          .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
          .then(function (r) {
            if (r.ok) { window.location.reload(); return; }
            form.querySelector("[data-entry-status]").textContent = form.dataset.error + ": " + (r.body.detail || "");
          });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    entryForms();
    if (window.echarts) { drawCharts(); }
    live();
    editor();
  });
})();
