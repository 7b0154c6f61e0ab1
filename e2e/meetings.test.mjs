// The office records a consultation, adds two decisions on its page, turns one into a project
// through the prefilled project form, and the meeting's page then says what became of each. Needs
// a running `hezuo serve --demo` at HEZUO_URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, BASE, OUT } from './browser.mjs';

test('a meeting is recorded with two decisions and one becomes a project', async () => {
  mkdirSync(OUT, { recursive: true });
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.on('dialog', (d) => d.accept());
    await page.goto(`${BASE}/login`);
    await page.fill('#f-username', 'office');
    await page.fill('#f-password', process.env.HEZUO_DEMO_PASSWORD || 'hezuo-demo');
    await page.click('main button[type=submit]');
    await page.waitForURL(`${BASE}/`);

    await page.goto(`${BASE}/events`);
    assert.match(await page.title(), /会议活动/);
    await page.click('#new-record');
    await page.waitForURL(/\/events\/new$/);
    // A meeting without its date is refused, the field named and what was typed kept.
    const title = `市校合作专题会商（端到端测试 ${Date.now()}）`;
    await page.fill('#f-title', title);
    await page.selectOption('#f-kind', 'consultation');
    await page.click('main button[type=submit]');
    assert.ok((await page.textContent('#err-held_on')).length > 0);
    assert.equal(await page.inputValue('#f-title'), title);
    await page.fill('#f-held_on', '2026-11-20');
    await page.fill('#f-place', '衢州市行政中心');
    await page.fill('#f-minutes', '会商研究了氟硅新材料产业合作。\n\n议定以下事项。');
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/events\/\d+$/);
    const meeting = page.url();
    assert.equal((await page.textContent('h1')).trim(), title);
    assert.match(await page.textContent('#decisions'), /尚未记录议定事项/);

    // Two decisions, each added from the meeting's page (the meeting is chosen already).
    const decisions = ['共建氟硅新材料中试基地', '组织专家走访氟硅企业'];
    for (const [k, what] of decisions.entries()) {
      await page.goto(meeting);
      await page.click('#decisions a.button');
      await page.waitForURL(/\/decisions\/new\?event_id=\d+$/);
      await page.fill('#f-title', what);
      await page.selectOption('#f-owner_id', { label: '衢州市科学技术局' });
      await page.fill('#f-due_on', k === 0 ? '2027-06-30' : '2027-03-31');
      await page.click('main button[type=submit]');
      await page.waitForURL(/\/decisions\/\d+$/);
      assert.match(await page.textContent('.badges'), /待落实/);
    }
    await page.goto(meeting);
    const listed = await page.textContent('#decisions');
    for (const what of decisions) assert.ok(listed.includes(what), `the meeting lists ${what}`);

    // The first becomes a project: the project form comes prefilled from the decision.
    await page.click(`#decisions a:text("${decisions[0]}")`);
    await page.waitForURL(/\/decisions\/\d+$/);
    await page.click('a.button:text("转为项目")');
    await page.waitForURL(/\/decisions\/\d+\/project$/);
    assert.equal(await page.inputValue('#f-title'), decisions[0]);
    assert.match(await page.inputValue('#f-origin_note'), /议定事项/);
    await page.selectOption('#f-kind', 'platform');
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/projects\/\d+$/);
    assert.equal((await page.textContent('h1')).trim(), decisions[0]);

    // The meeting's page follows each decision: one handed over to the project, one still open.
    await page.goto(meeting);
    const after = await page.textContent('#decisions');
    assert.match(after, new RegExp(`已转为项目：${decisions[0]}`));
    assert.match(after, /已转办/);
    assert.match(after, /待落实/);
    await page.screenshot({ path: `${OUT}/meeting-decisions.png`, fullPage: true });
  } finally {
    await browser.close();
  }
});
