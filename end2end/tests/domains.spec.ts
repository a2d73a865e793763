// The domain list (home page) in real Chromium: add an ITM domain and see its CNAME, change its
// scheduling status, delete it after confirming; bad names are refused with the reason; the
// server-rendered HTML already lists the domains.
import { test, expect } from '@playwright/test';
import { account, api, logIn, shot } from './helpers';

test('an operator adds, schedules and deletes a domain', async ({ page }) => {
  await logIn(page);
  const name = `www.e2e${Date.now()}.com`;
  const listed = `${name}.${account.accountId}`;
  await page.getByLabel('新域名').fill(name);
  await page.getByRole('button', { name: '添加', exact: true }).click();
  const row = page.locator(`tr[data-domain="${listed}"]`);
  await expect(row.locator('td.cname .value')).toHaveText(`${listed}.itm.localhost`);
  await expect(row.locator('td.status')).toHaveText('未调度');
  await expect(row.locator('td.resource')).toHaveText('STARTED');
  await expect(row.locator('td.count')).toHaveText('0');
  await page.screenshot({ path: test.info().outputPath('domains.png') });

  const html = await (await page.request.get('/')).text();
  expect(html).toContain(`${listed}.itm.localhost`);

  await row.getByRole('button', { name: '停止' }).click();
  await expect(row.locator('td.status')).toHaveText('停止');
  await row.getByRole('button', { name: '启动' }).click();
  await expect(row.locator('td.status')).toHaveText('运行');

  await row.locator('summary', { hasText: '删除' }).click();
  await row.getByRole('button', { name: '确认删除' }).click();
  await expect(row).toHaveCount(0);
});

test('a non-ITM domain waits for its proof of control, shown with the TXT record to publish', async ({ page }, info) => {
  await logIn(page);
  const name = `delegated${Date.now()}.example.net`;
  await page.getByLabel('新域名').fill(name);
  await page.getByLabel('ITM 域名（生成 CNAME）').uncheck();
  await page.getByRole('button', { name: '添加', exact: true }).click();
  const row = page.locator(`tr[data-domain="${name}"]`);
  const proof = row.locator('.claim.pending');
  await expect(proof).toContainText('待验证');
  await expect(proof.locator('code.txt')).toContainText(`_itm-challenge.${name} TXT "itm-verify=`);
  await shot(page, info, 'domains-pending');
  // No record published yet: looking for it now says so.
  await proof.getByRole('button', { name: '立即验证' }).click();
  await expect(page.getByRole('alert')).toContainText('no TXT record');
  await expect(row.locator('.claim.pending')).toBeVisible();
});

test('a bad domain name is refused with the reason', async ({ page }) => {
  await logIn(page);
  await page.getByLabel('新域名').fill('not a domain!');
  await page.getByRole('button', { name: '添加', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('domain');
  await expect(page.getByRole('alert')).toContainText('not a domain!');
});

test('without a session the list sends the browser to the login form', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
  await expect(page.locator('section.login')).toHaveAttribute('data-ready', 'true');
});

test('search and paging stay on the server: 60 matching domains make two pages', async ({ page, baseURL }, info) => {
  const a = await api(baseURL);
  const prefix = `page${Date.now()}`;
  const batch = Array.from({ length: 60 }, (_, i) => ({ domain: `${prefix}-${String(i).padStart(2, '0')}.example.com`, isItmDomain: true }));
  const created = await a.ctx.post('/v1/domains', { data: batch, headers: a.csrf });
  expect(created.ok(), await created.text()).toBeTruthy();
  await logIn(page);
  await page.getByLabel('搜索域名').fill(prefix);
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page).toHaveURL(new RegExp(`q=${prefix}`));
  await expect(page.locator('table.domain-list tbody tr')).toHaveCount(50);
  await expect(page.locator('.pager')).toContainText('第 1 / 2 页，共 60 个域名');
  await shot(page, info, 'domains-search');
  await page.getByRole('link', { name: '下一页' }).click();
  await expect(page.locator('table.domain-list tbody tr')).toHaveCount(10);
  await expect(page.locator('table.domain-list tbody tr').first()).toHaveAttribute('data-domain', `${prefix}-50.example.com.${account.accountId}`);
  // The page is rendered by the server with its rows.
  const html = await (await page.request.get(`/?q=${prefix}&page=2`)).text();
  expect(html).toContain(`${prefix}-59.example.com.${account.accountId}`);
  expect(html).not.toContain(`${prefix}-00.example.com.${account.accountId}`);
  await page.getByLabel('搜索域名').fill('no-such-domain-anywhere');
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page.getByText('没有匹配的域名')).toBeVisible();
  await a.ctx.dispose();
});
