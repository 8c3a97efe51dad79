// What the field app's smaller offline pages share (desk log, class attendance): building
// elements, the status bar with the count of records waiting, and the "Gửi" button. Ours, no
// library; the words come from the page (translated by Django).
(function () {
  "use strict";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; }
      else if (k === "on") { Object.keys(attrs.on).forEach(function (e) { node.addEventListener(e, attrs.on[e]); }); }
      else if (attrs[k] !== false && attrs[k] !== null && attrs[k] !== undefined) { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); } });
    return node;
  }

  function fmt(text, n) { return text.replace("%(n)s", String(n)); }

  // The status bar (online or not, how many records wait, the last sync) and the last answers.
  function status(T, outbox, pulledAt, answers, report) {
    var bar = document.getElementById("field-status");
    bar.textContent = "";
    var online = navigator.onLine;
    bar.appendChild(el("span", { "class": online ? "badge yes" : "badge p0", text: online ? T.online : T.offline }));
    bar.appendChild(el("span", { id: "field-pending", "class": "pending", text: " " + fmt(T.pending, outbox.length) }));
    if (pulledAt) {
      bar.appendChild(el("span", { "class": "meta", text: " · " + T.pulled + " " + new Date(pulledAt).toLocaleString("vi-VN") }));
    }
    document.getElementById("field-send").disabled = !online || outbox.length === 0;
    var box = document.getElementById("field-report");
    box.textContent = "";
    if (report) {
      box.appendChild(el("p", { "class": "msg", text: report.failed ? T.failed : fmt(T.sent, (report.accepted || 0) + (report.duplicate || 0)) }));
    }
    answers.filter(function (a) { return a.status === "rejected" || a.status === "conflict"; })
      .forEach(function (a) {
        box.appendChild(el("p", { "class": "msg error", text: (a.status === "conflict" ? T.conflict : T.rejected) + ": " + (a.message || a.code) }));
      });
  }

  // Start the page: draw, send with the button, redraw on every change; register the device.
  function start(F, T, render, state) {
    document.getElementById("field-send").addEventListener("click", function () {
      F.send().then(function (report) { state.lastReport = report; return F.pull(); }).then(render);
    });
    F.onChange(function () { render(); });
    render();
    return F.start({ deviceName: T.device_name }).then(function (report) {
      if (report && (report.accepted || report.duplicate)) { state.lastReport = report; }
      F.guardLogout();
      return F.meta("token");
    }).then(function (token) { state.noDevice = !token; render(); });
  }

  window.hvFieldPages = { el: el, fmt: fmt, status: status, start: start };
})();
