// Never damage live DNS by surprise: the recommendation shows its diff against the enabled
// version and asks; versions say how they were made, by whom, with their note; enabling a draft
// that leaves groups unanswered asks, one that answers nobody is refused; deleting a rule asks
// what becomes of its items, and undo brings it back.
import { test, expect, Page } from '@playwright/test';
import { api, logIn, newDomain, shot } from './helpers';

type Api = Awaited<ReturnType<typeof api>>;

// TEST-NET addresses: never probed (only loopback is), so they count as up.
const BEIJING = { endpoint: '192.0.2.1', area: 'beijing.CN', isp: 'ct' };
const SICHUAN = { endpoint: '198.51.100.1', area: 'sichuan.CN', isp: 'cm' };

async function domainWith(a: Api, prefix: string) {
  const d = await newDomain(a, prefix);
  const r = await a.ctx.post('/v1/endpoints', { data: [BEIJING, SICHUAN].map((e) => ({ domain: d, ...e })), headers: a.csrf });
  expect(r.ok(), await r.text()).toBeTruthy();
  return d;
}

async function versions(a: Api, d: string): Promise<{ version: number; source: string; note: string; enabled: boolean }[]> {
  const r = await a.ctx.get(`/v1/domains/${d}/strategy/versions`);
  expect(r.ok()).toBeTruthy();
  return r.json();
}

const rule = (page: Page, name: string) => page.locator(`.node.rule[data-node="${name}"]`);
const leaf = (page: Page, value: string) => page.locator(`.node.leaf[data-node="${value}"]`);

async function openEditor(page: Page, d: string) {
  await page.goto(`/domains/${d}/strategy`);
  await expect(page.locator('section.strategy-editor')).toHaveAttribute('data-ready', 'true');
}

async function newRoot(page: Page, kind: string): Promise<string> {
  await page.locator('#add-root').click();
  await page.locator('#rule-kind').selectOption(kind);
  return (await page.locator('.rule-panel').getAttribute('data-rule')) ?? '';
}

test('the recommendation shows its diff and asks; versions say how they were made', async ({ page, baseURL }, info) => {
  const a = await api(baseURL);
  const d = await domainWith(a, 'rec');
  // A hand-made primary/backup strategy, enabled through the API with a note.
  const body = { [d]: { strategy: { start: 'pb', rules: [{ type: 'priority', area: 'none.CN', isp: 'other', name: 'pb', enable: true,
    items: [{ reference: BEIJING.endpoint, weight: 0, priority: 1, usersets: '' }, { reference: SICHUAN.endpoint, weight: 0, priority: 2, usersets: '' }] }] },
  endpointsConf: [] } };
  const r = await a.ctx.post('/v1/strategys/update-or-create?note=hand-made', { data: body, headers: a.csrf });
  expect(r.ok(), await r.text()).toBeTruthy();

  await logIn(page);
  await page.goto(`/domains/${d}/results`);
  await page.locator('#recommend summary').click();
  // Geo proximity moves every group nearer Sichuan away from the primary: the diff lists them.
  const diff = page.locator('#recommend-diff');
  await expect(diff).toBeVisible();
  expect(Number(await diff.getAttribute('data-count'))).toBeGreaterThan(0);
  await expect(page.locator('#recommend table.compare-table tbody tr').first()).toBeVisible();
  await expect(diff).toContainText('版本 1');
  await shot(page, info, 'recommend-confirm');
  // Looking is not enabling.
  await page.locator('#recommend summary').click();
  expect((await versions(a, d)).length).toBe(1);

  await page.locator('#recommend summary').click();
  await page.locator('#recommend-note').fill('from the map');
  await page.locator('#recommend-confirm').click();
  await expect.poll(async () => (await versions(a, d)).map((v) => [v.version, v.source, v.note, v.enabled]))
    .toEqual([[2, 'recommend', 'from the map', true], [1, 'api', 'hand-made', false]]);
  await expect(page.locator('p.version')).toContainText('2');

  // The editor's versions list says who made each, how, and their note.
  await openEditor(page, d);
  await page.locator('#versions summary').click();
  await expect(page.locator('#versions li[data-version="2"] .source')).toHaveAttribute('data-source', 'recommend');
  await expect(page.locator('#versions li[data-version="2"] .note')).toHaveText('from the map');
  await expect(page.locator('#versions li[data-version="1"] .source')).toHaveText('API');
  await a.ctx.dispose();
});

test('enabling asks about unanswered groups, refuses a strategy answering nobody, and rule deletion asks and undoes', async ({ page, baseURL }, info) => {
  const a = await api(baseURL);
  const d = await domainWith(a, 'ask');
  await logIn(page);
  await openEditor(page, d);

  // A mapping rule whose one item serves mobile users only: the other groups get no answer.
  const root = await newRoot(page, 'usersetMapping');
  await page.locator('#connect-endpoint').selectOption(SICHUAN.endpoint);
  await page.locator('#connect-endpoint-button').click();
  await leaf(page, SICHUAN.endpoint).locator('.node-body').click();
  await page.locator('.leaf-panel button[data-col="cm"]').click();
  await expect(page.locator('.leaf-panel .item-usersets')).toHaveValue('*/cm');
  await page.locator('#enable').click();
  const ask = page.locator('#confirm-enable');
  await expect(ask).toBeVisible();
  expect(Number(await page.locator('#confirm-enable-text').getAttribute('data-groups'))).toBeGreaterThan(0);
  await expect(page.locator('#confirm-enable-text')).toContainText('个用户组没有 A 应答');
  await shot(page, info, 'confirm-enable');
  await page.locator('#confirm-enable-no').click();
  await expect(ask).toHaveCount(0);
  expect(await versions(a, d)).toEqual([]);
  await page.locator('#enable').click();
  await page.locator('#version-note').fill('mobile first');
  await page.locator('#confirm-enable-yes').click();
  await expect(page.locator('[data-testid="notice"]')).toContainText('版本 1');
  await expect.poll(async () => (await versions(a, d)).map((v) => [v.source, v.note])).toEqual([['editor', 'mobile first']]);

  // A sub-rule as the default item, with Beijing: every group is answered again.
  await rule(page, root).locator('.plus').click();
  await page.locator('#new-rule-kind').selectOption('wrr');
  await page.locator('#add-rule').click();
  const sub = (await page.locator('.rule-panel').getAttribute('data-rule')) ?? '';
  await page.locator('#connect-endpoint').selectOption(BEIJING.endpoint);
  await page.locator('#connect-endpoint-button').click();

  // The sub-rule switched off and Sichuan disabled, the draft answers nobody: refused here
  // (and by the server).
  await rule(page, sub).locator('.node-body').click();
  await page.locator('#rule-enable').uncheck();
  await leaf(page, SICHUAN.endpoint).locator('.node-body').click();
  await page.locator('#endpoint-enable').uncheck();
  await page.locator('#enable').click();
  await expect(page.locator('[data-testid="notice"]')).toContainText('不应答任何用户组');
  await expect(page.locator('#confirm-enable')).toHaveCount(0);
  expect((await versions(a, d)).length).toBe(1);
  await page.locator('#endpoint-enable').check();
  await rule(page, sub).locator('.node-body').click();
  await page.locator('#rule-enable').check();

  // Deleting a rule with items asks: move them to the parent, or delete them too; undo restores.
  await rule(page, sub).locator('.node-body').click();
  await page.locator('#delete-rule').click();
  await expect(page.locator('#delete-rule-choice')).toBeVisible();
  await page.locator('#delete-rule-reattach').click();
  await expect(rule(page, sub)).toHaveCount(0);
  await expect(leaf(page, BEIJING.endpoint)).toBeVisible();
  await expect(page.locator('[data-testid="notice"]')).toContainText('撤销');
  await page.locator('#undo').click();
  await expect(rule(page, sub)).toBeVisible();

  // The start rule has no parent to take its items: only "delete them too".
  await rule(page, root).locator('.node-body').click();
  await page.locator('#delete-rule').click();
  await expect(page.locator('#delete-rule-reattach')).toBeDisabled();
  await expect(page.locator('#delete-rule-subtree')).toContainText('1');
  await page.locator('#delete-rule-subtree').click();
  await expect(page.locator('.node.rule')).toHaveCount(0);
  await page.locator('#undo').click();
  await expect(rule(page, root)).toBeVisible();
  await expect(rule(page, sub)).toBeVisible();
  await a.ctx.dispose();
});
