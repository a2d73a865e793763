// What the console benchmarks share: a fresh `itm serve` of the release build on free loopback
// ports (its own SQLite store, monitoring off), logged in through the API as its first account.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

export const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5).toFixed(1), p95: q(0.95).toFixed(1), max: s[s.length - 1].toFixed(1) };
};

/** Starts the server; `call(path, body)` posts JSON as the logged-in account; `stop()` ends it. */
export async function startItm() {
  const itm = process.env.ITM_BIN ?? path.join(root, 'target/release/itm');
  const work = mkdtempSync(path.join(tmpdir(), 'itm-console-bench-'));
  const [http, dns] = [await freePort(), await freePort()];
  const server = spawn(itm, ['serve', '--http', `127.0.0.1:${http}`, '--dns', `127.0.0.1:${dns}`,
    '--database', `sqlite://${work}/itm.db?mode=rwc`, '--master-key-file', `${work}/key`,
    '--site-root', process.env.ITM_SITE_ROOT ?? path.join(root, 'target/site'),
    '--no-monitor', '--probe-networks', '127.0.0.0/8'],
  { cwd: work, env: { ...process.env, ITM_LOG: 'warn' } });
  const creds = await new Promise((resolve, reject) => {
    let out = '';
    server.on('exit', (code) => reject(new Error(`itm serve exited with ${code}`)));
    server.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ITM console')) {
        resolve(Object.fromEntries([...out.matchAll(/^\s+(account id|user name|password):\s+(\S+)/gm)].map((m) => [m[1], m[2]])));
      }
    });
  });
  const base = `http://127.0.0.1:${http}`;
  const login = await fetch(`${base}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: creds['user name'], password: creds.password }) });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const { csrfToken } = await login.json();
  const call = async (p, body) => {
    const r = await fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
    return r;
  };
  return { base, cookie, creds, call, stop: () => server.kill() };
}
