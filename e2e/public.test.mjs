// The public portal in a browser, signed out: WCAG 2.1 AA on its main pages (axe-core, tags
// wcag2a, wcag2aa, wcag21a, wcag21aa), on a desktop and on a phone-sized screen; a notice opens from
// the home page and a search in traditional script finds simplified text. Needs a running
// `hezuo serve --demo` at HEZUO_URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, BASE, OUT } from './browser.mjs';

const axe = createRequire(import.meta.url)('axe-core');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

async function violations(page) {
  await page.addScriptTag({ content: axe.source });
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  }, TAGS);
}

test('the public portal meets WCAG 2.1 AA on its main pages, on a desktop and on a phone', async () => {
  mkdirSync(OUT, { recursive: true });
  const browser = await launch();
  try {
    for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 375, height: 740 }]]) {
      // The portal's pages allow no inline script (CSP): axe goes in through the test's own channel.
      const context = await browser.newContext({ viewport, locale: 'zh-CN', bypassCSP: true });
      const page = await context.newPage();
      await page.goto(`${BASE}/public`);
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      assert.match(await page.textContent('h1'), /市校合作公开门户/);
      // The first notice on the home page opens its own page.
      const href = await page.getAttribute('#h-notices ~ ul .pub-card a', 'href');
      assert.match(href, /^\/public\/notices\/\d+$/);
      const pages = ['/public', '/public/results', href, `/public/search?q=${encodeURIComponent('技術需求')}`,
        '/public/campaigns', '/public/demands', '/public/experts'];
      for (const path of pages) {
        const res = await page.goto(`${BASE}${path}`);
        assert.equal(res.status(), 200, path);
        const found = await violations(page);
        assert.deepEqual(found, [], `${name} ${path}: ${JSON.stringify(found, null, 1)}`);
        // Nothing wider than the screen: readable on a phone without scrolling sideways.
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(wide <= 1, `${name} ${path} is ${wide}px wider than the screen`);
      }
      await page.goto(`${BASE}/public/search?q=${encodeURIComponent('技術需求')}`);
      assert.ok((await page.locator('.pub-card mark').count()) > 0, 'traditional script (技術) finds simplified text (技术), highlighted');
      await page.screenshot({ path: `${OUT}/public-search-${name}.png`, fullPage: true });
      await page.goto(`${BASE}/public`);
      await page.screenshot({ path: `${OUT}/public-${name}.png`, fullPage: true });
      await context.close();
    }
  } finally {
    await browser.close();
  }
});
