// Every console page is rendered by the server with its data: the HTML, fetched without running
// any wasm, already holds what the page shows.
import { test, expect } from '@playwright/test';
import { api, logIn, newDomain } from './helpers';

test('each page\'s server-rendered HTML contains its data', async ({ page, baseURL }) => {
  const a = await api(baseURL);
  const domain = await newDomain(a, 'ssr');
  const post = async (path: string, data: unknown) => {
    const r = await a.ctx.post(path, { data, headers: a.csrf });
    expect(r.ok(), `${path}: ${await r.text()}`).toBeTruthy();
  };
  await post('/v1/endpoints', [{ domain, endpoint: '192.0.2.10', area: 'shanghai.CN', isp: 'cu', tag: 'ssr-tag' }]);
  await post(`/v1/domains/${domain}/recommend-strategy`, {});
  const contact = `ssr${Date.now()}`;
  await post('/v1/contacts', { name: contact, email: 'ssr@example.com' });
  const user = `ssruser${Date.now()}`;
  await post('/v1/users', { username: user });
  await a.ctx.dispose();

  await logIn(page);
  const html = async (path: string) => {
    const r = await page.request.get(path);
    expect(r.status(), path).toBe(200);
    return r.text();
  };
  expect(await html(`/?q=${domain}`)).toContain(`${domain}.itm.localhost`);
  const endpoints = await html(`/domains/${domain}`);
  expect(endpoints).toContain('192.0.2.10');
  expect(endpoints).toContain('ssr-tag');
  expect(endpoints).toContain('上海 shanghai.CN');
  const monitor = await html(`/domains/${domain}/monitor`);
  expect(monitor).toContain('200-399');
  expect(monitor).toContain('监控任务');
  const results = await html(`/domains/${domain}/results`);
  expect(results).toContain('data-area="shanghai.CN"');
  expect(results).toContain('data-group="shanghai.CN/cu"');
  expect(results).toContain('策略版本 1');
  expect(await html('/notifications')).toContain('ssr@example.com');
  expect(await html(`/domains/${domain}/notify`)).toContain(contact);
  expect(await html('/iam')).toContain(user);
  expect(await html('/usage')).toContain('data-point="local"');
  // The strategy editor: the enabled tree on the canvas, the preview of the group.
  const editor = await html(`/domains/${domain}/strategy`);
  expect(editor).toContain('data-node="192.0.2.10"');
  expect(editor).toContain('data-group="shanghai.CN/cu"');
  // This one node, reporting itself.
  const nodes = await html('/nodes');
  expect(nodes).toMatch(/<tr data-node="[^"]+"/);
  expect(nodes).toContain('健康');
});
