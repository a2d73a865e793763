// The live view: an open page follows health and others' changes as they happen, without a
// reload. A local HTTP target answers 200, then 503, then 200 again; the domain page, its
// endpoint row and the domain list say so on their own. An endpoint added through the API shows
// up in an open endpoint list — once the operator's open edit form is closed, not under it.
import { test, expect } from '@playwright/test';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { api, logIn, newDomain } from './helpers';

test('health and others\' changes reach an open page without a reload', async ({ page, baseURL }) => {
  test.setTimeout(90_000);
  let status = 200;
  const target = http.createServer((_req, res) => {
    res.writeHead(status);
    res.end('ok');
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const port = (target.address() as AddressInfo).port;
  const a = await api(baseURL);
  const call = async (method: string, path: string, data?: unknown) => {
    const r = await a.ctx.fetch(path, { method, data, headers: a.csrf });
    expect(r.ok(), `${method} ${path}: ${await r.text()}`).toBeTruthy();
  };
  try {
    const d = await newDomain(a, 'live');
    await call('POST', '/v1/endpoints', [{ domain: d, endpoint: '127.0.0.1' }]);
    await call('POST', `/v1/domains/${d}/recommend-strategy`);
    await call('PUT', `/v1/domains/${d}/monitor`, {
      protocol: 'HTTP', port, path: '/', host: '', expectedCodes: '200-299', timeoutSec: 1,
      intervalSec: 1, faultThreshold: 80, window: 2, minErrors: 1, points: [],
    });
    await call('PUT', `/v1/domains/${d}/status`, { status: 'start' });

    await logIn(page);
    await page.goto(`/domains/${d}`);
    await expect(page.locator('section.domain')).toHaveAttribute('data-ready', 'true');
    // A mark on the window: a reload would wipe it.
    await page.evaluate(() => { (window as unknown as { stayed: boolean }).stayed = true; });
    const stayed = () => page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed === true);
    const row = page.locator('tr[data-endpoint="127.0.0.1"]');
    await expect(row.locator('td.status')).toHaveText('健康', { timeout: 20_000 });
    await expect(page.locator('dl.facts dd.monitor')).toHaveText('正常');

    status = 503;
    await expect(row.locator('td.status')).toHaveText('异常', { timeout: 20_000 });
    await expect(page.locator('dl.facts dd.monitor')).toHaveText('异常');
    await expect(row.locator('td.probes')).toContainText('local: 503');
    expect(await stayed()).toBe(true);

    // Someone else adds an endpoint while the operator edits one: the form stays open.
    await row.locator('details.edit summary').click();
    await row.locator('details.edit input[name=tag]').fill('being typed');
    await call('POST', '/v1/endpoints', [{ domain: d, endpoint: '127.0.0.3' }]);
    // The count in the facts above the tabs is not held: once it moved, the list had its chance.
    await expect(page.locator('dl.facts dd.count')).toHaveText('2');
    await expect(row.locator('details.edit')).toHaveAttribute('open', '');
    await expect(row.locator('details.edit input[name=tag]')).toHaveValue('being typed');
    await expect(page.locator('tr[data-endpoint="127.0.0.3"]')).toHaveCount(0);
    await row.locator('details.edit summary').click();
    await expect(page.locator('tr[data-endpoint="127.0.0.3"]')).toHaveCount(1);
    expect(await stayed()).toBe(true);

    // The list follows too: the target recovers while it is open.
    await page.goto(`/?q=${d}`);
    await expect(page.locator('section.domains')).toHaveAttribute('data-ready', 'true');
    await page.evaluate(() => { (window as unknown as { stayed: boolean }).stayed = true; });
    const listed = page.locator(`tr[data-domain="${d}"] td.monitor`);
    // 127.0.0.3 refuses, so the domain is at best degraded.
    await expect(listed).toHaveText(/异常/, { timeout: 20_000 });
    status = 200;
    await expect(listed).toHaveText('部分异常', { timeout: 20_000 });
    expect(await stayed()).toBe(true);
  } finally {
    target.close();
    await a.ctx.dispose();
  }
});
