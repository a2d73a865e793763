// Console benchmark (issue 6): the domain list with 5,000 domains (10,000 endpoints) — its
// server-side rendering time, and in Chromium the time from a click (next page, a search) to the
// new rows on screen — plus the size of the wasm bundle, raw and gzipped.
//
// Run after `make build`, from the repository root:
//     node end2end/bench/console.mjs [--domains 5000] [--rounds 50]
import { chromium } from 'playwright';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { root, startItm, stats } from './server.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const domains = arg('domains', 5000);
const rounds = arg('rounds', 50);

const { base, cookie, creds, call, stop } = await startItm();
try {
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
  // with `make build`: lazy pages as split chunks).
  const pkg = path.join(root, 'target/site/pkg');
  const sizes = (f) => { const b = readFileSync(path.join(pkg, f)); return { raw: b.length, gzip: gzipSync(b, { level: 9 }).length }; };
  // A release build names files after their content (itm.<hash>.wasm).
  const main = readdirSync(pkg).find((f) => /^itm(\.[\w-]+)?\.wasm$/.test(f));
  const chunks = readdirSync(pkg).filter((f) => f.endsWith('.wasm') && f !== main).map((f) => ({ f, ...sizes(f) }));
  const largestPage = chunks.filter((c) => c.f.startsWith('split_')).sort((x, y) => y.gzip - x.gzip)[0];
  console.log(JSON.stringify({
    domains, endpoints: endpoints.length, rounds,
    ssrMs: ssr,
    clickToRowsMs: { nextPage: stats(nextPage), switchLanguage: stats(language) },
    wasmBytes: {
      main: sizes(main),
      largestPage: largestPage ?? null,
      allChunks: chunks.reduce((t, c) => ({ raw: t.raw + c.raw, gzip: t.gzip + c.gzip }), { raw: 0, gzip: 0 }),
    },
  }, null, 2));
} finally {
  stop();
}
