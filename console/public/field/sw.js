/*
 * The field app's service worker (docs/field-service.md): keeps the app shell on the phone so it opens
 * without a network. Pages are network-first (a deploy reaches the phone at once), falling back to the
 * cached shell; Vite's content-hashed assets are cache-first. API calls are never cached: actions wait
 * in the page's IndexedDB outbox instead.
 */
const shell = 'gongdan-field-v1';
const base = '/console/field/';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(shell)
      .then((c) => c.addAll([base, '/console/config.json', `${base}manifest.webmanifest`]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== shell).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/console/assets/')) {
    event.respondWith(
      caches.match(request).then(
        (hit) =>
          hit ||
          fetch(request).then((response) => {
            const copy = response.clone();
            if (response.ok) caches.open(shell).then((c) => c.put(request, copy));
            return response;
          }),
      ),
    );
    return;
  }
  if (
    request.mode === 'navigate' ||
    url.pathname === '/console/config.json' ||
    url.pathname.startsWith(base)
  ) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          const copy = response.clone();
          if (response.ok)
            caches.open(shell).then((c) => c.put(request.mode === 'navigate' ? base : request, copy));
          return response;
        })
        .catch(() =>
          caches.match(request.mode === 'navigate' ? base : request).then((hit) => hit || Response.error()),
        ),
    );
  }
});
