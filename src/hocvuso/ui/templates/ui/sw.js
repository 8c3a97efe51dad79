// The field app's service worker (ui/field.py renders this file): the app shell precached in a
// versioned cache; the field pages network-first (their cached copy when there is no signal);
// their static files cache-first; the API never cached (the work set lives in IndexedDB).
// A lesson of the learning app opened with signal is kept (network-first, in a cache of its
// own that a new release keeps), with the styles and images it asked for, so that the learner
// reads it again without signal.
"use strict";
var VERSION = "{{ version }}";
var SHELL = "hocvuso-field-shell-" + VERSION;
var LESSONS = "hocvuso-field-lessons";
var PAGES = {{ pages|safe }};
var ASSETS = {{ assets|safe }};
var STATIC = {{ static|safe }};
var LESSON = new RegExp({{ lesson|safe }});
var KEPT_TYPES = /^(text\/css|text\/javascript|application\/javascript|image\/)/;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) {
      return cache.addAll(ASSETS).then(function () {
        return Promise.all(PAGES.map(function (url) {
          return fetch(url, { credentials: "same-origin", redirect: "manual" }).then(function (r) {
            return r.ok ? cache.put(url, r) : null;  // not signed in: nothing cached
          });
        }));
      });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("hocvuso-field-") === 0 && k !== SHELL && k !== LESSONS;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) { return; }
  if (PAGES.indexOf(url.pathname) !== -1) {
    event.respondWith(
      fetch(url.pathname + url.search, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(SHELL).then(function (cache) { cache.put(url.pathname, copy); });
        }
        return response;
      }).catch(function () {
        return caches.open(SHELL).then(function (cache) { return cache.match(url.pathname); })
          .then(function (hit) { return hit || Response.error(); });
      })
    );
    return;
  }
  if (LESSON.test(url.pathname)) {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && !response.redirected && response.type === "basic") {
          var copy = response.clone();
          caches.open(LESSONS).then(function (cache) { cache.put(url.pathname, copy); });
        }
        return response;
      }).catch(function () {
        return caches.open(LESSONS).then(function (cache) { return cache.match(url.pathname); })
          .then(function (hit) { return hit || Response.error(); });
      })
    );
    return;
  }
  if (url.pathname.indexOf(STATIC) === 0 && ASSETS.indexOf(url.pathname) === -1) {
    // A lesson's own files (its styles, its pictures — not its video or sound): kept when a
    // lesson asked for them, served from the cache when the network is gone.
    var fromLesson = LESSON.test(new URL(request.referrer || "/", self.location.href).pathname);
    event.respondWith(
      fetch(request).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (fromLesson && response.ok && KEPT_TYPES.test(type)) {
          var copy = response.clone();
          caches.open(LESSONS).then(function (cache) { cache.put(url.pathname, copy); });
        }
        return response;
      }).catch(function () {
        return caches.open(LESSONS).then(function (cache) { return cache.match(url.pathname); })
          .then(function (hit) { return hit || Response.error(); });
      })
    );
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(
      caches.open(SHELL).then(function (cache) {
        return cache.match(url.pathname).then(function (hit) {
          return hit || fetch(request).then(function (response) {
            if (response.ok) { cache.put(url.pathname, response.clone()); }
            return response;
          });
        });
      })
    );
  }
});
