// Accessibility: axe-core finds no critical or serious violation on any console page, in either
// language, once the page is hydrated (the state a keyboard or screen-reader user works in). The
// same walk reads each page's text: no Chinese on an English page, no English phrase on a
// Chinese one (codes, names and addresses are data, not language).
import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { account, api, logIn, newDomain } from './helpers';

// `open` puts the page in a second state worth judging (a form, a panel, a dialog opened).
type Visit = { name: string; path: string; ready: string; open?: (page: Page) => Promise<void> };

// Every impact's count over all pages, printed at the end (the closing note's axe counts).
const counts: Record<string, number> = {};

async function seriousViolations(page: Page) {
  const result = await new AxeBuilder({ page }).analyze();
  for (const v of result.violations) counts[v.impact ?? 'none'] = (counts[v.impact ?? 'none'] ?? 0) + v.nodes.length;
  return result.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n    ')}`);
}

/** Text of the other language on the page: Han characters on an English page, two English words
 * in a row on a Chinese one. Code, the language switch and what the user typed are left out. */
async function otherScript(page: Page, lang: string): Promise<string[]> {
  return page.evaluate((lang) => {
    const root = document.body.cloneNode(true) as HTMLElement;
    root.querySelectorAll('code, pre, kbd, script, style, template, noscript, textarea, [translate="no"], [data-testid="lang-switch"]')
      .forEach((e) => e.remove());
    const text = (root.textContent ?? '').replace(/\s+/g, ' ');
    const hits = lang === 'en'
      ? text.match(/[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+/g) ?? []
      : text.match(/[A-Za-z]{3,}(?: [A-Za-z]{3,})+/g) ?? [];
    return [...new Set(hits)].slice(0, 20);
  }, lang);
}

async function check(page: Page, visit: Visit, found: string[], mixed: string[], lang: string) {
  await page.goto(visit.path);
  await expect(page.locator(visit.ready)).toHaveAttribute('data-ready', 'true');
  // Pages stream their data in; wait until nothing is still loading before judging them.
  await expect(page.locator('.loading, [aria-busy=true]')).toHaveCount(0);
  for (const v of await seriousViolations(page)) found.push(`${visit.name}: ${v}`);
  for (const t of await otherScript(page, lang)) mixed.push(`${visit.name}: ${JSON.stringify(t)}`);
  if (visit.open) {
    await visit.open(page);
    for (const v of await seriousViolations(page)) found.push(`${visit.name} (opened): ${v}`);
    for (const t of await otherScript(page, lang)) mixed.push(`${visit.name} (opened): ${JSON.stringify(t)}`);
  }
}

test('no critical or serious axe violation and no text of the other language on any page, in Chinese and in English', async ({ page, baseURL, context }) => {
  test.setTimeout(300_000);
  const a = await api(baseURL);
  const domain = await newDomain(a, 'axe');
  const post = async (path: string, data: unknown) => {
    const r = await a.ctx.post(path, { data, headers: a.csrf });
    expect(r.ok(), `${path}: ${await r.text()}`).toBeTruthy();
  };
  await post('/v1/endpoints', [{ domain, endpoint: '192.0.2.10', area: 'shanghai.CN', isp: 'cu' }]);
  await post(`/v1/domains/${domain}/recommend-strategy`, {});
  await post('/v1/contacts', { name: `axe${Date.now()}`, email: 'axe@example.com' });
  await a.ctx.dispose();

  const visits: Visit[] = [
    { name: 'domain list', path: '/', ready: 'section.domains' },
    {
      name: 'endpoints', path: `/domains/${domain}`, ready: 'section.domain',
      open: async (p) => {
        await p.locator('tr[data-endpoint="192.0.2.10"] details.edit summary').click();
        await expect(p.locator('form.edit-endpoint')).toBeVisible();
      },
    },
    { name: 'monitor', path: `/domains/${domain}/monitor`, ready: 'section.domain' },
    {
      name: 'results', path: `/domains/${domain}/results`, ready: 'section.domain',
      open: async (p) => {
        await p.locator('#recommend summary').click();
        await expect(p.locator('#recommend-diff')).toBeVisible();
      },
    },
    { name: 'domain notifications', path: `/domains/${domain}/notify`, ready: 'section.domain' },
    {
      name: 'strategy editor', path: `/domains/${domain}/strategy`, ready: 'section.strategy-editor',
      open: async (p) => {
        await p.locator('.node.leaf .node-body').first().click();
        await expect(p.locator('.leaf-panel')).toBeVisible();
        await p.locator('#versions summary').click();
        await p.locator('#n1-toggle').click();
      },
    },
    { name: 'contacts', path: '/notifications', ready: 'section.contacts' },
    { name: 'usage', path: '/usage', ready: 'section.usage' },
    { name: 'sub-users', path: '/iam', ready: 'section.iam' },
    { name: 'nodes', path: '/nodes', ready: 'section.nodes' },
    { name: 'lab', path: '/lab', ready: 'section.lab' },
  ];
  const found: string[] = [];
  const mixed: string[] = [];
  for (const lang of ['zh', 'en']) {
    await context.clearCookies();
    await context.addCookies([{ name: 'itm_lang', value: lang, url: baseURL! }]);
    await check(page, { name: `${lang} login`, path: '/login', ready: 'section.login' }, found, mixed, lang);
    await check(page, { name: `${lang} sub-user login`, path: `/login/${account.accountId}`, ready: 'section.login' }, found, mixed, lang);
    if (lang === 'zh') await logIn(page);
    else {
      await page.goto('/login');
      await expect(page.locator('section.login')).toHaveAttribute('data-ready', 'true');
      await page.getByLabel('User name').fill(account.username);
      await page.getByLabel('Password').fill(account.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect(page.locator('section.domains')).toHaveAttribute('data-ready', 'true');
    }
    for (const visit of visits) await check(page, { ...visit, name: `${lang} ${visit.name}` }, found, mixed, lang);
  }
  console.log(`axe violations (elements) over all pages: ${JSON.stringify(counts)}`);
  expect(found, found.join('\n')).toEqual([]);
  expect(mixed, mixed.join('\n')).toEqual([]);
});
