// Each role's day in a real browser: its own home and menu (one line on a phone), what cannot be
// undone asks first, and a refusal is shown inside the signed-in app.
// Needs a running `hezuo serve --demo` at HEZUO_URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, BASE, OUT } from './browser.mjs';

const PASSWORD = process.env.HEZUO_DEMO_PASSWORD || 'hezuo-demo';

async function signIn(browser, user, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill('#f-username', user);
  await page.fill('#f-password', PASSWORD);
  await page.click('main button[type=submit]');
  await page.waitForLoadState();
  return page;
}

test('an enterprise opens on its demands with 发布技术需求, and on a phone the menu is one line', async () => {
  mkdirSync(OUT, { recursive: true });
  const browser = await launch();
  try {
    const page = await signIn(browser, 'enterprise');
    await page.goto(`${BASE}/`);
    assert.ok(await page.isVisible('#post-demand'));
    assert.match(await page.textContent('main'), /我的技术需求/);
    const menu = await page.textContent('nav .menu');
    for (const tool of ['督查看板', '年度清单', '操作留痕', '接口文档']) {
      assert.ok(!menu.includes(tool), `the enterprise is offered ${tool}`);
    }
    await page.click('#post-demand');
    await page.waitForURL(/\/demands\/new$/);

    const phone = await signIn(browser, 'office', { width: 390, height: 800 });
    await phone.goto(`${BASE}/projects`);
    const links = await phone.$$eval('nav .menu a', (as) => as.map((a) => a.getBoundingClientRect().top));
    assert.ok(links.length > 8, 'the office has a full menu');
    assert.equal(new Set(links.map(Math.round)).size, 1, `the menu's links sit on one line: ${links}`);
    const scrolls = await phone.$eval('nav .menu', (m) => m.scrollWidth > m.clientWidth);
    assert.ok(scrolls, 'the rest of the menu is reached by scrolling sideways');
    await phone.screenshot({ path: `${OUT}/menu-phone.png` });
  } finally {
    await browser.close();
  }
});

test('cancelling a project asks first, and saying no leaves it as it was', async () => {
  const browser = await launch();
  try {
    const page = await signIn(browser, 'office');
    const list = await page.request.get(`${BASE}/api/v1/projects?status=in_progress&per_page=1`);
    const project = (await list.json()).items[0];
    await page.goto(`${BASE}/projects/${project.id}`);
    let asked = '';
    page.once('dialog', async (d) => {
      asked = d.message();
      await d.dismiss();
    });
    await page.click('form[data-confirm] button:has-text("已取消")');
    assert.match(asked, /确定取消此项目/);
    assert.match(page.url(), new RegExp(`/projects/${project.id}$`));
    const again = await page.request.get(`${BASE}/api/v1/projects/${project.id}`);
    assert.equal((await again.json()).status, 'in_progress');
  } finally {
    await browser.close();
  }
});

test('a form the role may not use is refused inside the app, with its menu and a way on', async () => {
  const browser = await launch();
  try {
    const page = await signIn(browser, 'unit');
    const res = await page.goto(`${BASE}/projects/new`);
    assert.equal(res.status(), 403);
    assert.match(await page.textContent('#error'), /您的角色无权执行此操作/);
    assert.ok(await page.isVisible('nav .menu'));
    assert.ok(await page.isVisible('form.search-box'));
    assert.match(await page.textContent('.me'), /unit/);
    await page.screenshot({ path: `${OUT}/error-403.png` });
  } finally {
    await browser.close();
  }
});
