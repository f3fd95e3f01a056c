// The offline shell: pages, the WASM, JS and CSS stay usable with no
// network. Package files carry a content hash in their names, so a new
// release brings new names; whatever the latest page no longer references is
// dropped. Data (/api, /rpc) always goes to the network, and so do the
// staff pages: they carry health data (a roster, a participant's page) and
// must not outlive the session on a shared computer. (v2: v1 kept them;
// activating this worker deletes that cache.)
const CACHE = 'ediary-shell-v2';
const SHELL = ['/', '/diary', '/light.js', '/favicon.svg', '/icon.svg', '/manifest.webmanifest'];

// The /pkg/ files a page's HTML refers to (the main bundle's
// /pkg/ediary.<hash>.*, the phone bundle's /pkg/phone-<hash>/*).
const assetsOf = (html) => [...new Set(html.match(/\/pkg\/[A-Za-z0-9_.\-\/]+/g) || [])];
// What a package file is, release aside: "ediary:wasm", "ediary:css",
// "phone:js", ... (a page replaces only the kinds of files it refers to).
const bundleOf = (path) => `${path.slice('/pkg/'.length).split(/[.\-\/]/)[0]}:${path.split('.').pop()}`;

async function remember(request, response, prune = true) {
  const cache = await caches.open(CACHE);
  await cache.put(request, response.clone());
  if (response.headers.get('content-type')?.startsWith('text/html')) {
    const assets = assetsOf(await response.clone().text());
    await Promise.all(assets.map((url) => cache.add(url).catch(() => {})));
    // Older releases of the files this page uses are dropped; the other
    // bundle's files (main or phone) stay for the pages that use them.
    const bundles = new Set(assets.map(bundleOf));
    if (prune && assets.length > 0) {
      for (const key of await cache.keys()) {
        const path = new URL(key.url).pathname;
        if (path.startsWith('/pkg/') && bundles.has(bundleOf(path)) && !assets.includes(path)) {
          await cache.delete(key);
        }
      }
    }
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      for (const url of SHELL) {
        try {
          const response = await fetch(url, { credentials: 'same-origin' });
          if (response.ok) await remember(new Request(url), response);
        } catch (_) {
          // Offline at install: the next visit fills the cache.
        }
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/rpc/')) return;
  if (url.pathname.startsWith('/pkg/')) {
    // Hashed names never change content: the cache first.
    event.respondWith(
      caches.match(request).then(
        (hit) =>
          hit ||
          fetch(request).then((response) => {
            // Cloned now: once the page reads the body, a later clone throws
            // and the copy would silently never be kept.
            if (response.ok) {
              const copy = response.clone();
              event.waitUntil(caches.open(CACHE).then((c) => c.put(request, copy)).catch(() => {}));
            }
            return response;
          }),
      ),
    );
    return;
  }
  // The phone app's page (a frame and the signed-in person's diary profile;
  // signing out empties this cache) starts from the cache at once and is
  // refreshed behind it, so a new release is used from the next start. (No pruning there: the page being served may still need
  // the files of the release it came with.)
  if (request.mode === 'navigate' && url.pathname === '/diary') {
    // Fetched by URL rather than with the navigation's own request, whose
    // abort (a reload, a second tap) must not fail the refresh.
    // Keeping a copy may fail (storage full): the page is served anyway.
    const fresh = fetch('/diary', { credentials: 'same-origin' }).then((response) => {
      if (response.ok) {
        event.waitUntil(remember(new Request('/diary'), response.clone(), false).catch(() => {}));
      }
      return response;
    });
    event.respondWith(
      caches.match('/diary').then((hit) => {
        if (hit) {
          event.waitUntil(fresh.catch(() => {}));
          return hit;
        }
        // Never another page in its place: the main bundle at /diary would
        // not start the phone app.
        return fresh.catch(async () => (await caches.match('/diary')) || Response.error());
      }),
    );
    return;
  }
  // The shell's pages and files: the network first, the cache when offline.
  // Any other page (the staff pages) only from the network, never kept;
  // offline, the sign-in page stands in.
  const shell = SHELL.includes(url.pathname);
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (shell && response.ok) event.waitUntil(remember(request, response.clone()).catch(() => {}));
        return response;
      })
      .catch(async () => (shell && (await caches.match(request, { ignoreSearch: true }))) || (await caches.match('/')) || Response.error()),
  );
});
