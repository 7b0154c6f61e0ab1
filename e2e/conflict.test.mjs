// Two people edit the same project at once in their browsers: the second to save is told who saved
// first, sees that person's value beside their own, and nothing is overwritten until they save again.
// Needs a running `hezuo serve --demo` at HEZUO_URL.
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

test('the second of two editors sees the first one\'s value and their name, and nothing is lost', async () => {
  mkdirSync(OUT, { recursive: true });
  const browser = await launch();
  try {
    const first = await signIn(browser, 'office');
    const second = await signIn(browser, 'office');
    // Both open the same edit form.
    await first.goto(`${BASE}/projects/2/edit`);
    await second.goto(`${BASE}/projects/2/edit`);
    // The first saves a new summary.
    await first.fill('#f-summary', '甲：中期检查已完成，进入中试阶段');
    await first.click('main button[type=submit]');
    await first.waitForURL(`${BASE}/projects/2`);
    assert.match(await first.textContent('main'), /甲：中期检查已完成/);
    // The second, on the form opened before, saves another: refused, with both values shown.
    await second.fill('#f-summary', '乙：样机调试中，预计下月验收');
    await second.click('main button[type=submit]');
    await second.waitForSelector('.error-summary');
    assert.match(await second.textContent('.error-summary'), /office/);
    assert.match(await second.textContent('.error-summary'), /您的修改尚未保存/);
    assert.match(await second.textContent('#theirs-summary'), /对方保存的值：甲：中期检查已完成/);
    assert.equal(await second.inputValue('#f-summary'), '乙：样机调试中，预计下月验收', 'their own text is kept in the field');
    // Only what the first editor changed is marked (the partner units, a set, are the same however ordered).
    assert.equal(await second.locator('.theirs').count(), 1, await second.locator('.theirs').allTextContents());
    await second.screenshot({ path: `${OUT}/edit-conflict.png`, fullPage: true });
    // The record still has the first editor's summary.
    await first.reload();
    assert.match(await first.textContent('main'), /甲：中期检查已完成/);
    // Having seen both, the second saves again: now theirs is kept.
    await second.click('main button[type=submit]');
    await second.waitForURL(`${BASE}/projects/2`);
    assert.match(await second.textContent('main'), /乙：样机调试中/);
  } finally {
    await browser.close();
  }
});
