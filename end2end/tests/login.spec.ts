// Console login in real Chromium: a main account at /login, a sub-user at its account's link,
// a refusal that does not say which part was wrong, and logout.
import { test, expect, Page, request } from '@playwright/test';

type Account = { accountId: number; username: string; password: string };
const account: Account = JSON.parse(process.env.ITM_E2E_ACCOUNT ?? '{}');

async function logIn(page: Page, path: string, username: string, password: string) {
  await page.goto(path);
  await expect(page.locator('section.login')).toHaveAttribute('data-ready', 'true');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
}

test('a wrong password is refused without saying which part was wrong', async ({ page }) => {
  await logIn(page, '/login', account.username, 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('用户名或密码错误');
  await logIn(page, '/login', 'nobody-by-that-name', 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('用户名或密码错误');
  await expect(page.getByTestId('who')).toHaveCount(0);
});

test('the main account logs in and out', async ({ page }) => {
  await logIn(page, '/login', account.username, account.password);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('who')).toContainText(`${account.username} · 主账号 ${account.accountId}`);
  // The server renders who is logged in (the HTML before any wasm runs).
  const html = await (await page.request.get('/lab')).text();
  expect(html).toContain(`${account.username} · 主账号 ${account.accountId}`);
  await page.screenshot({ path: test.info().outputPath('logged-in.png') });
  await page.getByRole('button', { name: '退出' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByTestId('who')).toHaveCount(0);
  // The session is gone on the server too: a reload is still logged out.
  await page.reload();
  await expect(page.getByRole('link', { name: '登录' })).toBeVisible();
});

test('a sub-user logs in at its account link, and only there', async ({ page, baseURL }) => {
  const api = await request.newContext({ baseURL });
  const session = await api.post('/v1/session', { data: { username: account.username, password: account.password } });
  expect(session.ok()).toBeTruthy();
  const { csrfToken } = await session.json();
  const name = `ops${Date.now()}`;
  const created = await api.post('/v1/users', { data: { username: name }, headers: { 'X-CSRF-Token': csrfToken } });
  expect(created.ok()).toBeTruthy();
  const { password, loginLink } = await created.json();
  const link = new URL(loginLink, baseURL).pathname;
  expect(link).toBe(`/login/${account.accountId}`);

  await logIn(page, '/login', name, password);
  await expect(page.getByRole('alert')).toBeVisible();
  await logIn(page, link, name, password);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('who')).toContainText(`${name} · 子用户 ${account.accountId}`);
  await api.dispose();
});

test('a page that needs a session sends a stranger to the login form, and the login comes back to it', async ({ page, baseURL }) => {
  // The server answers before rendering anything of the page.
  const plain = await page.request.get('/domains/anything.example.com/monitor?x=1', { maxRedirects: 0 });
  expect(plain.status()).toBe(303);
  expect(plain.headers()['location']).toBe('/login?next=%2Fdomains%2Fanything.example.com%2Fmonitor%3Fx%3D1');
  expect((await page.request.get('/', { maxRedirects: 0 })).headers()['location']).toBe('/login?next=%2F');
  // Open to anyone: the login form, the lab, files, the not-found page.
  for (const open of ['/login', '/lab', '/map/china-provinces.svg']) {
    expect((await page.request.get(open, { maxRedirects: 0 })).status(), open).toBe(200);
  }
  expect((await page.request.get('/no/such/page', { maxRedirects: 0 })).status()).toBe(404);

  await page.goto('/iam');
  await expect(page).toHaveURL(/\/login\?next=%2Fiam$/);
  await logIn(page, page.url().replace(baseURL ?? '', ''), account.username, account.password);
  await expect(page).toHaveURL(/\/iam$/);
  await expect(page.locator('section.iam')).toHaveAttribute('data-ready', 'true');

  // A session that ends while a page is open: the next page goes to the login form.
  const ended = await page.request.delete('/v1/session', { headers: { Origin: baseURL ?? '' } });
  expect(ended.ok(), await ended.text()).toBeTruthy();
  // The page itself goes (no document is asked for: the server's 303 is not what moved it),
  // replacing the page that left in the history.
  const documents: string[] = [];
  page.on('request', (r) => { if (r.resourceType() === 'document') documents.push(r.url()); });
  await page.locator('nav').getByRole('link', { name: '通知' }).click();
  await expect(page).toHaveURL(/\/login\?next=%2Fnotifications$/);
  expect(documents).toEqual([]);
  // Back skips the page that left; the one before needs a session too.
  await page.goBack();
  await expect(page).toHaveURL(/\/login\?next=%2Fiam$/);
});

test('after login the browser only goes to a path of this console', async ({ page, baseURL }) => {
  await logIn(page, '/login?next=//evil.example/', account.username, account.password);
  await expect(page).toHaveURL(`${baseURL}/`);
  // Posted by hand, past the form: the server refuses to follow it too.
  await page.context().clearCookies();
  const posted = await page.request.post('/api/login', {
    form: { username: account.username, password: account.password, next: '/\\evil.example' },
    headers: { Origin: baseURL ?? '', Accept: 'text/html' },
    maxRedirects: 0,
  });
  expect(posted.status()).toBe(302);
  expect(posted.headers()['location']).toBe('/');
});
