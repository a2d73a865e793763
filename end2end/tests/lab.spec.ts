// The strategy lab in real Chromium shows, for several user groups, exactly what
// `itm strategy preview` prints for the same strategy, what-if failures and family included.
import { test, expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const itm = process.env.ITM_BIN ?? path.resolve(__dirname, '../../target/release/itm');
const fixture = path.resolve(__dirname, '../fixtures/mixed-strategy.json');
const groups = ['beijing.CN/ct', 'hebei.CN/cm', 'jiangsu.CN/cu', 'guangxi.CN/ct', 'none.abroad/other'];

type GroupPreview = { healthy: boolean; dist: Record<string, number> };

function cliPreview(args: string[]): Record<string, GroupPreview> {
  const out = execFileSync(itm, ['strategy', 'preview', fixture, ...args], { encoding: 'utf8' });
  return JSON.parse(out).groups;
}

async function shownPreview(page: Page, group: string): Promise<GroupPreview | null> {
  const raw = await page.locator(`td[data-group="${group}"]`).getAttribute('data-preview');
  return raw ? JSON.parse(raw) : null;
}

async function expectSameAsCli(page: Page, args: string[]) {
  const expected = cliPreview(args);
  expect(Object.keys(expected)).toHaveLength(165);
  await expect(page.locator('td[data-group]')).toHaveCount(165);
  for (const group of groups) {
    await expect.poll(() => shownPreview(page, group), { message: group }).toEqual(expected[group]);
  }
}

test('the lab previews in the browser exactly what the CLI prints', async ({ page }) => {
  await page.goto('/lab');
  await expect(page.locator('section.lab')).toHaveAttribute('data-ready', 'true');
  await page.locator('#strategy-json').fill(readFileSync(fixture, 'utf8'));
  await expect(page.locator('#messages .error')).toHaveCount(0);
  await expectSameAsCli(page, []);

  await page.locator('input[data-endpoint="10.0.0.2"]').check();
  await page.locator('input[data-endpoint="10.1.0.1"]').check();
  await expectSameAsCli(page, ['--down', '10.0.0.2', '--down', '10.1.0.1']);

  await page.selectOption('#family', 'AAAA');
  await expectSameAsCli(page, ['--down', '10.0.0.2', '--down', '10.1.0.1', '--family', 'AAAA']);
  await page.screenshot({ path: 'test-results/lab.png', fullPage: true });
});

test('an invalid strategy shows the message naming the culprit', async ({ page }) => {
  await page.goto('/lab');
  await expect(page.locator('section.lab')).toHaveAttribute('data-ready', 'true');
  const broken = readFileSync(fixture, 'utf8').replace('"reference": "10.3.0.1"', '"reference": "10.9.9.9"');
  await page.locator('#strategy-json').fill(broken);
  await expect(page.locator('#messages .error')).toContainText('rule "nearest" item 3 (reference "10.9.9.9")');
  await expect(page.locator('td[data-group]')).toHaveCount(0);
});

test('before hydration the page says the preview needs JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/lab');
  await expect(page.locator('#needs-js')).toBeVisible();
  await expect(page.locator('#strategy-json')).toBeVisible();
  await expect(page.locator('#preview')).toHaveCount(0);
  await context.close();
});

test('an unknown page is a 404', async ({ request }) => {
  const response = await request.get('/no-such-page');
  expect(response.status()).toBe(404);
});
