// The console on a slow link (issue 17): Chromium's network emulation at 150 ms round trip and
// 1.6 Mbit/s each way, a fresh cache per first visit. For the domain list, a domain page and the
// strategy editor: when the page is painted (first contentful paint) and when it is interactive
// (hydrated: its section says data-ready="true"), how many requests and bytes on the wire; then a
// second visit with the cache the first one filled.
//
// Run after `make build`, from the repository root:
//     node end2end/bench/slow-link.mjs [--rounds 3]
import { chromium } from 'playwright';
import { startItm, stats } from './server.mjs';

const i = process.argv.indexOf('--rounds');
const rounds = i > 0 ? Number(process.argv[i + 1]) : 3;
const link = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 1.6e6 / 8 };

const { base, cookie, creds, call, stop } = await startItm();
try {
  await call('/v1/domains', [{ domain: 'slow.bench.example.com', isItmDomain: true }]);
  const domain = `slow.bench.example.com.${creds['account id']}`;
  await call('/v1/endpoints', [1, 2, 3].map((k) => ({ domain, endpoint: `198.18.0.${k}`, area: 'beijing.CN', isp: 'ct' })));
  const pages = [
    ['domain list', '/', 'section.domains'],
    ['domain page', `/domains/${domain}`, 'section.domain'],
    ['strategy editor', `/domains/${domain}/strategy`, 'section.strategy-editor'],
  ];
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const [name, value] = cookie.split('=');

  // One visit: the page's own clock from navigation start, and the wire as the DevTools see it.
  const visit = async (page, cdp, url, section) => {
    const wire = { requests: 0, wasm: 0, fromCache: 0, bytes: 0 };
    const onResponse = (e) => {
      wire.requests++;
      if (e.response.url.endsWith('.wasm')) wire.wasm++;
      if (e.response.fromDiskCache || e.response.status === 304) wire.fromCache++;
    };
    const onFinished = (e) => { wire.bytes += e.encodedDataLength; };
    cdp.on('Network.responseReceived', onResponse);
    cdp.on('Network.loadingFinished', onFinished);
    await page.goto(base + url, { waitUntil: 'commit' });
    const interactive = await (await page.waitForFunction(
      (s) => document.querySelector(s)?.getAttribute('data-ready') === 'true' && performance.now(),
      section, { polling: 'raf', timeout: 120_000 })).jsonValue();
    const painted = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN);
    // Requests still in flight (prefetched chunks) count towards the bytes, not the times.
    await page.waitForLoadState('networkidle');
    cdp.off('Network.responseReceived', onResponse);
    cdp.off('Network.loadingFinished', onFinished);
    return { painted, interactive, ...wire };
  };

  const results = {};
  for (const [label, url, section] of pages) {
    const first = [], second = [];
    for (let r = 0; r < rounds; r++) {
      const context = await browser.newContext();
      await context.addCookies([{ name, value, url: base }]);
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', link);
      first.push(await visit(page, cdp, url, section));
      await page.goto('about:blank');
      second.push(await visit(page, cdp, url, section));
      await context.close();
    }
    const summary = (vs) => ({
      paintedMs: stats(vs.map((v) => v.painted)).median,
      interactiveMs: stats(vs.map((v) => v.interactive)),
      requests: vs[0].requests, wasmFiles: vs[0].wasm, cachedOrNotModified: vs[0].fromCache,
      kbOnWire: (vs[0].bytes / 1024).toFixed(0),
    });
    results[label] = { firstVisit: summary(first), secondVisit: summary(second) };
  }
  await browser.close();
  console.log(JSON.stringify({ link: '150 ms RTT, 1.6 Mbit/s', rounds, results }, null, 2));
} finally {
  stop();
}
