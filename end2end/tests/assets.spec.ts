// The console's files as the release build ships them: named after their content, compressed
// on the wire, kept by the browser without asking again when the name is the content's hash
// (the main script and module are rewritten after naming: asked for again, 304); other files
// are asked for again too, and a browser that has them gets 304, not the not-found page.
import { test, expect, Page } from '@playwright/test';
import { api, logIn, newDomain } from './helpers';

/** Every /pkg/ request of one navigation, as the DevTools protocol saw it. */
async function pkgRequests(page: Page, url: string, section: string) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const seen = new Map<string, { url: string; status?: number; cached: boolean; headers: Record<string, string> }>();
  cdp.on('Network.requestWillBeSent', (e) => {
    if (new URL(e.request.url).pathname.startsWith('/pkg/')) seen.set(e.requestId, { url: e.request.url, cached: false, headers: {} });
  });
  cdp.on('Network.requestServedFromCache', (e) => { const r = seen.get(e.requestId); if (r) r.cached = true; });
  cdp.on('Network.responseReceived', (e) => {
    const r = seen.get(e.requestId);
    if (!r) return;
    r.status = e.response.status;
    r.cached ||= e.response.fromDiskCache || e.response.fromPrefetchCache === true;
    r.headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  });
  await page.goto(url);
  await expect(page.locator(section)).toHaveAttribute('data-ready', 'true');
  await page.waitForLoadState('networkidle');
  await cdp.detach();
  return [...seen.values()];
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

test('pkg files are hashed, compressed and kept; a second visit downloads none of them', async ({ page, baseURL }) => {
  const a = await api(baseURL);
  const domain = await newDomain(a, 'assets');
  await a.ctx.dispose();
  await logIn(page);
  // A lazy page: the main module and the page's chunks.
  const first = await pkgRequests(page, `/domains/${domain}`, 'section.domain');
  const wasm = first.filter((r) => r.url.endsWith('.wasm'));
  expect(wasm.length, 'the page loads wasm').toBeGreaterThan(0);
  for (const r of first) {
    const name = new URL(r.url).pathname.replace('/pkg/', '');
    // cargo-leptos names: itm.<hash>.js, chunk_3.<hash>.wasm, __wasm_split.<hash>.js
    expect(name, 'named after its content').toMatch(/^[\w]+\.[\w-]{22}\.(js|wasm|css)$/);
    if (r.cached) continue;
    // The login page loaded the main script already: revalidated.
    if (r.status === 304) { expect(r.headers['cache-control'], name).toBe('no-cache'); continue; }
    expect(r.status, name).toBe(200);
    expect([IMMUTABLE, 'no-cache'], name).toContain(r.headers['cache-control']);
    expect(['br', 'gzip'], `${name} compressed`).toContain(r.headers['content-encoding']);
    expect(r.headers['vary'], name).toBe('accept-encoding');
  }
  const pageChunks = first.filter((r) => /\/pkg\/(split|chunk)_/.test(r.url));
  expect(pageChunks.length, 'the page\'s lazy chunks').toBeGreaterThan(0);
  for (const r of pageChunks) expect(r.headers['cache-control'], r.url).toBe(IMMUTABLE);
  // .ci/build names the main module after its final content, so it is kept too.
  const module = first.find((r) => /\/pkg\/itm\.[\w-]{22}\.wasm$/.test(r.url));
  expect(module?.headers['cache-control']).toBe(IMMUTABLE);
  const stylesheet = await page.locator('link[rel=stylesheet]').getAttribute('href');
  expect(stylesheet).toMatch(/^\/pkg\/itm\.[\w-]{22}\.css$/);
  expect(await page.evaluate(() => getComputedStyle(document.body).margin)).not.toBe('8px');

  // A new visit (not a reload): the kept files come from the cache, the rest are revalidated.
  await page.goto('about:blank');
  const second = await pkgRequests(page, `/domains/${domain}`, 'section.domain');
  expect(second.length).toBeGreaterThan(0);
  expect(second.filter((r) => !r.cached && r.status !== 304).map((r) => r.url), 'downloaded again').toEqual([]);
  const kept = new Set(first.filter((r) => r.headers['cache-control'] === IMMUTABLE).map((r) => r.url));
  expect(second.filter((r) => kept.has(r.url) && !r.cached).map((r) => r.url), 'asked for again').toEqual([]);
});

test('unhashed files are revalidated: 304 for a browser that has them, 404 page otherwise', async ({ request }) => {
  const file = await request.get('/map/china-provinces.svg');
  expect(file.status()).toBe(200);
  expect(file.headers()['cache-control']).toBe('no-cache');
  const since = file.headers()['last-modified'];
  expect(since).toBeTruthy();
  const again = await request.get('/map/china-provinces.svg', { headers: { 'If-Modified-Since': since } });
  expect(again.status()).toBe(304);
  expect(await again.text()).toBe('');

  const missing = await request.get('/pkg/itm.nosuchhashnosuchhash00.wasm');
  expect(missing.status()).toBe(404);
  expect(missing.headers()['content-type']).toContain('text/html');
  // Not a file's way in: a POST to a file's path gets the not-found page, not the file.
  const posted = await request.post(`/map/china-provinces.svg`, { headers: { Origin: new URL(file.url()).origin } });
  expect(posted.status()).toBe(404);
  expect(posted.headers()['content-type']).toContain('text/html');
  // A range past the end is refused, and the refusal is not kept.
  const beyond = await request.get('/map/china-provinces.svg', { headers: { Range: 'bytes=99999999-' } });
  expect(beyond.status()).toBe(416);
  expect(beyond.headers()['cache-control']).toBe('no-cache');
  // A page is never cached as a file is.
  const pageResponse = await request.get('/login');
  expect(pageResponse.headers()['cache-control'] ?? '').not.toContain('immutable');
});
