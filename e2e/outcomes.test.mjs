// A responsible unit records an outcome through the form, attaches its evidence on the record
// page, and sees both there, awaiting the office's confirmation. Needs a running
// `hezuo serve --demo` at HEZUO_URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, BASE, OUT } from './browser.mjs';

test('a unit records an outcome with its evidence and sees it on the record page', async () => {
  mkdirSync(OUT, { recursive: true });
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${BASE}/login`);
    await page.fill('#f-username', 'unit');
    await page.fill('#f-password', process.env.HEZUO_DEMO_PASSWORD || 'hezuo-demo');
    await page.click('main button[type=submit]');
    await page.waitForURL(`${BASE}/`);

    await page.goto(`${BASE}/outcomes`);
    assert.match(await page.title(), /成果台账/);
    await page.click('#new-record');
    await page.waitForURL(/\/outcomes\/new$/);

    // Talents trained without the number of people: the form names what the kind needs.
    const title = `联合培养化工专业研究生（端到端测试 ${Date.now()}）`;
    await page.selectOption('#f-kind', 'talent');
    await page.fill('#f-title', title);
    await page.fill('#f-occurred_on', '2026-01-15');
    await page.click('main button[type=submit]');
    assert.match(await page.textContent('#err-quantity'), /培养人数/);
    assert.equal(await page.inputValue('#f-title'), title);

    await page.fill('#f-quantity', '15');
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/outcomes\/\d+$/);
    assert.equal((await page.textContent('h1')).trim(), title);
    assert.match(await page.textContent('dl.props'), /培养人数/);
    assert.match(await page.textContent('main'), /待确认/);

    // The evidence: a file on the record page's attachments panel.
    const record = page.url();
    await page.setInputFiles('#attachments input[type=file]', {
      name: '研究生培养名单.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('2026 年联合培养研究生名单：共 15 人。'),
    });
    await Promise.all([
      page.waitForURL(`${record}#attachments`),
      page.click('#attachments button[type=submit]'),
    ]);
    assert.match(await page.textContent('#attachments'), /研究生培养名单\.txt/);
    await page.screenshot({ path: `${OUT}/outcome-recorded.png`, fullPage: true });

    // The ledger lists it, as awaiting confirmation.
    await page.goto(`${BASE}/outcomes?q=${encodeURIComponent('端到端测试')}`);
    assert.match(await page.textContent('table.list'), /待确认/);
  } finally {
    await browser.close();
  }
});
