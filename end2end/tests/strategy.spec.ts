// The strategy editor in real Chromium: the seed's four scenarios built by dragging and clicking
// only, enabled, read back through the API and answered by DNS; the browser's preview, what-if
// and N-1 sweep against `itm strategy preview`; undo, cycles, drafts and versions; and the
// timings of the closing note (printed, not asserted: machines are noisy).
import { test, expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { api, dnsPort, logIn, newDomain, shot } from './helpers';

const itm = process.env.ITM_BIN ?? path.resolve(__dirname, '../../target/release/itm');

type Api = Awaited<ReturnType<typeof api>>;
type EndpointConf = { type: string; value: string; area: string; isp: string };
type GroupPreview = { healthy: boolean; dist: Record<string, number> };

// TEST-NET addresses: never probed (only loopback is), so they count as up.
const BEIJING = { endpoint: '192.0.2.1', area: 'beijing.CN', isp: 'ct' };
const SICHUAN = { endpoint: '198.51.100.1', area: 'sichuan.CN', isp: 'cm' };
const GUANGDONG = { endpoint: '203.0.113.1', area: 'guangdong.CN', isp: 'cu' };
// Client subnets the IP database places: Beijing Telecom, Beijing Mobile (铁通), Sichuan.
const FROM_BEIJING_CT = '220.181.38.0/24';
const FROM_BEIJING_CM = '36.192.0.0/24';
const FROM_SICHUAN = '61.139.0.0/24';

/** What DNS answers for the name ITM generated for domain `d` (its CNAME target). */
function dig(d: string, subnet?: string): string[] {
  const args = ['@127.0.0.1', '-p', String(dnsPort), `${d}.itm.localhost`, 'A', '+short', '+time=2', '+tries=1'];
  if (subnet) args.push(`+subnet=${subnet}`);
  return execFileSync('dig', args, { encoding: 'utf8' }).split('\n').filter((l) => l.trim() !== '');
}

async function domainWith(a: Api, prefix: string, endpoints: { endpoint: string; area: string; isp: string; type?: string }[]) {
  const d = await newDomain(a, prefix);
  const r = await a.ctx.post('/v1/endpoints', { data: endpoints.map((e) => ({ domain: d, ...e })), headers: a.csrf });
  expect(r.ok(), await r.text()).toBeTruthy();
  return d;
}

async function openEditor(page: Page, d: string) {
  await page.goto(`/domains/${d}/strategy`);
  await expect(page.locator('section.strategy-editor')).toHaveAttribute('data-ready', 'true');
}

const rule = (page: Page, name: string) => page.locator(`.node.rule[data-node="${name}"]`);
const leaf = (page: Page, value: string) => page.locator(`.node.leaf[data-node="${value}"]`);

async function dragEndpoint(page: Page, value: string, to: string) {
  await page.locator(`li.endpoint-chip[data-endpoint="${value}"]`).dragTo(rule(page, to));
  await expect(leaf(page, value).first()).toBeVisible();
}

/** A new root rule of `kind`, selected; returns its name. */
async function newRoot(page: Page, kind: string): Promise<string> {
  await page.locator('#add-root').click();
  await page.locator('#rule-kind').selectOption(kind);
  return (await page.locator('.rule-panel').getAttribute('data-rule')) ?? '';
}

async function setItemNumber(page: Page, value: string, field: 'weight' | 'priority', n: number) {
  await leaf(page, value).locator('.node-body').click();
  const input = page.locator(`.leaf-panel .item-${field}`);
  await input.fill(String(n));
  await input.press('Enter');
  await expect(leaf(page, value)).toBeVisible();
}

async function enable(page: Page) {
  await expect(page.locator('#problems li.error')).toHaveCount(0);
  await page.locator('#enable').click();
  await expect(page.locator('[data-testid="notice"]')).toContainText(/版本|version/);
  await expect(page.locator('#dirty')).toHaveAttribute('data-dirty', 'false');
}

async function enabledStrategy(a: Api, d: string) {
  const r = await a.ctx.get(`/v1/domains/${d}/strategy`);
  expect(r.ok()).toBeTruthy();
  return (await r.json()).strategy;
}

const item = (reference: string, weight: number, priority: number, usersets = '') => ({ reference, weight, priority, usersets });

test.describe('the seed scenarios, by dragging and clicking', () => {
  test.beforeEach(async ({ page }) => logIn(page));

  test('主备IP容灾: priority, the primary answers', async ({ page, baseURL }, info) => {
    const a = await api(baseURL);
    const d = await domainWith(a, 'prio', [BEIJING, SICHUAN]);
    await openEditor(page, d);
    const root = await newRoot(page, 'priority');
    await dragEndpoint(page, SICHUAN.endpoint, root);
    await dragEndpoint(page, BEIJING.endpoint, root);
    // Dragged in the other order: make Beijing the primary (1) and Sichuan the backup (2).
    await setItemNumber(page, BEIJING.endpoint, 'priority', 1);
    await setItemNumber(page, SICHUAN.endpoint, 'priority', 2);
    await shot(page, info, 'priority-editor');
    await enable(page);
    expect(await enabledStrategy(a, d)).toEqual({
      start: root,
      rules: [{ type: 'priority', area: 'none.CN', isp: 'other', name: root, enable: true,
        items: [item(SICHUAN.endpoint, 1, 2), item(BEIJING.endpoint, 1, 1)] }],
    });
    await expect.poll(() => dig(d)).toEqual([BEIJING.endpoint]);
    expect(dig(d, FROM_SICHUAN)).toEqual([BEIJING.endpoint]);
  });

  test('多活IP+负载均衡: weighted round robin over both', async ({ page, baseURL }) => {
    const a = await api(baseURL);
    const d = await domainWith(a, 'wrr', [BEIJING, GUANGDONG]);
    await openEditor(page, d);
    const root = await newRoot(page, 'wrr');
    await dragEndpoint(page, BEIJING.endpoint, root);
    await dragEndpoint(page, GUANGDONG.endpoint, root);
    await setItemNumber(page, BEIJING.endpoint, 'weight', 3);
    await enable(page);
    expect(await enabledStrategy(a, d)).toEqual({
      start: root,
      rules: [{ type: 'wrr', area: 'none.CN', isp: 'other', name: root, enable: true,
        items: [item(BEIJING.endpoint, 3, 1), item(GUANGDONG.endpoint, 1, 2)] }],
    });
    // The browser's preview said 75 % / 25 %; DNS answers both, and only those.
    const seen = new Set<string>();
    await expect.poll(() => {
      for (const answer of dig(d)) seen.add(answer);
      return [...seen].sort();
    }, { timeout: 20_000 }).toEqual([BEIJING.endpoint, GUANGDONG.endpoint].sort());
  });

  test('就近接入+自动容错: geo-proximity answers each province with its nearest', async ({ page, baseURL }) => {
    const a = await api(baseURL);
    const d = await domainWith(a, 'geo', [BEIJING, SICHUAN, GUANGDONG]);
    await openEditor(page, d);
    const root = await newRoot(page, 'geoProximity');
    for (const e of [BEIJING, SICHUAN, GUANGDONG]) await dragEndpoint(page, e.endpoint, root);
    // The preview, before enabling: Beijing's users go to Beijing; with it down, elsewhere.
    const beijing = page.locator('td[data-group="beijing.CN/ct"]');
    await expect.poll(async () => JSON.parse((await beijing.getAttribute('data-preview')) ?? 'null'))
      .toEqual({ healthy: true, dist: { [BEIJING.endpoint]: 1 } });
    await page.locator(`#what-if input[data-endpoint="${BEIJING.endpoint}"]`).check();
    await expect.poll(async () => Object.keys(JSON.parse((await beijing.getAttribute('data-preview')) ?? '{}').dist ?? {}))
      .not.toContain(BEIJING.endpoint);
    await page.locator('#down-clear').click();
    await enable(page);
    expect((await enabledStrategy(a, d)).rules[0].items.map((i: { reference: string }) => i.reference))
      .toEqual([BEIJING.endpoint, SICHUAN.endpoint, GUANGDONG.endpoint]);
    await expect.poll(() => dig(d, FROM_BEIJING_CT)).toEqual([BEIJING.endpoint]);
    expect(dig(d, FROM_SICHUAN)).toEqual([SICHUAN.endpoint]);
  });

  test('智能解析: user-group mapping, mobile users to their own address', async ({ page, baseURL }, info) => {
    const a = await api(baseURL);
    const d = await domainWith(a, 'map', [BEIJING, SICHUAN]);
    await openEditor(page, d);
    const root = await newRoot(page, 'usersetMapping');
    await dragEndpoint(page, BEIJING.endpoint, root);
    await dragEndpoint(page, SICHUAN.endpoint, root);
    // Beijing's item stays the default group; Sichuan's gets every mobile (cm) group.
    await leaf(page, SICHUAN.endpoint).locator('.node-body').click();
    await page.locator('.leaf-panel button[data-col="cm"]').click();
    await expect(page.locator('.leaf-panel .item-usersets')).toHaveValue('*/cm');
    await expect(page.locator('.leaf-panel input[data-cell="hebei.CN/cm"]')).toBeChecked();
    await shot(page, info, 'mapping-picker');
    await enable(page);
    expect(await enabledStrategy(a, d)).toEqual({
      start: root,
      rules: [{ type: 'usersetMapping', area: 'none.CN', isp: 'other', name: root, enable: true,
        items: [item(BEIJING.endpoint, 1, 1), item(SICHUAN.endpoint, 1, 2, '*/cm')] }],
    });
    await expect.poll(() => dig(d, FROM_BEIJING_CM)).toEqual([SICHUAN.endpoint]);
    expect(dig(d, FROM_BEIJING_CT)).toEqual([BEIJING.endpoint]);
  });
});

test('nested rules by keyboard, a refused cycle, moving, undo and redo, drafts, versions and leaving', async ({ page, baseURL }, info) => {
  await logIn(page);
  const a = await api(baseURL);
  const d = await domainWith(a, 'nest', [BEIJING, SICHUAN, GUANGDONG]);
  await openEditor(page, d);
  const root = await newRoot(page, 'geoProximity');
  // "+" → A. a new rule, twice; C. an endpoint, by the keyboard-reachable selects.
  await rule(page, root).locator('.plus').click();
  await expect(page.locator('#new-rule-kind')).toBeFocused();
  await page.locator('#new-rule-kind').selectOption('wrr');
  await page.locator('#add-rule').click();
  const north = (await page.locator('.rule-panel').getAttribute('data-rule')) ?? '';
  await page.locator('#rule-area').selectOption('beijing.CN');
  await expect(rule(page, north)).toHaveClass(/has-warning/); // no items yet
  await page.locator('#connect-endpoint').selectOption(BEIJING.endpoint);
  await page.locator('#connect-endpoint-button').click();
  // Live validation marks the node at fault: a wrr rule whose only weight is 0.
  await setItemNumber(page, BEIJING.endpoint, 'weight', 0);
  await expect(rule(page, north)).toHaveClass(/has-error/);
  await expect(page.locator('#enable')).toBeDisabled();
  await setItemNumber(page, BEIJING.endpoint, 'weight', 1);
  await expect(rule(page, north)).not.toHaveClass(/has-error/);
  // Text that is not a whole number in range is not applied: the field keeps it and says why
  // beside it, the draft keeps weight 1; a good number clears the message.
  const weight = page.locator('.leaf-panel .item-weight');
  const refused = page.locator('.leaf-panel .field-error[data-field="weight"]');
  for (const [text, why] of [['2.5', /整数/], ['1e9', /整数/], ['', /整数/], ['100001', /100000/]] as const) {
    await weight.fill(text);
    await weight.press('Enter');
    await expect(refused).toContainText(why);
    await expect(weight).toHaveValue(text);
    await expect(weight).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('svg.edges .edge-label')).toContainText(['w1']);
  }
  await weight.fill('2');
  await weight.press('Enter');
  await expect(refused).toHaveCount(0);
  await expect(page.locator('svg.edges .edge-label')).toContainText(['w2']);
  await setItemNumber(page, BEIJING.endpoint, 'weight', 1);
  await rule(page, root).locator('.plus').click();
  await page.locator('#add-rule').click();
  const south = (await page.locator('.rule-panel').getAttribute('data-rule')) ?? '';
  await page.locator('#rule-area').selectOption('guangdong.CN');
  await dragEndpoint(page, GUANGDONG.endpoint, south);
  await dragEndpoint(page, SICHUAN.endpoint, south);
  // B. connecting the root under a child would be a cycle: refused, nothing changes.
  await rule(page, north).locator('.node-body').click();
  await page.locator('#connect-rule').selectOption(root);
  await page.locator('#connect-rule-button').click();
  await expect(page.locator('[data-testid="notice"]')).toContainText('会形成环');
  // Re-parent Sichuan from south to north by dragging its node.
  await leaf(page, SICHUAN.endpoint).dragTo(rule(page, north));
  await expect(page.locator(`.node.leaf[data-node="${SICHUAN.endpoint}"]`)).toHaveCount(1);
  const parentOf = (value: string) => page.locator(`.node.leaf[data-node="${value}"]`).evaluate((n) => n.getAttribute('style'));
  const moved = await parentOf(SICHUAN.endpoint);
  // Undo the move (Ctrl+Z) and redo it (Ctrl+Y); the buttons do the same.
  await page.locator('#undo').focus();
  await page.keyboard.press('Control+z');
  await expect.poll(() => parentOf(SICHUAN.endpoint)).not.toEqual(moved);
  await page.keyboard.press('Control+y');
  await expect.poll(() => parentOf(SICHUAN.endpoint)).toEqual(moved);
  await page.locator('#undo').click();
  await expect.poll(() => parentOf(SICHUAN.endpoint)).not.toEqual(moved);
  await page.locator('#redo').click();
  await expect.poll(() => parentOf(SICHUAN.endpoint)).toEqual(moved);
  await shot(page, info, 'nested');

  // Nothing enabled yet: the diff says so. Enabled, the diff against it is empty.
  await expect(page.locator('#diff-count')).toHaveAttribute('data-count', 'all');
  await enable(page);
  const enabled = await enabledStrategy(a, d);
  expect(enabled.start).toBe(root);
  expect(enabled.rules.map((r: { name: string; type: string; area: string }) => [r.name, r.type, r.area])).toEqual([
    [root, 'geoProximity', 'none.CN'], [north, 'wrr', 'beijing.CN'], [south, 'wrr', 'guangdong.CN']]);
  expect(enabled.rules[1].items.map((i: { reference: string }) => i.reference)).toEqual([BEIJING.endpoint, SICHUAN.endpoint]);
  expect(enabled.rules[2].items.map((i: { reference: string }) => i.reference)).toEqual([GUANGDONG.endpoint]);
  await expect(page.locator('#diff-count')).toHaveAttribute('data-count', '0');

  // A change shows in the diff before enabling; saving the draft keeps it across a reload.
  await rule(page, north).locator('.node-body').click();
  await page.locator('#rule-enable').uncheck();
  await expect(page.locator('#diff-count')).not.toHaveAttribute('data-count', '0');
  await expect(page.locator('#dirty')).toHaveAttribute('data-dirty', 'true');
  // Leaving by a link asks first; dismissing stays.
  page.once('dialog', (dialog) => dialog.dismiss());
  await page.locator('.crumbs a').first().click();
  await expect(page).toHaveURL(new RegExp(`/domains/${d.replace(/\./g, '\\.')}/strategy$`));
  await page.locator('#save-draft').click();
  await expect(page.locator('#dirty')).toHaveAttribute('data-dirty', 'false');
  await page.reload();
  await expect(page.locator('section.strategy-editor')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('[data-testid="draft-origin"]')).toBeVisible();
  await expect(rule(page, north)).toHaveClass(/off/);
  const draft = await (await a.ctx.get(`/v1/domains/${d}/strategy/draft`)).json();
  expect(draft.document.strategy.rules[1].enable).toBe(false);

  // Versions: load version 1 as the draft (the change is undone), enable it as version 2.
  await page.locator('#versions summary').click();
  await page.locator('#versions li[data-version="1"] .load-version').click();
  await expect(rule(page, north)).not.toHaveClass(/off/);
  // The note about the saved draft no longer describes what the editor holds.
  await expect(page.locator('[data-testid="draft-origin"]')).toHaveCount(0);
  await expect(page.locator('#diff-count')).toHaveAttribute('data-count', '0');
  await enable(page);
  const versions = await (await a.ctx.get(`/v1/domains/${d}/strategy/versions`)).json();
  expect(versions.map((v: { version: number; enabled: boolean }) => [v.version, v.enabled])).toEqual([[2, true], [1, false]]);
  expect((await a.ctx.get(`/v1/domains/${d}/strategy/draft`)).status()).toBe(404);

  // Someone else enables another version meanwhile: Enable is refused, not silently undone.
  expect((await a.ctx.post(`/v1/domains/${d}/strategy/versions/1/restore`, { headers: a.csrf })).ok()).toBeTruthy();
  await rule(page, south).locator('.node-body').click();
  await page.locator('#rule-enable').uncheck();
  await page.locator('#enable').click();
  await expect(page.locator('[data-testid="notice"]')).toHaveClass(/error/);
  await expect(page.locator('[data-testid="notice"]')).toContainText('version 3');
  expect((await (await a.ctx.get(`/v1/domains/${d}/strategy/versions`)).json())[0].version).toBe(3);
});

test('a tree is wrapped in a new start rule, with undo, and enabled as built', async ({ page, baseURL }) => {
  await logIn(page);
  const a = await api(baseURL);
  const d = await domainWith(a, 'wrap', [BEIJING, SICHUAN]);
  await openEditor(page, d);
  const root = await newRoot(page, 'priority');
  await dragEndpoint(page, BEIJING.endpoint, root);
  await dragEndpoint(page, SICHUAN.endpoint, root);
  // Connecting a new rule above the start would be a cycle; wrapping puts one there.
  await rule(page, root).locator('.node-body').click();
  await page.locator('#wrap-rule').click();
  const top = (await page.locator('.rule-panel').getAttribute('data-rule')) ?? '';
  expect(top).not.toBe(root);
  await expect(rule(page, top)).toBeVisible();
  await expect(page.locator('#set-start')).toBeDisabled();
  await page.locator('#undo').click();
  await expect(rule(page, top)).toHaveCount(0);
  await page.locator('#redo').click();
  await expect(rule(page, top)).toBeVisible();
  await rule(page, top).locator('.node-body').click();
  await page.locator('#rule-kind').selectOption('priority');
  await enable(page);
  const enabled = await enabledStrategy(a, d);
  expect(enabled.start).toBe(top);
  const byName = Object.fromEntries(enabled.rules.map((r: { name: string }) => [r.name, r]));
  expect(byName[top].type).toBe('priority');
  expect(byName[top].items.map((i: { reference: string }) => i.reference)).toEqual([root]);
  expect(byName[root].items.map((i: { reference: string }) => i.reference)).toEqual([BEIJING.endpoint, SICHUAN.endpoint]);
  await expect.poll(() => dig(d)).toEqual([BEIJING.endpoint]);
});

// ---- The preview against the CLI, for a generated strategy ----

function cli(args: string[]): string {
  return execFileSync(itm, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
}

async function generatedDomain(a: Api, prefix: string, rules: number, endpoints: number) {
  const generated = JSON.parse(cli(['strategy', 'generate', '--rules', String(rules), '--endpoints', String(endpoints)]));
  const confs: EndpointConf[] = generated.endpointsConf;
  const d = await domainWith(a, prefix, confs.map((e) => ({ endpoint: e.value, type: e.type, area: e.area, isp: e.isp })));
  const r = await a.ctx.post('/v1/strategys/update-or-create', { data: { [d]: { strategy: generated.strategy, endpointsConf: confs } }, headers: a.csrf });
  expect(r.ok(), await r.text()).toBeTruthy();
  // The document as the API serves it is what the CLI previews.
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'itm-strategy-')), 'strategy.json');
  writeFileSync(file, await (await a.ctx.get(`/v1/domains/${d}/strategy`)).text());
  return { d, file, confs };
}

function cliPreview(file: string, down: string[], family = 'A'): Record<string, GroupPreview> {
  return JSON.parse(cli(['strategy', 'preview', file, '--family', family, ...down.flatMap((e) => ['--down', e])])).groups;
}

async function shownPreview(page: Page): Promise<Record<string, GroupPreview>> {
  return page.locator('#preview td[data-group]').evaluateAll((cells) =>
    Object.fromEntries(cells.map((c) => [c.getAttribute('data-group'), JSON.parse(c.getAttribute('data-preview') ?? 'null')])));
}

test('a 30-rule, 100-endpoint strategy: preview, what-if and N-1 equal the CLI', async ({ page, baseURL }) => {
  test.setTimeout(180_000);
  await logIn(page);
  const a = await api(baseURL);
  const { d, file, confs } = await generatedDomain(a, 'big', 30, 100);
  await openEditor(page, d);
  await expect(page.locator('#problems li.error')).toHaveCount(0);
  for (const family of ['A', 'AAAA']) {
    await page.locator('#family').selectOption(family);
    await expect.poll(() => shownPreview(page)).toEqual(cliPreview(file, [], family));
  }
  await page.locator('#family').selectOption('A');

  // What-if: three endpoints down, one by one and all under a rule.
  const down = [confs[0].value, confs[5].value, confs[12].value];
  for (const e of down) await page.locator(`#what-if input[data-endpoint="${e}"]`).check();
  await expect.poll(() => shownPreview(page)).toEqual(cliPreview(file, down));
  await page.locator('#down-clear').click();

  // N-1: each endpoint's lost and moved groups, from the CLI's --down output.
  const areaOf = Object.fromEntries(confs.map((e) => [e.value, e.area]));
  const served = (g: GroupPreview) => g.healthy && Object.keys(g.dist).length > 0;
  const areas = (g: GroupPreview) => new Set(Object.keys(g.dist).map((v) => areaOf[v]));
  const expectedImpact = (endpoint: string) => {
    const lost: string[] = [];
    const moved: string[] = [];
    for (const family of ['A', 'AAAA']) {
      const before = cliPreview(file, [], family);
      const after = cliPreview(file, [endpoint], family);
      for (const [group, b] of Object.entries(before)) {
        if (!served(b)) continue;
        if (!served(after[group])) lost.push(`${family} ${group}`);
        else if ([...areas(after[group])].some((x) => !areas(b).has(x))) moved.push(`${family} ${group}`);
      }
    }
    return { lost, moved };
  };
  await page.locator('#n1-toggle').click();
  await expect(page.locator('table.n1 tbody tr')).toHaveCount(confs.length);
  for (const e of [confs[0].value, confs[3].value, confs[9].value, confs[40].value, confs[77].value]) {
    const shown = JSON.parse((await page.locator(`table.n1 tr[data-endpoint="${e}"]`).getAttribute('data-impact')) ?? '{}');
    expect(shown, e).toEqual(expectedImpact(e));
  }
  console.log(`N-1 sweep, 30 rules / 100 endpoints: ${await page.locator('#n1-timing').getAttribute('data-ms')} ms`);
});

test('timings: full preview and N-1 for 50 rules / 200 endpoints, and frames while dragging', async ({ page, baseURL }) => {
  test.setTimeout(180_000);
  await logIn(page);
  const a = await api(baseURL);
  const { d, confs } = await generatedDomain(a, 'perf', 50, 200);
  await openEditor(page, d);
  await expect(page.locator('td[data-group]')).toHaveCount(165);
  // Each what-if toggle recomputes both families' 165 groups.
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const box = page.locator(`#what-if input[data-endpoint="${confs[i * 7].value}"]`);
    await box.check();
    await expect(page.locator('#timing')).not.toHaveAttribute('data-ms', '0');
    times.push(Number(await page.locator('#timing').getAttribute('data-ms')));
    await box.uncheck();
  }
  times.sort((x, y) => x - y);
  console.log(`full preview (165 groups x 2 families), 50 rules / 200 endpoints: median ${times[7].toFixed(2)} ms, max ${times[14].toFixed(2)} ms`);
  await page.locator('#n1-toggle').click();
  await expect(page.locator('table.n1 tbody tr')).toHaveCount(confs.length);
  console.log(`N-1 sweep, 50 rules / 200 endpoints: ${Number(await page.locator('#n1-timing').getAttribute('data-ms')).toFixed(0)} ms`);
  await page.locator('#n1-toggle').click();

  // Drag an endpoint across the canvas (≥ 200 nodes) for ~2 s, counting animation frames.
  const nodes = await page.locator('.node').count();
  expect(nodes).toBeGreaterThanOrEqual(200);
  const dragged = confs[1].value;
  const leavesBefore = await page.locator(`.node.leaf[data-node="${dragged}"]`).count();
  const chip = page.locator(`li.endpoint-chip[data-endpoint="${dragged}"]`);
  // The first rule under the root: a priority rule over geo rules, so the endpoint is new to it.
  const target = page.locator('.node.rule').nth(1);
  await target.scrollIntoViewIfNeeded();
  const from = (await chip.boundingBox())!;
  const to = (await target.boundingBox())!;
  await page.evaluate(() => {
    const w = window as unknown as { frames_: number[]; counting: boolean };
    w.frames_ = [];
    w.counting = true;
    const tick = (t: number) => { w.frames_.push(t); if (w.counting) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  await page.mouse.move(from.x + 10, from.y + 10);
  await page.mouse.down();
  const steps = 120;
  for (let i = 1; i <= steps; i++) {
    const f = i / steps;
    await page.mouse.move(from.x + (to.x + 20 - from.x) * f, from.y + (to.y + 10 - from.y) * f + Math.sin(f * 12) * 40);
    await page.waitForTimeout(16);
  }
  await page.mouse.move(to.x + 20, to.y + 10);
  await page.mouse.up();
  const frames: number[] = await page.evaluate(() => {
    const w = window as unknown as { frames_: number[]; counting: boolean };
    w.counting = false;
    return w.frames_;
  });
  const gaps = frames.slice(1).map((t, i) => t - frames[i]).sort((x, y) => x - y);
  const seconds = (frames[frames.length - 1] - frames[0]) / 1000;
  console.log(`drag over ${nodes} nodes: ${(frames.length / seconds).toFixed(1)} fps, frame gap median ${gaps[Math.floor(gaps.length / 2)].toFixed(1)} ms, p95 ${gaps[Math.floor(gaps.length * 0.95)].toFixed(1)} ms`);
  expect(frames.length).toBeGreaterThan(10);
  // The drop landed: the endpoint is now also a leaf of that rule.
  await expect(page.locator(`.node.leaf[data-node="${dragged}"]`)).toHaveCount(leavesBefore + 1);
});
