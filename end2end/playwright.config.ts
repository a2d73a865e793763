// Playwright drives Debian's Chromium (no browser download) against a real `itm serve` built
// by `make build` (.ci/build). Set ITM_BIN / ITM_SITE_ROOT to test another build.
import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const port = Number(process.env.ITM_E2E_PORT ?? 3199);
const root = path.resolve(__dirname, '..');
const itm = process.env.ITM_BIN ?? path.join(root, 'target/release/itm');
const siteRoot = process.env.ITM_SITE_ROOT ?? path.join(root, 'target/site');
// The IP database `.ci/setup` installs, so the console can place addresses.
const ipDb = path.join(root, 'data/ip2region/ip2region_v4_20240228.xdb');
export const dnsPort = Number(process.env.ITM_E2E_DNS_PORT ?? 3198);
// A fresh store per run, outside the repository; DNS on a free port. The config is loaded again
// by each worker: the store and its first account are made once, by the main process, and
// handed to the workers through the environment.
if (!process.env.ITM_E2E_WORK) {
  const work = mkdtempSync(path.join(tmpdir(), 'itm-e2e-'));
  process.env.ITM_E2E_WORK = work;
  process.env.ITM_E2E_ACCOUNT = execFileSync(itm, [
    'account', 'create', '--name', 'e2e', '--json',
    '--database', `sqlite://${work}/itm.db?mode=rwc`, '--master-key-file', `${work}/master.key`,
  ]).toString();
}
const work = process.env.ITM_E2E_WORK;

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `${itm} serve --http 127.0.0.1:${port} --dns 127.0.0.1:${dnsPort} --site-root ${siteRoot} ` +
      (existsSync(ipDb) ? `--ip-db ${ipDb} ` : '') +
      `--database sqlite://${work}/itm.db?mode=rwc --master-key-file ${work}/master.key ` +
      // Probes and webhooks reach loopback only; delegated names wait for a proof of control
      // (the default), which no test publishes.
      `--probe-networks 127.0.0.0/8,::1/128 --webhook-networks 127.0.0.0/8,::1/128 ` +
      // Query volume reaches the store within a second, not the default ten.
      `--volume-flush-sec 1`,
    url: `http://127.0.0.1:${port}/lab`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
