// Sub-users in the console, one per policy: a read-only user sees the data but no write button,
// and the server refuses its forged write; a write user gets the buttons and may change things.
import { test, expect } from '@playwright/test';
import { account, api, logIn, newDomain, shot } from './helpers';

async function subUser(baseURL: string | undefined, policy: string) {
  const a = await api(baseURL);
  const username = `${policy.replace('ITM', '').replace('Policy', '').toLowerCase()}${Date.now()}`;
  const created = await a.ctx.post('/v1/users', { data: { username }, headers: a.csrf });
  expect(created.ok(), await created.text()).toBeTruthy();
  const { password } = await created.json();
  const granted = await a.ctx.post(`/v1/users/${username}/policies/${policy}`, { headers: a.csrf });
  expect(granted.ok(), await granted.text()).toBeTruthy();
  const domain = await newDomain(a, 'perm');
  const endpoint = await a.ctx.post('/v1/endpoints', { data: [{ domain, endpoint: '127.0.0.1', area: 'beijing.CN', isp: 'ct' }], headers: a.csrf });
  expect(endpoint.ok(), await endpoint.text()).toBeTruthy();
  await a.ctx.dispose();
  return { username, password, domain };
}

test('a read-only sub-user sees everything and can change nothing', async ({ page, baseURL }, info) => {
  const { username, password, domain } = await subUser(baseURL, 'ITMReadAccessPolicy');
  await logIn(page, username, password, `/login/${account.accountId}`);
  await page.goto(`/?q=${domain}`);
  const row = page.locator(`tr[data-domain="${domain}"]`);
  await expect(row.locator('td.count')).toHaveText('1');
  await expect(page.getByRole('button', { name: '添加', exact: true })).toHaveCount(0);
  await expect(row.getByRole('button')).toHaveCount(1); // the copy button only
  await shot(page, info, 'read-only-domains');

  await page.goto(`/domains/${domain}`);
  await expect(page.locator('tr[data-endpoint="127.0.0.1"]')).toBeVisible();
  await expect(page.locator('form.add-endpoint')).toHaveCount(0);
  await expect(page.locator('section.import')).toHaveCount(0);
  await expect(page.locator('tr[data-endpoint="127.0.0.1"] details')).toHaveCount(0);
  await page.goto(`/domains/${domain}/monitor`);
  await expect(page.locator('form.monitor-form')).toBeVisible();
  await expect(page.getByRole('button', { name: '保存监控设置' })).toHaveCount(0);
  // The settings are shown, not offered for editing.
  await expect(page.getByTestId('read-only')).toBeVisible();
  for (const field of ['select[name="protocol"]', 'input[name="timeoutSec"]', 'input[name="intervalSec"]', 'button.chip']) {
    await expect(page.locator(`form.monitor-form ${field}`).first()).toBeDisabled();
  }
  await page.goto(`/domains/${domain}/results`);
  await expect(page.locator('#recommend')).toHaveCount(0);

  // A forged write with the read-only session, from the console's own origin, is refused by
  // the permission check; from another site it is refused before that. Nothing changes.
  const form = { domain, endpoint: '127.0.0.3', area: '', isp: '', tag: '' };
  const forged = await page.request.post('/api/add_endpoint', { form, headers: { Origin: baseURL! } });
  expect(forged.status()).toBe(403);
  expect(await forged.text()).toContain('no policy allowing this action');
  const crossSite = await page.request.post('/api/add_endpoint', { form, headers: { Origin: 'http://evil.example' } });
  expect(crossSite.status()).toBe(403);
  expect(await crossSite.text()).toContain('cross-site');
  await page.goto(`/domains/${domain}`);
  await expect(page.locator('tr[data-endpoint="127.0.0.3"]')).toHaveCount(0);
});

test('a sub-user with the write policy gets the write buttons and uses them', async ({ page, baseURL }, info) => {
  const { username, password, domain } = await subUser(baseURL, 'ITMWritePolicy');
  await logIn(page, username, password, `/login/${account.accountId}`);
  await expect(page.getByRole('button', { name: '添加', exact: true })).toBeVisible();
  await page.goto(`/domains/${domain}`);
  const add = page.locator('form.add-endpoint');
  await add.getByLabel('端点（IP 或域名）').fill('127.0.0.4');
  await add.getByRole('button', { name: '添加端点' }).click();
  await expect(page.locator('tr[data-endpoint="127.0.0.4"]')).toBeVisible();
  await shot(page, info, 'write-user-endpoints');
});

test('a full-control sub-user manages the account (usage, keys) but not sub-users', async ({ page, baseURL }, info) => {
  const { username, password } = await subUser(baseURL, 'ITMFullControlPolicy');
  await logIn(page, username, password, `/login/${account.accountId}`);
  await page.goto('/usage');
  await expect(page.getByTestId('usage-domains')).toHaveText(/\d+/);
  await page.goto('/iam');
  await expect(page.getByRole('button', { name: '创建访问密钥' })).toBeVisible();
  await expect(page.getByRole('button', { name: '创建子用户' })).toHaveCount(0);
  // It sees the sub-users (itself among them) but cannot change them.
  await expect(page.locator(`tr[data-user="${username}"]`)).toBeVisible();
  await expect(page.getByRole('button', { name: '重置密码' })).toHaveCount(0);
  await expect(page.locator(`tr[data-user="${username}"] button[data-policy="ITMFullControlPolicy"]`)).toBeDisabled();
  await shot(page, info, 'full-control-iam');
});

test('a read-only sub-user is refused the account pages', async ({ page, baseURL }) => {
  const { username, password } = await subUser(baseURL, 'ITMReadAccessPolicy');
  await logIn(page, username, password, `/login/${account.accountId}`);
  await page.goto('/usage');
  await expect(page.locator('section.usage').getByRole('alert')).toContainText('no policy allowing this action');
});
