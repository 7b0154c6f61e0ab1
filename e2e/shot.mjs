// Takes a screenshot of a page as a signed-in user, for looking at it and for the README:
//   node e2e/shot.mjs OUT.png URL [WIDTH] [HEIGHT]
import { launch } from './browser.mjs';
const [out, url, w = '1280', h = '900'] = process.argv.slice(2);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: +w, height: +h }, locale: 'zh-CN' });
// Signs in first (HEZUO_USER, HEZUO_PASSWORD; the demo office user by default).
const origin = new URL(url).origin;
await page.goto(`${origin}/login`);
await page.fill('#f-username', process.env.HEZUO_USER || 'office');
await page.fill('#f-password', process.env.HEZUO_PASSWORD || 'hezuo-demo');
await page.click('main button[type=submit]');
await page.waitForLoadState();
await page.goto(url);
await page.screenshot({ path: out, fullPage: process.env.FULL === '1' });
await browser.close();
