// Console benchmark (issue 6): the domain list with 5,000 domains (10,000 endpoints) — its
// server-side rendering time, and in Chromium the time from a click (next page, a search) to the
// new rows on screen — plus the size of the wasm bundle, raw and gzipped.
//
// Run after `cargo leptos build --release --split`, from the repository root:
//     node end2end/bench/console.mjs [--domains 5000] [--rounds 50]
import { chromium } from 'playwright';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import net from 'node:net';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const domains = arg('domains', 5000);
const rounds = arg('rounds', 50);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const itm = process.env.ITM_BIN ?? path.join(root, 'target/release/itm');

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5).toFixed(1), p95: q(0.95).toFixed(1), max: s[s.length - 1].toFixed(1) };
};

const work = mkdtempSync(path.join(tmpdir(), 'itm-console-bench-'));
const [http, dns] = [await freePort(), await freePort()];
const server = spawn(itm, ['serve', '--http', `127.0.0.1:${http}`, '--dns', `127.0.0.1:${dns}`,
  '--database', `sqlite://${work}/itm.db?mode=rwc`, '--master-key-file', `${work}/key`,
  '--site-root', path.join(root, 'target/site'), '--no-monitor', '--probe-networks', '127.0.0.0/8'],
  { cwd: work, env: { ...process.env, ITM_LOG: 'warn' } });
const creds = await new Promise((resolve) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    if (out.includes('ITM console')) {
      resolve(Object.fromEntries([...out.matchAll(/^\s+(account id|user name|password):\s+(\S+)/gm)].map((m) => [m[1], m[2]])));
    }
  });
});
const base = `http://127.0.0.1:${http}`;
try {
  const login = await fetch(`${base}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: creds['user name'], password: creds.password }) });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const { csrfToken } = await login.json();
  const call = async (p, body) => {
    const r = await fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
  };
  const names = Array.from({ length: domains }, (_, i) => `d${String(i).padStart(5, '0')}.bench.example.com`);
  for (let i = 0; i < names.length; i += 2000) {
    await call('/v1/domains', names.slice(i, i + 2000).map((domain) => ({ domain, isItmDomain: true })));
  }
  const listed = names.map((n) => `${n}.${creds['account id']}`);
  const endpoints = listed.flatMap((domain, i) => [1, 2].map((k) => ({ domain, endpoint: `10.${i >> 8 & 255}.${i & 255}.${k}`, area: 'beijing.CN', isp: 'ct' })));
  for (let i = 0; i < endpoints.length; i += 8000) await call('/v1/endpoints', endpoints.slice(i, i + 8000));

  // Server-side rendering of the list: the whole response, sequentially.
  const ssr = {};
  for (const [label, p] of [['first page', '/'], ['page 50', '/?page=50'], ['search', '/?q=d0421']]) {
    const times = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      const res = await fetch(base + p, { headers: { cookie } });
      await res.text();
      times.push(performance.now() - t0);
    }
    ssr[label] = stats(times);
  }

  // Interaction in Chromium: click → the new first row is on screen.
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage();
  await page.context().addCookies([{ name: cookie.split('=')[0], value: cookie.split('=')[1], url: base }]);
  await page.goto(base + '/');
  await page.waitForSelector('section.domains[data-ready=true]');
  // Timed in the page: from the click to the frame after the DOM shows the change.
  const timeClick = (selector, changed) => page.evaluate(([selector, changed]) => new Promise((resolve) => {
    const probe = () => (changed === 'rows'
      ? document.querySelector('table.domain-list tbody tr')?.getAttribute('data-domain')
      : document.querySelector('section.domains h1')?.textContent);
    const before = probe();
    const t0 = performance.now();
    const observer = new MutationObserver(() => {
      if (probe() !== before) {
        observer.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - t0));
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    document.querySelector(selector).click();
  }), [selector, changed]);
  const nextPage = [];
  for (let r = 0; r < Math.min(rounds, 20); r++) {
    nextPage.push(await timeClick('a[rel=next]', 'rows'));
    await page.waitForTimeout(50);
  }
  const language = [];
  for (let r = 0; r < 20; r++) {
    language.push(await timeClick('[data-testid=lang-switch]', 'title'));
    await page.waitForTimeout(50);
  }
  await browser.close();

  // The bundle: the main module every page loads, and the lazily loaded chunks (pages built
  // with `cargo leptos build --split`).
  const pkg = path.join(root, 'target/site/pkg');
  const sizes = (f) => { const b = readFileSync(path.join(pkg, f)); return { raw: b.length, gzip: gzipSync(b, { level: 9 }).length }; };
  const chunks = readdirSync(pkg).filter((f) => f.endsWith('.wasm') && f !== 'itm.wasm').map((f) => ({ f, ...sizes(f) }));
  const largestPage = chunks.filter((c) => c.f.startsWith('split_')).sort((x, y) => y.gzip - x.gzip)[0];
  console.log(JSON.stringify({
    domains, endpoints: endpoints.length, rounds,
    ssrMs: ssr,
    clickToRowsMs: { nextPage: stats(nextPage), switchLanguage: stats(language) },
    wasmBytes: {
      main: sizes('itm.wasm'),
      largestPage: largestPage ?? null,
      allChunks: chunks.reduce((t, c) => ({ raw: t.raw + c.raw, gzip: t.gzip + c.gzip }), { raw: 0, gzip: 0 }),
    },
  }, null, 2));
} finally {
  server.kill();
}
