// A responsible unit files this month's progress report through the form and sees it on the
// project's page. Needs a running `hezuo serve --demo` at HEZUO_URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, BASE, OUT } from './browser.mjs';

test('a unit files a progress report and sees it on the project page', async () => {
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

    // One of the unit's running projects on this year's list.
    const res = await page.request.get(`${BASE}/api/v1/projects?status=in_progress&per_page=100`);
    const year = new Date().getFullYear();
    const project = (await res.json()).items.find((p) => p.batch_id && p.batch_year === year)
      || (await res.json()).items.find((p) => p.batch_id);
    assert.ok(project, 'the demo unit has a running project in a batch');

    await page.goto(`${BASE}/projects/${project.id}`);
    await page.click('text=填报进度');
    await page.waitForURL(/\/reports\/new$/);
    // Sending it empty names what is missing.
    await page.click('main button[type=submit]');
    assert.match(await page.textContent('#err-done_text'), /必填/);
    const text = `完成样品检测与数据整理（端到端测试 ${Date.now()}）`;
    await page.selectOption('#f-period', { index: 1 });
    await page.fill('#f-done_text', text);
    await page.fill('#f-percent', '60');
    await page.fill('#f-next_steps', '下月开展小批量试产');
    await page.click('main button[type=submit]');
    await page.waitForURL(new RegExp(`/projects/${project.id}`));
    assert.match(await page.textContent('#reports'), new RegExp(text.slice(0, 8)));
    await page.screenshot({ path: `${OUT}/report-filed.png`, fullPage: true });
  } finally {
    await browser.close();
  }
});
