// The office exports a filtered project list to Excel, then imports the year's project list: a
// sheet with one bad date is refused naming its row and column with nothing written, and the
// corrected sheet goes in whole. The two sheets in fixtures/ were made by LibreOffice Calc from
// CSV (row 3 of the first has the date 2026-13-45). Needs a running `hezuo serve --demo` at HEZUO_URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { launch, BASE, OUT } from './browser.mjs';

const fixture = (name) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

test('a filtered list exports to Excel and a sheet with one bad row writes nothing', async () => {
  mkdirSync(OUT, { recursive: true });
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${BASE}/login`);
    await page.fill('#f-username', 'office');
    await page.fill('#f-password', process.env.HEZUO_DEMO_PASSWORD || 'hezuo-demo');
    await page.click('main button[type=submit]');
    await page.waitForURL(`${BASE}/`);

    // The list filtered to one year and kind exports what it shows, as a real workbook.
    await page.goto(`${BASE}/projects?batch_year=2026&kind=engineering`);
    const shown = await page.locator('main table.list tbody tr').count();
    assert.ok(shown > 0, 'the demo has engineering projects in 2026');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-xlsx')]);
    assert.match(download.suggestedFilename(), /\.xlsx$/);
    const file = `${OUT}/projects-2026-engineering.xlsx`;
    await download.saveAs(file);
    const bytes = readFileSync(file);
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an .xlsx is a zip');
    assert.ok(bytes.length > 2000, `${bytes.length} bytes`);

    // The import page is reached from the list.
    await page.goto(`${BASE}/projects`);
    await page.click('a:text("导入年度清单")');
    await page.waitForURL(/\/projects\/import$/);
    const before = await projectsNamed(page, '端到端导入');

    // One bad date: the row and the column are named, and nothing is written.
    await page.setInputFiles('#f-file', fixture('projects-one-bad-row.xlsx'));
    await page.click('main form button[type=submit]');
    await page.waitForSelector('#import-errors');
    const errors = await page.textContent('#import-errors');
    assert.match(errors, /J3/, errors);
    assert.match(errors, /开始日期/, errors);
    await page.screenshot({ path: `${OUT}/import-refused.png`, fullPage: true });
    assert.equal(await projectsNamed(page, '端到端导入'), before, 'nothing was written');

    // The corrected sheet goes in whole.
    await page.goto(`${BASE}/projects/import`);
    await page.setInputFiles('#f-file', fixture('projects-fixed.xlsx'));
    await page.click('main form button[type=submit]');
    await page.waitForSelector('#import-done');
    assert.match(await page.textContent('#import-done'), /3/);
    assert.equal(await projectsNamed(page, '端到端导入'), before + 3);
  } finally {
    await browser.close();
  }
});

/// How many projects the list finds by a word of their titles.
async function projectsNamed(page, q) {
  const r = await page.request.get(`${BASE}/api/v1/projects?q=${encodeURIComponent(q)}&per_page=1`);
  assert.equal(r.status(), 200);
  return (await r.json()).total;
}
