// A class's attendance and the skills gained there, offline (a youth volunteer at a village
// hall with no signal): the classes the user works, from the phone's copy, their registered
// people ticked present or not and the topic skills each can now do; saving is a record in the
// outbox (kind "class_attendance"), sent with "Gửi" or by itself when the connection returns.
(function () {
  "use strict";
  var F = window.hvField;
  var P = window.hvFieldPages;
  var root = document.getElementById("field");
  if (!F || !P || !root) { return; }
  var T = JSON.parse(document.getElementById("field-strings").textContent);
  var el = P.el;
  var state = { lastReport: null, noDevice: false, open: null };

  function load() {
    return Promise.all([F.all("classes"), F.all("skills"), F.outbox(), F.meta("pulled_at"), F.all("answers")])
      .then(function (r) { return { classes: r[0], skills: r[1], outbox: r[2], pulledAt: r[3], answers: r[4] }; });
  }

  function skillName(d, code) {
    var s = d.skills.filter(function (x) { return x.code === code; })[0];
    return s ? s.name : code;
  }

  function renderList(d) {
    var box = document.getElementById("class-list");
    box.textContent = "";
    var mine = d.classes.filter(function (c) { return c.works; })
      .sort(function (a, b) { return (a.starts_at || "").localeCompare(b.starts_at || ""); });
    if (!mine.length) {
      box.appendChild(el("p", { "class": "empty", text: d.pulledAt ? T.no_class : (state.noDevice ? T.no_device : T.loading) }));
      return;
    }
    var waiting = {};
    d.outbox.forEach(function (r) { if (r.kind === "class_attendance") { waiting[r.data.class_id] = true; } });
    mine.forEach(function (c) {
      var present = (c.registrations || []).filter(function (r) { return r.attended; }).length;
      box.appendChild(el("section", { "class": "card klass", "data-class": c.id }, [
        el("h2", { text: c.title }),
        el("p", { "class": "meta", text: new Date(c.starts_at).toLocaleString("vi-VN") + (c.address ? " · " + c.address : "") }),
        el("p", {}, [P.fmt(T.attended, present) + " / " + P.fmt(T.registered, (c.registrations || []).length), " ",
          waiting[c.id] ? el("span", { "class": "badge p0", text: T.waiting }) : null]),
        el("button", { type: "button", "class": "primary take-attendance", text: T.take_attendance,
          on: { click: function () { state.open = c.id; render(); } } })
      ]));
    });
  }

  function renderForm(d) {
    var box = document.getElementById("class-form-box");
    var c = d.classes.filter(function (x) { return x.id === state.open; })[0];
    var shown = box.querySelector("form");
    if (c && shown && shown.dataset.class === c.id) { return; }  // keep what is being ticked
    box.textContent = "";
    if (!c) { box.hidden = true; return; }
    box.hidden = false;
    var form = el("form", { id: "class-form", "class": "card", "data-class": c.id });
    form.appendChild(el("h2", { text: T.attendance_of + " " + c.title }));
    (c.registrations || []).forEach(function (r) {
      var gains = (c.skills || []).map(function (code) {
        return el("label", {}, [el("input", { type: "checkbox", name: "gain_" + r.person_id, value: code }), " " + skillName(d, code)]);
      });
      form.appendChild(el("div", { "class": "person" }, [
        el("label", { "class": "check" }, [el("input", { type: "checkbox", name: "present", value: r.person_id, checked: r.attended ? "checked" : null }), " " + r.name]),
        gains.length ? el("details", {}, [el("summary", { text: T.gained }), el("fieldset", { "class": "skills" }, gains)]) : null
      ]));
    });
    form.appendChild(el("div", { "class": "actions" }, [
      el("button", { type: "submit", "class": "primary", id: "class-save", text: T.save }),
      el("button", { type: "button", "class": "link", text: T.cancel, on: { click: function () { state.open = null; render(); } } })
    ]));
    form.addEventListener("submit", function (event) { event.preventDefault(); save(form, c); });
    box.appendChild(form);
  }

  function save(form, c) {
    var present = Array.prototype.map.call(form.querySelectorAll("input[name=present]:checked"), function (i) { return i.value; });
    var gains = [];
    present.forEach(function (id) {
      form.querySelectorAll("input[name='gain_" + id + "']:checked").forEach(function (i) {
        gains.push({ person_id: id, skill: i.value });
      });
    });
    F.add("class_attendance", { class_id: c.id, present: present, gains: gains }, function (s) {
      var copy = Object.assign({}, c, {
        registrations: (c.registrations || []).map(function (r) {
          return Object.assign({}, r, { attended: present.indexOf(r.person_id) !== -1 });
        })
      });
      s.classes.put(copy);
    }).then(function () { state.open = null; render(); });
  }

  function render() {
    return load().then(function (d) {
      P.status(T, d.outbox, d.pulledAt, d.answers, state.lastReport);
      renderList(d); renderForm(d);
    });
  }

  P.start(F, T, render, state);
})();
