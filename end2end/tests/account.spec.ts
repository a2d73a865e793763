// The account pages in real Chromium: access control (sub-users, policies, the login link,
// access keys, the audit log), notifications (contacts, groups, a domain's choice) and usage
// with monitor points.
import { test, expect } from '@playwright/test';
import { account, api, logIn, newDomain, shot } from './helpers';

test('the main account manages a sub-user, its policies and keys, and reads the audit log', async ({ page }, info) => {
  await logIn(page);
  await page.goto('/iam');
  await expect(page.locator('section.iam')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('login-link')).toHaveText(`/login/${account.accountId}`);

  const name = `iam${Date.now()}`;
  await page.locator('form.add-user').getByLabel('用户名').fill(name);
  await page.getByRole('button', { name: '创建子用户' }).click();
  const secret = page.locator('section.users').getByTestId('secret');
  await expect(secret).toHaveText(/.{12,}/);
  const first = await secret.textContent();
  const row = page.locator(`tr[data-user="${name}"]`);
  await expect(row).toBeVisible();

  await row.locator('button[data-policy="ITMWritePolicy"]').click();
  await expect(row.locator('button[data-policy="ITMWritePolicy"]')).toHaveAttribute('aria-pressed', 'true');
  await row.getByRole('button', { name: '重置密码' }).click();
  await expect(secret).not.toHaveText(first!);
  const password = (await secret.textContent())!;

  await page.locator('form.add-key').getByLabel('属于用户（空 = 自己）').fill(name);
  await page.getByRole('button', { name: '创建访问密钥' }).click();
  await expect(page.locator('section.keys').getByTestId('secret')).toHaveText(/.{20,}/);
  const keyRow = page.locator('table.key-list tr', { hasText: name });
  await expect(keyRow).toHaveCount(1);
  // The log on the same page has read each action again, without a reload.
  const logged = page.locator('table.audit-list tr', { hasText: name });
  await expect(logged.locator('td.action', { hasText: 'user.create' })).toHaveCount(1);
  await expect(logged.locator('td.action', { hasText: 'policy.grant' })).toHaveCount(1);
  await shot(page, info, 'iam');

  // The audit log, filtered by action, through the URL the form submits.
  await page.locator('section.audit').getByLabel('操作').fill('policy.grant');
  await page.locator('section.audit').getByRole('button', { name: '筛选' }).click();
  await expect(page).toHaveURL(/action=policy.grant/);
  await expect(page.locator('table.audit-list')).toContainText(name);
  await expect(page.locator('table.audit-list td.action').first()).toHaveText('policy.grant');

  // The sub-user logs in at the link with the new password.
  const other = await page.context().browser()!.newContext({ baseURL: info.project.use.baseURL });
  const subPage = await other.newPage();
  await logIn(subPage, name, password, `/login/${account.accountId}`);
  await expect(subPage.getByTestId('who')).toContainText(`${name} · 子用户`);
  await other.close();

  await keyRow.locator('summary').click();
  await keyRow.getByRole('button', { name: '确认删除' }).click();
  await expect(keyRow).toHaveCount(0);
  await row.locator('summary').click();
  await row.getByRole('button', { name: '确认删除' }).click();
  await expect(row).toHaveCount(0);
});

test('contacts, a group and a domain\'s choice of whom to notify', async ({ page, baseURL }, info) => {
  const a = await api(baseURL);
  const domain = await newDomain(a, 'notify');
  await a.ctx.dispose();
  await logIn(page);
  await page.goto('/notifications');
  await expect(page.locator('section.contacts')).toHaveAttribute('data-ready', 'true');
  const contact = `ops${Date.now()}`;
  const form = page.locator('form.add-contact');
  const save = form.getByRole('button', { name: '保存联系人', exact: true });
  // An empty form, then one with no channel: each is refused beside the field at fault, and
  // what was typed stays.
  await save.click();
  await expect(form.locator('.field-error[data-field="name"]')).toBeVisible();
  await form.getByLabel('名称').fill(contact);
  await save.click();
  await expect(form.locator('.field-error[data-field="email"]')).toBeVisible();
  await expect(form.locator('.field-error[data-field="name"]')).toHaveCount(0);
  await expect(form.getByLabel('名称')).toHaveValue(contact);
  await expect(page.locator(`tr[data-contact="${contact}"]`)).toHaveCount(0);
  await form.getByLabel('邮箱').fill('ops@example.com');
  await save.click();
  await expect(page.locator(`tr[data-contact="${contact}"]`)).toContainText('ops@example.com');
  await expect(page.locator('section.contacts [role="status"]')).toContainText('联系人已保存');
  await expect(form.locator('.field-error')).toHaveCount(0);
  await expect(form.getByLabel('名称')).toHaveValue('');

  const group = `oncall${Date.now()}`;
  await page.locator('form.add-group').getByLabel('新组名').fill(group);
  await page.locator(`form.add-group input[data-member="${contact}"]`).check();
  await page.getByRole('button', { name: '保存联系人组' }).click();
  await expect(page.locator(`tr[data-group="${group}"]`)).toContainText(contact);
  await shot(page, info, 'notifications');

  await page.goto(`/domains/${domain}/notify`);
  await page.locator(`input[data-kind="group"][data-name="${group}"]`).check();
  await page.getByRole('button', { name: '保存通知设置' }).click();
  await expect(page.getByRole('status')).toHaveText('已保存');
  await page.reload();
  await expect(page.locator(`input[data-kind="group"][data-name="${group}"]`)).toBeChecked();
  await expect(page.locator(`input[data-kind="contact"][data-name="${contact}"]`)).not.toBeChecked();
});

test('usage counts the billing units, and monitor points are registered with a one-time token', async ({ page, baseURL }, info) => {
  const a = await api(baseURL);
  const tasks = await (await a.ctx.get('/v1/monitor-tasks')).json();
  await logIn(page);
  await page.goto('/usage');
  await expect(page.locator('section.usage')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('usage-tasks')).toHaveText(String(tasks.total));
  const point = `agent${Date.now()}`;
  const form = page.locator('form.add-point');
  await form.getByLabel('名称').fill(point);
  await form.locator('select[name=area]').selectOption('beijing.CN');
  await form.locator('select[name=isp]').selectOption('ct');
  await form.getByRole('button', { name: '注册监控点' }).click();
  await expect(page.getByTestId('secret')).toHaveText(/.{20,}/);
  const row = page.locator(`tr[data-point="${point}"]`);
  await expect(row).toContainText('beijing.CN');
  await expect(page.getByTestId('usage-points')).toHaveText(String((await (await a.ctx.get('/v1/monitor-points')).json()).length));
  await shot(page, info, 'usage');
  await row.locator('summary').click();
  await row.getByRole('button', { name: '确认删除' }).click();
  await expect(row).toHaveCount(0);
  await a.ctx.dispose();
});
