// The team's door-to-door plan and visit form, offline: drawn from the device's copy
// (window.hvField, ui/field/field.js); every tap is a record in the outbox, sent with "Gửi" or
// by itself when the connection returns. The words come from the page (translated by Django).
(function () {
  "use strict";
  var F = window.hvField;
  var root = document.getElementById("field");
  if (!F || !root) { return; }
  var T = JSON.parse(document.getElementById("field-strings").textContent);
  var SKILLS = ["vneid.install", "vneid.level2", "bank.account", "pay.qr", "dvc.online", "safety.scams"];
  var ISSUES = ["no_smartphone", "no_signal", "language"];
  var state = { open: null, lastReport: null, noDevice: false };

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

  function load() {
    return Promise.all([
      F.all("teams"), F.all("households"), F.all("persons"), F.all("claims"), F.all("visits"),
      F.all("skills"), F.outbox(), F.meta("pulled_at"), F.all("answers")
    ]).then(function (r) {
      return {
        teams: r[0], households: r[1], persons: r[2], claims: r[3], visits: r[4],
        skills: r[5], outbox: r[6], pulledAt: r[7], answers: r[8]
      };
    });
  }

  function renderStatus(d) {
    var bar = document.getElementById("field-status");
    bar.textContent = "";
    var online = navigator.onLine;
    bar.appendChild(el("span", { "class": online ? "badge yes" : "badge p0", text: online ? T.online : T.offline }));
    bar.appendChild(el("span", { id: "field-pending", "class": "pending", text: " " + fmt(T.pending, d.outbox.length) }));
    if (d.pulledAt) {
      bar.appendChild(el("span", { "class": "meta", text: " · " + T.pulled + " " + new Date(d.pulledAt).toLocaleString("vi-VN") }));
    }
    var button = document.getElementById("field-send");
    button.disabled = !online || d.outbox.length === 0;
    var report = document.getElementById("field-report");
    report.textContent = "";
    if (state.lastReport) {
      var r = state.lastReport;
      report.appendChild(el("p", { "class": "msg", text: r.failed ? T.failed : fmt(T.sent, (r.accepted || 0) + (r.duplicate || 0)) }));
    }
    d.answers.filter(function (a) { return a.status === "rejected" || a.status === "conflict"; })
      .forEach(function (a) {
        report.appendChild(el("p", { "class": "msg error", text: (a.status === "conflict" ? T.conflict : T.rejected) + ": " + (a.message || a.code) }));
      });
  }

  function members(d, householdId) {
    return d.persons.filter(function (p) { return p.household_id === householdId; })
      .sort(function (a, b) { return (a.full_name || "").localeCompare(b.full_name || "", "vi"); });
  }

  function renderPlan(d) {
    var plan = document.getElementById("field-plan");
    plan.textContent = "";
    if (!d.teams.length) {
      var why = d.pulledAt ? T.no_team : (state.noDevice ? T.no_device : T.loading);
      plan.appendChild(el("p", { "class": "empty", text: why }));
      return;
    }
    var waiting = {};
    d.outbox.forEach(function (r) { if (r.data && r.data.household_id) { waiting[r.data.household_id] = true; } });
    d.teams.forEach(function (team) {
      var villages = {};
      team.villages.forEach(function (v) { villages[v.id] = v.name; });
      var rows = d.households.filter(function (h) { return villages[h.village_id]; });
      var visited = {};
      d.visits.forEach(function (v) { visited[v.household_id] = true; });
      rows.sort(function (a, b) {
        return (visited[a.id] ? 1 : 0) - (visited[b.id] ? 1 : 0) || a.code.localeCompare(b.code, "vi");
      });
      var list = el("ul", { "class": "rows plan" });
      rows.forEach(function (h) {
        var claim = d.claims.filter(function (c) { return c.household_id === h.id; })[0];
        var people = members(d, h.id);
        var head = people.filter(function (p) { return p.id === h.head_id; })[0] || people[0];
        var badges = [];
        if (visited[h.id]) { badges.push(el("span", { "class": "badge yes", text: T.visited })); }
        if (claim) { badges.push(el("span", { "class": "badge", text: claim.mine ? T.taken_by_me : T.taken })); }
        if (waiting[h.id]) { badges.push(el("span", { "class": "badge p0", text: T.waiting })); }
        var actions = [];
        if (!claim) {
          actions.push(el("button", { type: "button", "class": "secondary take", "data-household": h.id,
            text: T.take, on: { click: function () { take(team, h); } } }));
        }
        if (!claim || claim.mine) {
          actions.push(el("button", { type: "button", "class": "primary visit", "data-household": h.id,
            text: T.record_visit, on: { click: function () { state.open = { team: team, household: h }; render(); } } }));
        }
        list.appendChild(el("li", { "class": "household", "data-code": h.code }, [
          el("strong", { text: h.code }), " ",
          el("span", { text: (head ? head.full_name : "") + " · " + fmt(T.people, people.length) }), " ",
          el("span", {}, badges), el("div", { "class": "actions" }, actions)
        ]));
      });
      plan.appendChild(el("section", { "class": "card" }, [
        el("h2", { text: team.name }), rows.length ? list : el("p", { "class": "empty", text: T.no_household })
      ]));
    });
  }

  function take(team, h) {
    F.add("claim", { household_id: h.id, team_id: team.id }, function (s, record) {
      s.claims.put({ id: record.id, household_id: h.id, team_id: team.id, mine: true, claimed_at: record.at });
    }).then(render);
  }

  function skillName(d, code) {
    var s = d.skills.filter(function (x) { return x.code === code; })[0];
    return s ? s.name : code;
  }

  function renderVisit(d) {
    var box = document.getElementById("field-visit");
    var ticked = {};
    box.querySelectorAll("input[type=checkbox]:checked").forEach(function (i) { ticked[i.name + "=" + i.value] = true; });
    box.textContent = "";
    if (!state.open) { box.hidden = true; box.dataset.household = ""; return; }
    box.hidden = false;
    var h = state.open.household;
    var team = state.open.team;
    var skills = SKILLS.filter(function (c) { return d.skills.some(function (s) { return s.code === c; }); });
    var form = el("form", { id: "visit-form", "class": "card" });
    form.appendChild(el("h2", { text: T.visit_title + " " + h.code }));
    var people = members(d, h.id);
    people.forEach(function (p) {
      var guided = el("fieldset", { "class": "skills" }, [el("legend", { text: T.guided })].concat(skills.map(function (c) {
        return el("label", {}, [el("input", { type: "checkbox", name: "guided_" + p.id, value: c }), " " + skillName(d, c)]);
      })));
      var gained = el("fieldset", { "class": "skills" }, [el("legend", { text: T.gained })].concat(skills.map(function (c) {
        return el("label", {}, [el("input", { type: "checkbox", name: "gained_" + p.id, value: c }), " " + skillName(d, c)]);
      })));
      form.appendChild(el("div", { "class": "person" }, [
        el("label", { "class": "check" }, [el("input", { type: "checkbox", name: "present", value: p.id }), " " + p.full_name + (p.birth_year ? " (" + p.birth_year + ")" : "")]),
        el("details", {}, [el("summary", { text: T.skills }), guided, gained])
      ]));
    });
    var newcomer = el("details", { "class": "newcomer" }, [
      el("summary", { text: T.add_person }),
      el("div", { "class": "field" }, [el("label", { "for": "np-name", text: T.full_name }),
        el("input", { id: "np-name", name: "np_name", type: "text", maxlength: "150", autocomplete: "off" })]),
      el("div", { "class": "field" }, [el("label", { "for": "np-sex", text: T.sex }),
        el("select", { id: "np-sex", name: "np_sex" }, [el("option", { value: "F", text: T.female }), el("option", { value: "M", text: T.male })])]),
      el("div", { "class": "field" }, [el("label", { "for": "np-year", text: T.birth_year }),
        el("input", { id: "np-year", name: "np_year", type: "text", inputmode: "numeric", maxlength: "4" })]),
      el("button", { type: "button", id: "np-add", "class": "secondary", text: T.add, on: { click: function () { addPerson(form, h); } } })
    ]);
    form.appendChild(newcomer);
    form.appendChild(el("fieldset", { "class": "issues" }, [el("legend", { text: T.issues })].concat(ISSUES.map(function (i) {
      return el("label", {}, [el("input", { type: "checkbox", name: "issues", value: i }), " " + T["issue_" + i]]);
    }))));
    form.appendChild(el("div", { "class": "actions" }, [
      el("button", { type: "submit", "class": "primary", id: "visit-save", text: T.save }),
      el("button", { type: "button", "class": "link", text: T.cancel, on: { click: function () { state.open = null; render(); } } })
    ]));
    form.addEventListener("submit", function (event) { event.preventDefault(); saveVisit(form, team, h); });
    form.querySelectorAll("input[type=checkbox]").forEach(function (i) { i.checked = !!ticked[i.name + "=" + i.value]; });
    var fresh = box.dataset.household !== h.id;
    box.dataset.household = h.id;
    box.appendChild(form);
    if (fresh) { box.scrollIntoView(); }
  }

  function addPerson(form, h) {
    var name = form.querySelector("#np-name").value.trim();
    var year = parseInt(form.querySelector("#np-year").value, 10);
    if (!name) { form.querySelector("#np-name").focus(); return; }
    var data = { household_id: h.id, full_name: name, sex: form.querySelector("#np-sex").value };
    if (year) { data.birth_year = year; }
    F.add("person", data, function (s, record) {
      s.persons.put({ id: record.id, household_id: h.id, full_name: name, sex: data.sex, birth_year: year || null });
    }).then(render);
  }

  function checked(form, name) {
    return Array.prototype.map.call(form.querySelectorAll("input[name='" + name + "']:checked"), function (i) { return i.value; });
  }

  function saveVisit(form, team, h) {
    var present = checked(form, "present").map(function (id) {
      return { person_id: id, guided: checked(form, "guided_" + id), gained: checked(form, "gained_" + id) };
    });
    var data = { household_id: h.id, team_id: team.id, visited_at: new Date().toISOString(), present: present, issues: checked(form, "issues") };
    F.add("visit", data, function (s, record) {
      s.visits.put({ id: record.id, household_id: h.id, visited_at: data.visited_at, mine: true });
      var request = s.claims.index("household_id").getAllKeys(h.id);
      request.onsuccess = function () { request.result.forEach(function (k) { s.claims.delete(k); }); };
    }).then(function () { state.open = null; render(); });
  }

  function render() {
    return load().then(function (d) { renderStatus(d); renderPlan(d); renderVisit(d); });
  }

  document.getElementById("field-send").addEventListener("click", function () {
    F.send().then(function (report) { state.lastReport = report; return F.pull(); }).then(render);
  });
  F.onChange(function () { render(); });
  render();
  F.start({ deviceName: T.device_name }).then(function (report) {
    if (report && (report.accepted || report.duplicate)) { state.lastReport = report; }
    F.guardLogout();
    return F.meta("token");
  }).then(function (token) {
    state.noDevice = !token;
    render();
  });
})();
