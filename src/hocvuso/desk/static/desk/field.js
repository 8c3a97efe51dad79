// The desk log offline (the commune's line is down): find the citizen in the phone's copy of the
// commune's registry, log the procedure, its outcome and whether they can do it alone next
// time; each visit is a record in the outbox (kind "desk_visit"), sent with "Gửi" or by itself.
(function () {
  "use strict";
  var F = window.hvField;
  var P = window.hvFieldPages;
  var root = document.getElementById("field");
  if (!F || !P || !root) { return; }
  var T = JSON.parse(document.getElementById("field-strings").textContent);
  var el = P.el;
  var state = { lastReport: null, noDevice: false, person: null, query: "" };

  function load() {
    return Promise.all([F.all("households"), F.all("persons"), F.outbox(), F.meta("pulled_at"), F.all("answers")])
      .then(function (r) { return { households: r[0], persons: r[1], outbox: r[2], pulledAt: r[3], answers: r[4] }; });
  }

  function plain(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  function renderSearch(d) {
    var box = document.getElementById("desk-search");
    box.textContent = "";
    if (!d.persons.length) {
      box.appendChild(el("p", { "class": "empty", text: d.pulledAt ? T.no_registry : (state.noDevice ? T.no_device : T.loading) }));
      return;
    }
    var homes = {};
    d.households.forEach(function (h) { homes[h.id] = h; });
    var input = el("input", { id: "desk-q", type: "search", value: state.query, autocomplete: "off", "aria-label": T.search });
    input.addEventListener("input", function () { state.query = input.value; renderResults(d, homes); });
    box.appendChild(el("div", { "class": "field" }, [el("label", { "for": "desk-q", text: T.search }), input]));
    box.appendChild(el("ul", { id: "desk-results", "class": "rows" }));
    renderResults(d, homes);
  }

  function renderResults(d, homes) {
    var list = document.getElementById("desk-results");
    list.textContent = "";
    var q = plain(state.query.trim());
    if (q.length < 2) { return; }
    d.persons.filter(function (p) { return plain(p.full_name).indexOf(q) !== -1; }).slice(0, 20)
      .forEach(function (p) {
        var h = homes[p.household_id] || {};
        list.appendChild(el("li", { "class": "person" }, [
          el("button", { type: "button", "class": "link pick", "data-person": p.id,
            text: p.full_name + (p.birth_year ? " (" + p.birth_year + ")" : "") + (h.code ? " · " + h.code : ""),
            on: { click: function () { state.person = { person: p, household: h }; render(); } } })
        ]));
      });
  }

  function renderForm() {
    var box = document.getElementById("desk-form-box");
    var shown = box.querySelector("form");
    if (state.person && shown && shown.dataset.person === state.person.person.id) { return; }
    box.textContent = "";
    if (!state.person) { box.hidden = true; return; }
    box.hidden = false;
    var p = state.person.person;
    var form = el("form", { id: "desk-form", "class": "card", "data-person": p.id });
    form.appendChild(el("h2", { text: p.full_name }));
    form.appendChild(el("div", { "class": "field" }, [
      el("label", { "for": "desk-procedure", text: T.procedure }),
      el("select", { id: "desk-procedure", name: "procedure" }, T.procedures.map(function (pr) {
        return el("option", { value: pr[0], text: pr[1] });
      }))
    ]));
    form.appendChild(el("fieldset", {}, [el("legend", { text: T.outcome })].concat(T.outcomes.map(function (o, i) {
      return el("label", {}, [el("input", { type: "radio", name: "outcome", value: o[0], checked: i === 0 ? "checked" : null }), " " + o[1]]);
    }))));
    form.appendChild(el("label", { "class": "check" }, [el("input", { type: "checkbox", name: "alone", id: "desk-alone" }), " " + T.can_do_alone]));
    form.appendChild(el("div", { "class": "field" }, [el("label", { "for": "desk-note", text: T.note }),
      el("textarea", { id: "desk-note", name: "note", rows: "2" })]));
    form.appendChild(el("div", { "class": "actions" }, [
      el("button", { type: "submit", "class": "primary", id: "desk-save", text: T.save }),
      el("button", { type: "button", "class": "link", text: T.cancel, on: { click: function () { state.person = null; render(); } } })
    ]));
    form.addEventListener("submit", function (event) { event.preventDefault(); save(form); });
    box.appendChild(form);
  }

  function save(form) {
    var chosen = state.person;
    var data = {
      commune: chosen.household.commune,
      person_id: chosen.person.id,
      procedure: form.querySelector("#desk-procedure").value,
      outcome: form.querySelector("input[name=outcome]:checked").value,
      can_do_alone: form.querySelector("#desk-alone").checked,
      note: form.querySelector("#desk-note").value.trim(),
      happened_at: new Date().toISOString()
    };
    F.add("desk_visit", data).then(function () { state.person = null; state.query = ""; render(); });
  }

  function renderLogged(d) {
    var box = document.getElementById("desk-logged");
    box.textContent = "";
    var names = {};
    d.persons.forEach(function (p) { names[p.id] = p.full_name; });
    var waiting = d.outbox.filter(function (r) { return r.kind === "desk_visit"; });
    if (!waiting.length) { return; }
    box.appendChild(el("h2", { text: T.logged }));
    box.appendChild(el("ul", { "class": "rows" }, waiting.map(function (r) {
      var pr = T.procedures.filter(function (x) { return x[0] === r.data.procedure; })[0];
      return el("li", { "class": "logged" }, [names[r.data.person_id] || "", " · ", pr ? pr[1] : r.data.procedure,
        " ", el("span", { "class": "badge p0", text: T.waiting })]);
    })));
  }

  function render() {
    return load().then(function (d) {
      P.status(T, d.outbox, d.pulledAt, d.answers, state.lastReport);
      if (!document.getElementById("desk-q")) { renderSearch(d); }
      renderForm(); renderLogged(d);
    });
  }

  P.start(F, T, function () {
    var q = document.getElementById("desk-q");
    if (q && !q.value) { document.getElementById("desk-search").textContent = ""; }
    return render();
  }, state);
})();
