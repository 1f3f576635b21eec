// yici's service worker: keeps the field pages' static assets on the phone so
// the app starts and renders on a weak network. Pages and the API always go
// to the network (they need the session and fresh data); drafts live in
// localStorage, not here. Assets are served from the cache and refreshed in
// the background; a new release (another VERSION) drops the old cache.
const VERSION = 'yici-assets-__VERSION__';
const ASSETS = [
  '/assets/yici.css',
  '/assets/yici.js',
  '/assets/field-result.css',
  '/assets/field-result.js',
  '/assets/field.js',
  '/assets/icon.svg',
  '/manifest.webmanifest'
];

self.addEventListener('install', function (event) {
  event.waitUntil(
    caches.open(VERSION).then(function (cache) { return cache.addAll(ASSETS); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener('activate', function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf('yici-assets-') === 0 && k !== VERSION; })
        .map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener('fetch', function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || ASSETS.indexOf(url.pathname) < 0) {
    return;
  }
  event.respondWith(
    caches.open(VERSION).then(function (cache) {
      return cache.match(request).then(function (hit) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
        if (hit) {
          event.waitUntil(fresh.catch(function () {}));
          return hit;
        }
        return fresh;
      });
    })
  );
});
