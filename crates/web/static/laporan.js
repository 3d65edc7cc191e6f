// The village report form's offline queue (GET /desa/laporan/baru). Each report gets a
// client-generated report_id, so sending it twice never makes two reports. When the network
// fails the report is kept in localStorage and sent to POST /api/v1/village-reports at page
// load and on the `online` event. Without this script the form posts normally.
(function () {
  "use strict";
  var KEY = "jejak.laporan.antrean";
  var form = document.getElementById("laporan");
  var statusBox = document.getElementById("laporan-status");
  var storedBox = document.getElementById("laporan-tersimpan");
  var english = document.documentElement.lang === "en";

  function t(id, en) { return english ? en : id; }

  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // Older phones: a random version 4 UUID from getRandomValues.
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(list) { localStorage.setItem(KEY, JSON.stringify(list)); }

  function show(text) {
    if (!statusBox) { return; }
    statusBox.textContent = text;
    statusBox.hidden = false;
    if (statusBox.scrollIntoView) { statusBox.scrollIntoView(); }
  }
  function showStored() {
    if (!storedBox) { return; }
    var n = load().length;
    storedBox.hidden = n === 0;
    storedBox.textContent = t(n + " laporan menunggu dikirim.", n + " report(s) waiting to be sent.");
  }

  function csrf() {
    var field = document.querySelector("input[name=_csrf]");
    return field ? field.value : "";
  }

  function list(text) {
    return text.split(/[;\n]/).map(function (s) { return s.trim(); }).filter(function (s) { return s; });
  }
  function opt(v) { v = (v || "").trim(); return v ? v : null; }

  function toJson(f) {
    var v = function (name) { var el = f.elements[name]; return el ? el.value : ""; };
    var persons = v("persons").split("\n").filter(function (l) { return l.trim(); }).map(function (l) {
      var p = l.split("|").map(function (s) { return s.trim(); });
      return { name: p[0] || "", birth_date: opt(p[1]), nik: opt(p[2]), relation: opt(p[3]) };
    });
    var cred = parseInt(v("info_credibility"), 10);
    return {
      report_id: v("report_id"),
      village_code: v("village_code"),
      reported_on: v("reported_on"),
      topic: v("topic"),
      source_reliability: opt(v("source_reliability")),
      info_credibility: isNaN(cred) ? null : cred,
      persons: persons,
      phones: list(v("phones")),
      recruiters: list(v("recruiters")),
      agency: opt(v("agency")),
      destination_country: opt(v("destination_country")),
      planned_departure_on: opt(v("planned_departure_on")),
      narrative: v("narrative"),
      source: opt(v("source"))
    };
  }

  // Resolves to "sent", "refused" (the server answered with an error: kept back for the
  // officer to see) or rejects when the network failed.
  function send(report) {
    return fetch("/api/v1/village-reports", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(report)
    }).then(function (reply) {
      if (reply.ok) { return "sent"; }
      return reply.json().then(function (j) { return "refused:" + ((j.error && j.error.message) || reply.status); },
        function () { return "refused:" + reply.status; });
    });
  }

  function keep(report) {
    var queue = load().filter(function (r) { return r.report_id !== report.report_id; });
    queue.push(report);
    save(queue);
    show(t("Tersimpan di ponsel, akan dikirim saat online", "Saved on the phone, will be sent when online"));
    showStored();
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) { return; }
    var queue = load();
    if (!queue.length) { showStored(); return; }
    flushing = true;
    var report = queue[0];
    send(report).then(function (outcome) {
      save(load().filter(function (r) { return r.report_id !== report.report_id; }));
      if (outcome === "sent") {
        show(t("Laporan tersimpan terkirim: ", "Stored report sent: ") + report.report_id);
      } else {
        show(t("Laporan ditolak server: ", "Report refused by the server: ") + outcome.slice(8));
      }
      flushing = false;
      showStored();
      flush();
    }, function () { flushing = false; showStored(); });
  }

  if (form) {
    var idField = form.elements.report_id;
    if (idField) { idField.value = newId(); }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var report = toJson(form);
      var next = function () { form.reset(); if (idField) { idField.value = newId(); } };
      if (!navigator.onLine) { keep(report); next(); return; }
      send(report).then(function (outcome) {
        if (outcome === "sent") {
          window.location.href = "/desa?terkirim=" + encodeURIComponent(report.report_id);
        } else {
          show(t("Laporan ditolak: ", "Report refused: ") + outcome.slice(8));
        }
      }, function () { keep(report); next(); });
    });
  }
  window.addEventListener("online", flush);
  showStored();
  flush();
})();
