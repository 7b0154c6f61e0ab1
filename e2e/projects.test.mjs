// A coordinator creates a project through the form, sees it on its page and in the list.
// Needs a running `hezuo serve --demo` at HEZUO_URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, BASE, OUT } from './browser.mjs';

test('a project created through the form appears in the project list', async () => {
  mkdirSync(OUT, { recursive: true });
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const title = `氟硅新材料中试基地建设-${Date.now()}`;

    // Not signed in: the list sends the user to the sign-in page and back.
    await page.goto(`${BASE}/projects`);
    await page.waitForURL(/\/login\?next=/);
    await page.fill('#f-username', 'office');
    await page.fill('#f-password', process.env.HEZUO_DEMO_PASSWORD || 'hezuo-demo');
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/projects$/);
    assert.match(await page.title(), /合作项目/);
    await page.click('#new-record');
    await page.waitForURL(/\/projects\/new$/);

    // Submitting without a title keeps what was typed and says what is missing, beside the field.
    await page.selectOption('#f-kind', 'platform');
    await page.fill('#f-batch_year', '2026');
    await page.selectOption('#f-lead_unit_id', { index: 2 });
    await page.click('main button[type=submit]');
    assert.match(await page.textContent('#err-title'), /必填/);
    assert.equal(await page.inputValue('#f-batch_year'), '2026');

    await page.fill('#f-title', title);
    await page.fill('#f-contract_amount_wan', '120.5');
    await page.fill('#f-start_on', '2026-03-01');
    await page.fill('#f-end_on', '2027-12-31');
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/projects\/\d+$/);
    assert.equal((await page.textContent('h1')).trim(), title);
    assert.match(await page.textContent('dl.props'), /120\.50 万元/);

    await page.goto(`${BASE}/projects?q=${encodeURIComponent(title)}`);
    const rows = page.locator('table.list tbody tr');
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().textContent(), /平台建设/);

    await page.goto(`${BASE}/projects`);
    await page.screenshot({ path: `${OUT}/projects.png`, fullPage: false });

    // The creation is in the project's history, with who made it.
    await page.goto(`${BASE}/audit?record_kind=project`);
    assert.match(await page.textContent('table.list'), /office/);

    // The same list on a phone screen stays readable (the session is shared by the browser context).
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${BASE}/projects`);
    await phone.screenshot({ path: `${OUT}/projects-phone.png` });
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    assert.equal(overflow, false, 'no sideways scrolling on a phone');
  } finally {
    await browser.close();
  }
});
