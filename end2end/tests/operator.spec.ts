// What an operator expects of a domain's page and of a contact: a 404 for a domain that is not
// theirs, the TTL editable (a refused value keeps its text), the name servers to delegate a
// non-ITM domain to, and "send a test" reaching the contact's webhook.
import { test, expect } from '@playwright/test';
import { account, api, hookReceiver, logIn, newDomain } from './helpers';

test('a page about a domain the user does not have is a 404, before and after login', async ({ page, baseURL }) => {
  const a = await api(baseURL);
  const mine = await newDomain(a, 'nf');
  await a.ctx.dispose();
  await logIn(page);
  const missing = `nobody${Date.now()}.example.com.${account.accountId}`;
  // Another account's id as the suffix names a domain this user cannot see either.
  const foreign = mine.replace(/\.\d+$/, `.${account.accountId + 1000}`);
  for (const path of [`/domains/${missing}`, `/domains/${missing}/monitor`, `/domains/${foreign}/strategy`, '/domains/%00bad']) {
    const r = await page.request.get(path);
    expect(r.status(), path).toBe(404);
    expect(await r.text(), path).toContain('404');
  }
  expect((await page.request.get(`/domains/${mine}/monitor`)).status()).toBe(200);
  await page.goto(`/domains/${missing}`);
  await expect(page.locator('h1')).toHaveText('404');
});

test('the TTL is edited on the domain page; a refused value keeps its text and says why', async ({ page, baseURL }) => {
  const a = await api(baseURL);
  const domain = await newDomain(a, 'ttl');
  await logIn(page);
  await page.goto(`/domains/${domain}`);
  await expect(page.locator('section.domain')).toHaveAttribute('data-ready', 'true');
  const field = page.locator('form.ttl-form input[name=ttl]');
  await expect(field).toHaveValue('60');
  await field.fill('90000');
  await page.getByRole('button', { name: '保存 TTL' }).click();
  await expect(page.locator('.field-error[data-field=ttl]')).toContainText('86400');
  await expect(field).toHaveValue('90000');
  await field.fill('300');
  await page.getByRole('button', { name: '保存 TTL' }).click();
  await expect(page.locator('.field-error[data-field=ttl]')).toHaveCount(0);
  await expect.poll(async () => (await (await a.ctx.get(`/v1/domains/${domain}`)).json()).ttl).toBe(300);
  await page.reload();
  await expect(page.locator('form.ttl-form input[name=ttl]')).toHaveValue('300');
  await a.ctx.dispose();
});

test('a delegated domain shows the name servers to delegate it to', async ({ page, baseURL }) => {
  const a = await api(baseURL);
  const name = `deleg${Date.now()}.example.org`;
  const r = await a.ctx.post('/v1/domains', { data: [{ domain: name, isItmDomain: false }], headers: a.csrf });
  expect(r.ok(), await r.text()).toBeTruthy();
  const listed: string = (await r.json())[0].domain;
  await a.ctx.dispose();
  await logIn(page);
  await page.goto(`/domains/${listed}`);
  await expect(page.locator('ul.name-servers li code')).toHaveText(['ns1.itm.localhost']);
});

test('"send a test" reaches the contact\'s webhook once, and a second one at once is refused', async ({ page }) => {
  const target = await hookReceiver();
  const { hooks, port } = target;
  try {
    await logIn(page);
    await page.goto('/notifications');
    await expect(page.locator('section.contacts')).toHaveAttribute('data-ready', 'true');
    const contact = `tester${Date.now()}`;
    await page.locator('form.add-contact').getByLabel('名称').fill(contact);
    await page.locator('form.add-contact').getByLabel('Webhook').fill(`http://127.0.0.1:${port}/hook`);
    await page.getByRole('button', { name: '保存联系人', exact: true }).click();
    const row = page.locator(`tr[data-contact="${contact}"]`);
    await row.getByRole('button', { name: '发送测试' }).click();
    await expect(page.getByRole('status').filter({ hasText: '联系人' })).toHaveText('联系人已保存。');
    await expect(page.getByRole('status').filter({ hasText: '测试消息' })).toContainText('已排队 1 条测试消息');
    await expect.poll(() => hooks.map((h) => JSON.parse(h)).filter((h) => h.event === 'test' && h.contact === contact).length, { timeout: 20_000 }).toBe(1);
    await expect(page.locator('table.delivery-list, .deliveries table').first()).toContainText('[ITM] test notification');
    await row.getByRole('button', { name: '发送测试' }).click();
    await expect(page.getByRole('alert')).toContainText('30 s');
  } finally {
    target.close();
  }
});
