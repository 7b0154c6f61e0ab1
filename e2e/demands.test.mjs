// The office finds a demand through the search box in traditional script, screens it, returns it
// with a reason, and the enterprise sees why. Needs a running `hezuo serve --demo` at HEZUO_URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, BASE, OUT } from './browser.mjs';

async function signIn(browser, user) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill('#f-username', user);
  await page.fill('#f-password', process.env.HEZUO_DEMO_PASSWORD || 'hezuo-demo');
  await page.click('main button[type=submit]');
  await page.waitForURL(`${BASE}/`);
  return page;
}

test('search in traditional script finds the demand; the office returns it and the enterprise reads why', async () => {
  mkdirSync(OUT, { recursive: true });
  const browser = await launch();
  try {
    const office = await signIn(browser, 'office');
    // The search box on every page; 廢水 (traditional) finds 废水 (simplified), highlighted.
    await office.fill('header input[name=q]', '含氟廢水');
    await office.press('header input[name=q]', 'Enter');
    await office.waitForURL(/\/search\?q=/);
    assert.match(await office.textContent('#hit-count'), /共找到 \d+ 条结果/);
    assert.ok((await office.locator('.hit mark').count()) > 0, 'matched words are highlighted');
    await office.screenshot({ path: `${OUT}/search.png`, fullPage: true });
    // Narrow to demands with the facet, then open the green-channel one from the fluorine company.
    await office.click('.facets >> text=技术需求');
    await office.waitForURL(/kind=demand/);
    await office.click('.hit-title >> text=含氟废水深度除氟处理工艺');
    await office.waitForURL(/\/demands\/\d+$/);
    const url = office.url();
    assert.match(await office.textContent('main'), /绿色通道超时/);
    assert.match(await office.textContent('#duplicates'), /氟化工废水除氟与氟化钙回收/);
    // Screening: a return without a reason is refused beside the field, then given.
    await office.click('text=初筛…');
    await office.selectOption('#f-decision', 'return');
    await office.click('main button[type=submit]');
    assert.match(await office.textContent('#err-comment'), /理由/);
    const reason = `请补充废水水量与含氟浓度（端到端 ${Date.now()}）`;
    await office.fill('#f-comment', reason);
    await office.click('main button[type=submit]');
    await office.waitForURL(url);
    assert.match(await office.textContent('main'), /已退回/);

    const ent = await signIn(browser, 'enterprise');
    await ent.goto(url);
    const text = await ent.textContent('main');
    assert.match(text, /已退回/);
    assert.ok(text.includes(reason.slice(0, 10)), 'the enterprise reads the reason');
    assert.match(text, /提交审核/);
    await ent.screenshot({ path: `${OUT}/demand-returned.png`, fullPage: true });
  } finally {
    await browser.close();
  }
});

test('the office confirms a suggested expert for an accepted demand, with the reasons shown', async () => {
  mkdirSync(OUT, { recursive: true });
  const browser = await launch();
  try {
    const office = await signIn(browser, 'office');
    const res = await office.request.get(`${BASE}/api/v1/demands?status=accepted&per_page=50`);
    const demand = (await res.json()).items.find((d) => d.title.includes('有机硅'));
    assert.ok(demand, 'the demo has an accepted demand about organosilicon');
    await office.goto(`${BASE}/demands/${demand.id}`);
    const suggested = await office.textContent('#matches');
    assert.match(suggested, /一致的词：/);
    assert.match(suggested, /学科：/);
    // Each suggestion says how surely it fits, not only how it ranks.
    assert.match(suggested, /把握/);
    assert.match(suggested, /(强|中|弱) \d+%/);
    await office.click('#matches >> text=确认推荐… >> nth=0');
    await office.waitForURL(/\/matches\/confirm\?person_id=\d+/);
    await office.click('main button[type=submit]');
    await office.waitForURL(new RegExp(`/demands/${demand.id}`));
    assert.match(await office.textContent('#confirmed-matches'), /已推荐/);
    assert.match(await office.textContent('main'), /对接中/);
    await office.screenshot({ path: `${OUT}/demand-matches.png`, fullPage: true });
  } finally {
    await browser.close();
  }
});
