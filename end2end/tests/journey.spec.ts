// A new operator's whole journey in the browser alone: add a domain, its endpoints (one typed,
// with the area detected from the IP; one imported), monitor settings, the recommended strategy,
// start — then the probes, the failover of the endpoint that refuses, the map and table, and
// what `dig` answers, and the query volume those queries add up to. A local HTTP target answers
// 200 on 127.0.0.1; 127.0.0.2 refuses.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { hookReceiver, logIn, shot, dnsPort } from './helpers';

function dig(name: string, subnet?: string): string[] {
  const args = ['@127.0.0.1', '-p', String(dnsPort), name, 'A', '+short', '+time=2', '+tries=1'];
  if (subnet) args.push(`+subnet=${subnet}`);
  return execFileSync('dig', args, { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

test('from login to a monitored, scheduled domain', async ({ page }, info) => {
  test.setTimeout(120_000);
  // The target also receives the webhook notifications, and keeps them.
  const target = await hookReceiver('/hook');
  const { hooks, port } = target;
  try {
    await logIn(page);
    const name = `journey${Date.now()}.example.com`;
    await page.getByLabel('新域名').fill(name);
    await page.getByRole('button', { name: '添加', exact: true }).click();
    const row = page.locator(`tr[data-domain^="${name}."]`);
    await expect(row).toHaveCount(1);
    const listed = (await row.getAttribute('data-domain'))!;
    const cname = `${listed}.itm.localhost`;
    await expect(row.locator('td.cname .value')).toHaveText(cname);
    await row.getByRole('link', { name: listed }).click();
    await expect(page).toHaveURL(new RegExp(`/domains/${listed.replace(/\./g, '\\.')}$`));
    await expect(page.locator('section.domain')).toHaveAttribute('data-ready', 'true');
    await expect(page.getByText('还没有端点')).toBeVisible();

    // An address typed in is placed by the server's IP database before it is added.
    const add = page.locator('form.add-endpoint');
    await add.getByLabel('端点（IP 或域名）').fill('1.2.4.8');
    await expect(page.getByTestId('detected')).toContainText('北京 beijing.CN');
    await expect(add.locator('select[name=area]')).toHaveValue('beijing.CN');
    // A host name, or nothing, has no detected place: the one detected before is taken back.
    await add.getByLabel('端点（IP 或域名）').fill('www.example.com');
    await expect(add.locator('select[name=area]')).toHaveValue('');
    await expect(add.locator('select[name=isp]')).toHaveValue('');
    await expect(page.getByTestId('detected')).toHaveText('');
    await add.getByLabel('端点（IP 或域名）').fill('1.2.4.8');
    await expect(add.locator('select[name=area]')).toHaveValue('beijing.CN');
    await add.getByLabel('端点（IP 或域名）').fill('');
    await expect(add.locator('select[name=area]')).toHaveValue('');
    // …but the operator may choose: this one is the Beijing China Telecom server, on loopback.
    await add.getByLabel('端点（IP 或域名）').fill('127.0.0.1');
    await add.locator('select[name=area]').selectOption('beijing.CN');
    await add.locator('select[name=isp]').selectOption('ct');
    await add.getByLabel('标签').fill('idc-a;primary');
    await add.getByRole('button', { name: '添加端点' }).click();
    const first = page.locator('tr[data-endpoint="127.0.0.1"]');
    await expect(first.locator('td.area')).toHaveText('北京 beijing.CN');
    await expect(first.locator('td.tag')).toHaveText('idc-a;primary');
    // A refused edit keeps its form open with what was typed, and says why beside the tag.
    await first.locator('details.edit summary').click();
    const editForm = first.locator('form.edit-endpoint');
    await editForm.getByLabel('标签').fill('idc-a;;primary');
    await editForm.getByRole('button', { name: '保存' }).click();
    await expect(editForm.locator('.field-error[data-field=tag]')).toContainText('empty keyword');
    await expect(first.locator('details.edit')).toHaveAttribute('open', '');
    await expect(editForm.getByLabel('标签')).toHaveValue('idc-a;;primary');
    await editForm.getByLabel('标签').fill('idc-a;primary;edge');
    await editForm.getByRole('button', { name: '保存' }).click();
    await expect(first.locator('td.tag')).toHaveText('idc-a;primary;edge');

    // Import: a valid line, a broken one, a duplicate and one the domain has already; the
    // preview says which is which, in the page's language, and imports only the valid one.
    // (uploaded as a file; pasting fills the same text area)
    const list = 'endpoint,area,isp,tag\n127.0.0.2,guangdong.CN,cm,idc-b\n1.2.3.999\n127.0.0.2\n127.0.0.1\n';
    await page.locator('section.import input[type=file]').setInputFiles({ name: 'endpoints.csv', mimeType: 'text/csv', buffer: Buffer.from(list) });
    await expect(page.locator('#import-text')).toHaveValue(list);
    await page.getByRole('button', { name: '预览' }).click();
    await expect(page.locator('table.import-preview tr.valid')).toHaveCount(1);
    await expect(page.locator('table.import-preview tr.invalid')).toHaveCount(3);
    await expect(page.locator('tr.invalid[data-line="3"]')).toContainText('不是有效的IPv4 地址');
    await expect(page.locator('tr.invalid[data-line="4"]')).toContainText('出现了两次');
    await expect(page.locator('tr.invalid.stored[data-line="5"]')).toContainText('已是这个域名的端点');
    await expect(page.locator('table.import-preview')).not.toContainText(/listed|unknown|is not/);
    await shot(page, info, 'import-preview');
    await page.getByRole('button', { name: '导入 1 个有效端点' }).click();
    await expect(page.getByRole('status')).toContainText('已导入 1 个端点');
    await expect(page.locator('tr[data-endpoint="127.0.0.2"] td.area')).toHaveText('广东 guangdong.CN');
    await shot(page, info, 'endpoints');

    // Monitor: fast rounds on the target's port; a bad value is named next to its field.
    await page.getByRole('link', { name: '监控', exact: true }).click();
    await expect(page.locator('form.monitor-form')).toBeVisible();
    const field = (n: string) => page.locator(`form.monitor-form input[name=${n}]`);
    await field('intervalSec').fill('30');
    await page.getByRole('button', { name: '恢复推荐值' }).click();
    await expect(field('intervalSec')).toHaveValue('60');
    await expect(field('minErrors')).toHaveValue('3');
    await field('window').fill('2');
    await expect(page.locator('.field-error[data-field=minErrors]')).toContainText('window');
    await expect(page.getByRole('button', { name: '保存监控设置' })).toBeDisabled();
    await field('minErrors').fill('1');
    await expect(page.locator('.field-error')).toHaveCount(0);
    await field('port').fill(String(port));
    await field('timeoutSec').fill('1');
    await field('intervalSec').fill('1');
    await expect(page.getByTestId('detection')).toContainText('约 0–2 秒');
    await expect(page.getByTestId('tasks')).toContainText('1 个监控点 × 2 个端点 = 2');
    await page.getByRole('button', { name: '404', exact: true }).click();
    await expect(field('expectedCodes')).toHaveValue('200-399,404');
    await page.getByRole('button', { name: '404', exact: true }).click();
    // Leaving with unsaved settings asks first; staying keeps what was typed.
    await expect(page.getByTestId('monitor-unsaved')).toBeVisible();
    let asked = '';
    page.once('dialog', (dialog) => { asked = dialog.message(); void dialog.dismiss(); });
    await page.getByRole('link', { name: '端点', exact: true }).click();
    await expect.poll(() => asked).toContain('未保存');
    await expect(page).toHaveURL(/\/monitor$/);
    await expect(field('intervalSec')).toHaveValue('1');
    await page.getByRole('button', { name: '保存监控设置' }).click();
    await expect(page.getByText('已保存')).toBeVisible();
    await expect(page.getByTestId('monitor-unsaved')).toHaveCount(0);

    // A webhook contact for this domain.
    const contact = `hook${Date.now()}`;
    await page.goto('/notifications');
    await page.locator('form.add-contact').getByLabel('名称').fill(contact);
    await page.locator('form.add-contact').getByLabel('Webhook').fill(`http://127.0.0.1:${port}/hook`);
    await page.getByRole('button', { name: '保存联系人', exact: true }).click();
    await expect(page.locator(`tr[data-contact="${contact}"]`)).toBeVisible();
    await page.goto(`/domains/${listed}/notify`);
    await page.locator(`input[data-kind="contact"][data-name="${contact}"]`).check();
    await page.getByRole('button', { name: '保存通知设置' }).click();
    await expect(page.getByRole('status')).toHaveText('已保存');

    // The recommended strategy: enabling it starts the domain's scheduling.
    await page.goto(`/domains/${listed}/results`);
    await expect(page.getByText('还没有启用的策略')).toBeVisible();
    await page.locator('#recommend summary').click();
    await expect(page.locator('#recommend-diff')).toHaveAttribute('data-count', 'all');
    await page.locator('#recommend-confirm').click();
    await expect(page.locator('svg.china-map g.province')).toHaveCount(34);
    await page.getByRole('link', { name: '端点', exact: true }).click();
    await expect(page.locator('dl.facts dd.status')).toHaveText('运行');
    await expect(page.locator('dl.facts dd.version')).toHaveText('1');
    await page.goto(`/?q=${listed}`);
    await expect(page.locator(`tr[data-domain="${listed}"] td.status`)).toHaveText('运行');

    // Monitoring finds 127.0.0.1 up (200) and 127.0.0.2 down (refused).
    await page.goto(`/domains/${listed}`);
    await expect.poll(async () => {
      await page.reload();
      return [await page.locator('tr[data-endpoint="127.0.0.1"] td.status').textContent(),
              await page.locator('tr[data-endpoint="127.0.0.2"] td.status').textContent()];
    }, { timeout: 30_000 }).toEqual(['健康', '异常']);
    // One of two down: degraded, not failing, on the domain page and in the list.
    await expect(page.locator('dl.facts dd.monitor')).toHaveText('部分异常');
    await page.goto(`/?q=${listed}`);
    await expect(page.locator(`tr[data-domain="${listed}"] td.monitor`)).toHaveText('部分异常');
    await page.goto(`/domains/${listed}`);
    await expect(page.locator('tr[data-endpoint="127.0.0.1"] td.probes')).toContainText('local: 200');
    await page.goto(`/domains/${listed}/monitor`);
    await expect(page.locator('table.probe-list td.code').first()).toBeVisible();
    await expect(page.locator('table.probe-list')).toContainText('refused');
    const chart = await page.request.get(`/console/charts/latency.svg?domain=${listed}&minutes=60`);
    expect(chart.headers()['content-type']).toBe('image/svg+xml');
    expect(await chart.text()).toContain('127.0.0.1 @ local');
    await shot(page, info, 'monitor');

    // Guangdong's endpoint is down: the map and the table send Guangdong to Beijing's.
    await page.goto(`/domains/${listed}/results`);
    const guangdong = page.locator('g.province[data-area="guangdong.CN"]');
    await expect(guangdong).toHaveAttribute('data-answer', '127.0.0.1');
    await expect(page.locator('td[data-group="guangdong.CN/cm"]')).toContainText('127.0.0.1 100.0%');
    await guangdong.hover();
    await expect(page.getByTestId('area-detail')).toContainText('广东');
    // History: compare just before 127.0.0.2 went down with now, with the evidence.
    const down = page.locator('ol.events li.to-down', { hasText: '127.0.0.2' });
    await expect(down).toHaveCount(1);
    await expect(page.locator('ol.events li.version')).toHaveCount(1);
    await down.getByRole('button', { name: '之前作为 A' }).click();
    const compare = page.getByTestId('compare');
    await expect(compare.locator('tr[data-group="guangdong.CN/cm"] td').nth(0)).toHaveText('127.0.0.2 100.0%');
    await expect(compare.locator('tr[data-group="guangdong.CN/cm"] td').nth(1)).toHaveText('127.0.0.1 100.0%');
    await expect(compare.locator('tr[data-group="beijing.CN/ct"]')).toHaveCount(0);
    await expect(compare.locator('ul.evidence')).toContainText(/127\.0\.0\.2 \w+ → down/);
    // The evidence reads as sentences and a table of the points, not as JSON.
    const evidence = compare.locator('ul.evidence li', { hasText: '127.0.0.2' }).first();
    await expect(evidence.locator('table.evidence-points tr.failed')).toContainText('refused');
    await expect(evidence.locator('.evidence-detail p').first()).toContainText('轮失败');
    await expect(evidence.locator('.evidence-raw')).toHaveCount(0);
    await shot(page, info, 'results');
    // …and so does DNS.
    expect(dig(cname)).toContain('127.0.0.1');
    expect(dig(cname)).not.toContain('127.0.0.2');
    // Three from a Beijing network (1.2.4.8's, by client subnet), for the map below.
    for (let i = 0; i < 3; i++) expect(dig(cname, '1.2.4.0/24')).toContain('127.0.0.1');
    // The results tab counts those queries (the server adds them to the store every second).
    await page.goto(`/domains/${listed}/results`);
    const volume = page.locator('#query-volume');
    await expect.poll(async () => {
      await volume.locator('#volume-refresh').click();
      return Number(await volume.locator('p.volume-total').getAttribute('data-total', { timeout: 2_000 }));
    }, { timeout: 20_000 }).toBeGreaterThanOrEqual(5);
    await expect(volume.locator('table.volume-groups tbody tr').first()).toBeVisible();
    await expect(volume.locator('svg.volume-bars rect').first()).toBeAttached();
    // The map's province detail shows the same window's queries, per ISP.
    const beijing = volume.locator('table.volume-groups tr[data-group^="beijing.CN/"]');
    await expect(beijing.locator('td.count')).toHaveText('3');
    const isp = (await beijing.getAttribute('data-group'))!.split('/')[1];
    await page.locator('g.province[data-area="beijing.CN"]').hover();
    const detail = page.getByTestId('area-detail');
    await expect(detail.locator(`tr[data-isp="${isp}"] td.queries`)).toHaveText('3');
    await expect(detail.locator('thead')).toContainText(/查询数（自 \d{4}-\d\d-\d\d \d\d:00:00 起，UTC）/);
    await volume.locator('#volume-hours').selectOption('1');
    await expect(volume.locator('p.volume-total')).toContainText('每柱 1 分钟');

    // The webhook heard of 127.0.0.2 going down, and the delivery log says so.
    await expect.poll(() => hooks.some((h) => h.includes('127.0.0.2')), { timeout: 15_000 }).toBe(true);
    await page.goto('/notifications');
    await expect(page.locator('table.delivery-list tr.delivery.sent', { hasText: contact }).first()).toBeVisible();

    // The server-rendered HTML (no wasm) already carries the results.
    const html = await (await page.request.get(`/domains/${listed}/results`)).text();
    expect(html).toContain('data-group="guangdong.CN/cm"');
    expect(html).toContain('data-answer="127.0.0.1"');
  } finally {
    target.close();
  }
});

test('the console speaks English when asked, and remembers it', async ({ page }, info) => {
  await logIn(page);
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('section.domains h1')).toHaveText('Domains');
  await expect(page.getByRole('button', { name: 'Add', exact: true })).toBeVisible();
  await page.reload();
  await expect(page.locator('section.domains h1')).toHaveText('Domains');
  const html = await (await page.request.get('/')).text();
  expect(html).toContain('Search domains');
  expect(html).toContain('<html lang="en"');
  await shot(page, info, 'domains-en');
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('section.domains h1')).toHaveText('域名');
});
