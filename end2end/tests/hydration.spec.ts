// Before the wasm has loaded, a page must not look usable and then ignore clicks: controls that
// need it look busy and take no clicks, forms that post on their own keep working.
import { test, expect, Page } from '@playwright/test';
import { account, api, newDomain } from './helpers';

/** Holds every wasm download until `release()` is called. */
async function holdWasm(page: Page) {
  let release = () => {};
  const held = new Promise<void>((resolve) => { release = resolve; });
  await page.route('**/pkg/*.wasm', async (route) => { await held; await route.continue(); });
  return () => release();
}

/** pointer-events of the section's controls, split by whether a plain form post carries them. */
const controls = (page: Page, section: string) => page.evaluate((s) => {
  const all = [...document.querySelectorAll(`${s} :is(button, select, input, textarea, summary)`)]
    .filter((e) => (e as HTMLInputElement).type !== 'hidden');
  const state = (e: Element) => getComputedStyle(e).pointerEvents;
  return {
    needWasm: all.filter((e) => !e.closest('form[action]')).map(state),
    postOnTheirOwn: all.filter((e) => e.closest('form[action]')).map(state),
    cue: getComputedStyle(document.querySelector(s)!, '::before').content,
  };
}, section);

test('the login form posts before the wasm has loaded; other controls wait for it', async ({ page, baseURL }) => {
  const a = await api(baseURL);
  const domain = await newDomain(a, 'hydrate');
  await a.ctx.dispose();
  const release = await holdWasm(page);

  await page.goto('/login');
  await expect(page.locator('section.login')).toHaveAttribute('data-ready', 'false');
  const login = await controls(page, 'section.login');
  expect(login.postOnTheirOwn.length).toBeGreaterThan(0);
  expect(new Set(login.postOnTheirOwn)).toEqual(new Set(['auto']));
  await page.getByLabel('用户名').fill(account.username);
  await page.getByLabel('密码').fill(account.password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('section.domains')).toHaveAttribute('data-ready', 'false');

  await page.goto(`/domains/${domain}`);
  const section = page.locator('section.domain');
  await expect(section).toHaveAttribute('data-ready', 'false');
  const before = await controls(page, 'section.domain');
  expect(before.needWasm.length, 'the domain page has controls that need the wasm').toBeGreaterThan(0);
  expect(new Set(before.needWasm)).toEqual(new Set(['none']));
  expect(before.cue, 'a loading line shows').toBe('""');

  release();
  await expect(section).toHaveAttribute('data-ready', 'true');
  const after = await controls(page, 'section.domain');
  expect(new Set(after.needWasm)).toEqual(new Set(['auto']));
  expect(after.cue).toBe('none');
});
