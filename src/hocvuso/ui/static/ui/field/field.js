// The field app's engine (ours, no library): the device's copy of its work set in IndexedDB,
// the outbox of records made on the phone, push and pull with the sync API, and the wipe.
// Pages of the field app (teams/field.js …) use window.hvField. Nothing here is personal data
// until the server sends it; nothing personal is ever put in the Cache API or localStorage.
(function () {
  "use strict";

  var DB_NAME = "hocvuso-field";
  var DB_VERSION = 1;
  var DATA = ["households", "persons", "statuses", "claims", "visits", "teams", "skills", "classes"];
  var STORES = DATA.concat(["meta", "outbox", "answers"]);
  var STORE_OF = {
    household: "households", person: "persons", status: "statuses", claim: "claims",
    visit: "visits", team: "teams", skill: "skills", "class": "classes"
  };
  var BATCH = 500;
  var listeners = [];
  var dbPromise = null;
  var sending = false;
  var wiped = false;  // after a wipe, nothing opens the database again on this page

  function promised(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function open() {
    if (wiped) { return new Promise(function () { return null; }); }  // never settles
    if (dbPromise) { return dbPromise; }
    dbPromise = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        STORES.forEach(function (name) {
          if (!db.objectStoreNames.contains(name)) {
            var store = db.createObjectStore(name, { keyPath: name === "meta" ? "key" : "id" });
            if (name === "outbox") { store.createIndex("seq", "seq", { unique: true }); }
            if (name === "persons" || name === "claims" || name === "visits") {
              store.createIndex("household_id", "household_id");
            }
          }
        });
      };
      request.onsuccess = function () {
        var db = request.result;
        db.onversionchange = function () { db.close(); dbPromise = null; };
        resolve(db);
      };
      request.onerror = function () { reject(request.error); };
    });
    return dbPromise;
  }

  // Run fn(stores) in one transaction; resolves with fn's value once the transaction commits.
  function tx(names, mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(names, mode);
        var stores = {};
        names.forEach(function (n) { stores[n] = t.objectStore(n); });
        var value;
        t.oncomplete = function () { resolve(value); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
        value = fn(stores, t);
      });
    });
  }

  function getAll(name) {
    return open().then(function (db) {
      return promised(db.transaction([name], "readonly").objectStore(name).getAll());
    });
  }

  function get(name, key) {
    return open().then(function (db) {
      return promised(db.transaction([name], "readonly").objectStore(name).get(key));
    });
  }

  function meta(key) {
    return get("meta", key).then(function (row) { return row ? row.value : undefined; });
  }

  function setMeta(key, value) {
    return tx(["meta"], "readwrite", function (s) { s.meta.put({ key: key, value: value }); });
  }

  function changed() { listeners.forEach(function (fn) { fn(); }); }

  // RFC 9562 UUID version 7: 48 bits of milliseconds, then random bits.
  function uuid7() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    var ms = Date.now();
    for (var i = 5; i >= 0; i--) { bytes[i] = ms % 256; ms = Math.floor(ms / 256); }
    bytes[6] = (bytes[6] & 0x0f) | 0x70;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // --- The device ------------------------------------------------------------------------------

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function ensureDevice(name) {
    return meta("token").then(function (token) {
      if (token) { return token; }
      if (!navigator.onLine) { return null; }
      return fetch("/api/v1/sync/devices", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ name: name || "" })
      }).then(function (response) {
        if (response.status !== 201) { return null; }
        return response.json().then(function (body) {
          return tx(["meta"], "readwrite", function (s) {
            s.meta.put({ key: "token", value: body.token });
            s.meta.put({ key: "device", value: body.id });
            s.meta.put({ key: "seq", value: 0 });
          }).then(function () { return body.token; });
        });
      });
    });
  }

  function persist() {
    if (navigator.storage && navigator.storage.persist) {
      return navigator.storage.persist().catch(function () { return false; });
    }
    return Promise.resolve(false);
  }

  // --- Wipe: logout, a revoked token, a changed assignment -------------------------------------

  function wipe() {
    return open().then(function (db) {
      db.close();
      dbPromise = null;
      wiped = true;
      return new Promise(function (resolve) {
        var request = indexedDB.deleteDatabase(DB_NAME);
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      });
    }).then(function () {
      if (!window.caches) { return null; }
      return caches.keys().then(function (keys) {
        return Promise.all(keys.filter(function (k) { return k.indexOf("hocvuso-field") === 0; })
          .map(function (k) { return caches.delete(k); }));
      });
    });
  }

  function clearData(stores) {
    DATA.forEach(function (name) { stores[name].clear(); });
  }

  // --- The outbox ------------------------------------------------------------------------------

  // Add a record made on the phone; ``local`` (optional) writes what it changes in the copy,
  // in the same transaction, so the page shows it at once.
  function add(kind, data, local) {
    var names = ["meta", "outbox"].concat(DATA);
    var record;
    return tx(names, "readwrite", function (s) {
      var request = s.meta.get("seq");
      request.onsuccess = function () {
        var seq = (request.result ? request.result.value : 0) + 1;
        record = { id: uuid7(), seq: seq, kind: kind, at: new Date().toISOString(), data: data };
        s.meta.put({ key: "seq", value: seq });
        s.outbox.put(record);
        if (local) { local(s, record); }
      };
    }).then(function () { changed(); return record; });
  }

  function pending() {
    return open().then(function (db) {
      return promised(db.transaction(["outbox"], "readonly").objectStore("outbox").count());
    });
  }

  function outbox() {
    return open().then(function (db) {
      var index = db.transaction(["outbox"], "readonly").objectStore("outbox").index("seq");
      return promised(index.getAll());
    });
  }

  function signOut() {
    var form = document.querySelector("form[action$='/logout/']");
    if (form) { form.dataset.wiped = "1"; form.submit(); }
  }

  function refused(response) {
    // 401: the device's token is no longer good. Revoked (or the account closed): the copy is
    // wiped and the browser signed out — a lost phone does not register itself again.
    return response.json().then(function (body) {
      if (body.code === "token_revoked") {
        return wipe().then(function () { signOut(); return body; });
      }
      return tx(["meta"], "readwrite", function (s) { s.meta.delete("token"); })
        .then(function () { return body; });
    });
  }

  // Send what waits, in order, in batches; a lost answer leaves the records in the outbox and
  // they go again under the same ids and numbers (the server answers "duplicate").
  function send() {
    if (sending) { return Promise.resolve({ sent: false }); }
    sending = true;
    var report = { accepted: 0, duplicate: 0, conflict: 0, rejected: 0, failed: false };
    return meta("token").then(function (token) {
      if (!token) { report.failed = true; return report; }
      return outbox().then(function (records) {
        function next(start) {
          if (start >= records.length) { return report; }
          var batch = records.slice(start, start + BATCH);
          var body = JSON.stringify({
            records: batch.map(function (r) {
              return { id: r.id, seq: r.seq, kind: r.kind, at: r.at, data: r.data };
            }),
            pending: Math.max(0, records.length - start - batch.length)
          });
          return fetch("/api/v1/sync/push", {
            method: "POST",
            credentials: "omit",
            headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token },
            body: body
          }).then(function (response) {
            if (response.status === 401) {
              report.failed = true;
              return refused(response).then(function () { return report; });
            }
            if (response.status !== 200) { report.failed = true; return report; }
            return response.json().then(function (answer) {
              return tx(["outbox", "answers"], "readwrite", function (s) {
                answer.answers.forEach(function (a, i) {
                  var r = batch[i];
                  if (a.retry) { return; }
                  report[a.status] = (report[a.status] || 0) + 1;
                  s.outbox.delete(r.id);
                  s.answers.put({
                    id: r.id, kind: r.kind, status: a.status, code: a.code,
                    message: a.message, at: new Date().toISOString()
                  });
                });
              }).then(function () { return next(start + BATCH); });
            });
          });
        }
        return next(0);
      });
    }).catch(function () {
      report.failed = true;  // no network, or the answer was lost: everything stays queued
      return report;
    }).then(function (result) {
      sending = false;
      changed();
      return result;
    });
  }

  // --- Pull ------------------------------------------------------------------------------------

  function applyPage(page) {
    var names = DATA.concat(["meta"]);
    return tx(names, "readwrite", function (s) {
      if (page.reset) { clearData(s); }
      page.changes.forEach(function (c) {
        var store = s[STORE_OF[c.kind]];
        if (!store) { return; }
        if (c.op === "remove") {
          store.delete(c.id);
          if (c.kind === "household") {
            ["persons", "claims", "visits"].forEach(function (name) {
              var request = s[name].index("household_id").getAllKeys(c.id);
              request.onsuccess = function () {
                request.result.forEach(function (key) { s[name].delete(key); });
              };
            });
          }
          return;
        }
        var row = Object.assign({ id: c.id }, c.data || {});
        store.put(row);
      });
      s.meta.put({ key: "cursor", value: page.cursor });
      s.meta.put({ key: "pulled_at", value: new Date().toISOString() });
    });
  }

  function pull() {
    return meta("token").then(function (token) {
      if (!token || !navigator.onLine) { return false; }
      function page() {
        return meta("cursor").then(function (cursor) {
          var url = "/api/v1/sync/pull" + (cursor ? "?cursor=" + encodeURIComponent(cursor) : "");
          return fetch(url, {
            credentials: "omit", headers: { "Authorization": "Bearer " + token }
          }).then(function (response) {
            if (response.status === 401) { return refused(response).then(function () { return false; }); }
            if (response.status !== 200) { return false; }
            return response.json().then(function (body) {
              return applyPage(body).then(function () {
                changed();
                return body.more ? page() : true;
              });
            });
          });
        });
      }
      return page();
    }).catch(function () { return false; });
  }

  // --- Start -----------------------------------------------------------------------------------

  function sync() {
    return send().then(function (report) { return pull().then(function () { return report; }); });
  }

  function start(options) {
    options = options || {};
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { return null; });
    }
    persist();
    window.addEventListener("online", function () { sync(); changed(); });
    window.addEventListener("offline", changed);
    return ensureDevice(options.deviceName).then(function () { return sync(); });
  }

  // Logging out with records still waiting asks first; logging out wipes the copy.
  function guardLogout() {
    document.querySelectorAll("form[action$='/logout/']").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.wiped === "1") { return; }
        event.preventDefault();
        pending().then(function (n) {
          var message = (form.dataset.warn || "").replace("%(n)s", n);
          if (n > 0 && !window.confirm(message)) { return null; }
          return wipe().then(function () { form.dataset.wiped = "1"; form.submit(); });
        });
      });
    });
  }

  window.hvField = {
    add: add, all: getAll, get: get, meta: meta, pending: pending, outbox: outbox,
    send: send, pull: pull, sync: sync, start: start, wipe: wipe, uuid7: uuid7,
    guardLogout: guardLogout,
    onChange: function (fn) { listeners.push(fn); }
  };
  // On every page: logging out wipes the field app's copy (when this browser holds one). A page
  // marked data-offline (a lesson) registers the service worker, which keeps it for offline.
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-offline]") && "serviceWorker" in navigator) {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { return null; });
    }
    if (!window.indexedDB || !indexedDB.databases) { return; }
    indexedDB.databases().then(function (dbs) {
      if (dbs.some(function (d) { return d.name === DB_NAME; })) { guardLogout(); }
    }).catch(function () { return null; });
  });
})();
