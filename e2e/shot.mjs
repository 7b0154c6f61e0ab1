// Takes screenshots of pages, for looking at them and for the README:
//   node e2e/shot.mjs OUT.png URL [WIDTH] [HEIGHT]
import { launch } from './browser.mjs';
const [out, url, w = '1280', h = '900'] = process.argv.slice(2);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: +w, height: +h }, locale: 'zh-CN' });
await page.goto(url);
await page.screenshot({ path: out, fullPage: process.env.FULL === '1' });
await browser.close();
