// The domain list (home page) in real Chromium: add an ITM domain and see its CNAME, change its
// scheduling status, delete it after confirming; bad names are refused with the reason; the
// server-rendered HTML already lists the domains.
import { test, expect, Page } from '@playwright/test';

type Account = { accountId: number; username: string; password: string };
const account: Account = JSON.parse(process.env.ITM_E2E_ACCOUNT ?? '{}');

async function logIn(page: Page) {
  await page.goto('/login');
  await expect(page.locator('section.login')).toHaveAttribute('data-ready', 'true');
  await page.getByLabel('用户名').fill(account.username);
  await page.getByLabel('密码').fill(account.password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('section.domains')).toHaveAttribute('data-ready', 'true');
}

test('an operator adds, schedules and deletes a domain', async ({ page }) => {
  await logIn(page);
  const name = `www.e2e${Date.now()}.com`;
  const listed = `${name}.${account.accountId}`;
  await page.getByLabel('新域名').fill(name);
  await page.getByRole('button', { name: '添加' }).click();
  const row = page.locator(`tr[data-domain="${listed}"]`);
  await expect(row.locator('td.cname .value')).toHaveText(`${listed}.itm.localhost`);
  await expect(row.locator('td.status')).toHaveText('未调度');
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

test('a bad domain name is refused with the reason', async ({ page }) => {
  await logIn(page);
  await page.getByLabel('新域名').fill('not a domain!');
  await page.getByRole('button', { name: '添加' }).click();
  await expect(page.getByRole('alert')).toContainText('domain');
  await expect(page.getByRole('alert')).toContainText('not a domain!');
});

test('without a session the list asks to log in', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('alert')).toContainText('log in again');
  await expect(page.locator('section.domains').getByRole('link', { name: '登录' })).toBeVisible();
});
