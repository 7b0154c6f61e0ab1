// Messages on a match, in two browsers: the enterprise posts on its match's thread, the expert
// sees it (counted unread on their messages page) and replies, and the enterprise sees the reply
// and that the expert read its message. Needs a running `hezuo serve --demo` at HEZUO_URL.
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

/// The message's entry in the thread: the `li` holding its text.
function entry(page, text) {
  return page.locator('#comments li.comment', { hasText: text });
}

test('the enterprise and the expert exchange messages on a match and see who read them', async () => {
  mkdirSync(OUT, { recursive: true });
  const browser = await launch();
  try {
    const stamp = Date.now().toString().slice(-6);
    const question = `请问中试设备的选型有什么建议？（${stamp}）`;
    const answer = `建议先用小试数据定泵和膜的规格，下周给您清单。（${stamp}）`;

    // The enterprise finds its match's thread from the menu and posts.
    const ent = await signIn(browser, 'enterprise');
    await ent.click('nav a[href="/messages"]');
    await ent.waitForURL(`${BASE}/messages`);
    const link = ent.locator('main a[href^="/messages/match/"]').first();
    const thread = await link.getAttribute('href');
    assert.ok(thread, 'the demo enterprise is in a match thread');
    await link.click();
    await ent.waitForURL(`${BASE}${thread}`);
    await ent.fill('#message-body', question);
    await ent.click('#message button[type=submit]');
    await ent.waitForURL(`${BASE}${thread}`);
    assert.match(await entry(ent, question).textContent(), /未读/, 'no one has read it yet');

    // The expert: the thread is counted unread on their messages page; they open it and reply.
    const expert = await signIn(browser, 'expert');
    await expert.goto(`${BASE}/messages`);
    const row = expert.locator('main tr', { has: expert.locator(`a[href="${thread}"]`) });
    assert.match(await row.textContent(), /条未读/);
    await expert.click(`main a[href="${thread}"]`);
    await expert.waitForURL(`${BASE}${thread}`);
    assert.match(await entry(expert, question).textContent(), /enterprise/);
    await expert.fill('#message-body', answer);
    await expert.click('#message button[type=submit]');
    await expert.waitForURL(`${BASE}${thread}`);
    assert.ok(await entry(expert, answer).isVisible());

    // The enterprise sees the reply, and that the expert read its message.
    await ent.reload();
    assert.ok(await entry(ent, answer).isVisible(), 'the reply is in the thread');
    assert.match(await entry(ent, question).textContent(), /已读：[^<]*expert/);
    // The reply, newest last.
    const texts = await ent.locator('#comments li.comment p.pre').allTextContents();
    assert.equal(texts[texts.length - 1], answer);
    await ent.screenshot({ path: `${OUT}/messages-thread.png`, fullPage: true });
  } finally {
    await browser.close();
  }
});
