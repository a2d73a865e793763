// What the console specs share: the account made by playwright.config.ts, logging in through
// the form, an API session for setting things up, and a screenshot per page.
import { expect, Page, APIRequestContext, request, TestInfo } from '@playwright/test';
import http from 'node:http';
import { AddressInfo } from 'node:net';

export type Account = { accountId: number; username: string; password: string };
export const account: Account = JSON.parse(process.env.ITM_E2E_ACCOUNT ?? '{}');

export async function logIn(page: Page, username = account.username, password = account.password, path = '/login') {
  await page.goto(path);
  await expect(page.locator('section.login')).toHaveAttribute('data-ready', 'true');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('section.domains')).toHaveAttribute('data-ready', 'true');
}

/** An API client logged in as the main account (session cookie + CSRF header). */
export async function api(baseURL: string | undefined): Promise<{ ctx: APIRequestContext; csrf: Record<string, string> }> {
  const ctx = await request.newContext({ baseURL });
  const session = await ctx.post('/v1/session', { data: { username: account.username, password: account.password } });
  expect(session.ok()).toBeTruthy();
  const { csrfToken } = await session.json();
  return { ctx, csrf: { 'X-CSRF-Token': csrfToken } };
}

/** Creates an ITM domain through the API; returns its listed name. */
export async function newDomain(a: { ctx: APIRequestContext; csrf: Record<string, string> }, prefix: string): Promise<string> {
  const name = `${prefix}${Date.now()}${Math.floor(Math.random() * 1000)}.example.com`;
  const r = await a.ctx.post('/v1/domains', { data: [{ domain: name, isItmDomain: true }], headers: a.csrf });
  expect(r.ok(), await r.text()).toBeTruthy();
  return `${name}.${account.accountId}`;
}

export async function shot(page: Page, info: TestInfo, name: string) {
  await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
}

export const dnsPort = Number(process.env.ITM_E2E_DNS_PORT ?? 3198);

/** A local HTTP target on loopback that answers 200 to everything and keeps the bodies posted
 * to `path` (to any path when none is given): a webhook receiver and a probe target at once. */
export async function hookReceiver(path?: string): Promise<{ hooks: string[]; port: number; close: () => void }> {
  const hooks: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      if (path === undefined || req.url === path) hooks.push(body);
      res.writeHead(200);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { hooks, port: (server.address() as AddressInfo).port, close: () => server.close() };
}
