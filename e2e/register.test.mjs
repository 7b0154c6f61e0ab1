// An enterprise registers itself at /register (the page's script solves the proof of work), types
// the code the server emailed, and the office approves it; the account then opens the platform as
// the enterprise. The email needs a mail server, so this test starts its own `hezuo serve --demo`
// (HEZUO_BIN, else ../target/{release,debug}/hezuo) on a free port of 127.0.0.1 with an SMTP sink
// it runs itself on 127.0.0.1; nothing leaves the machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, OUT } from './browser.mjs';

const here = new URL('.', import.meta.url).pathname;

function binary() {
  const candidates = [
    process.env.HEZUO_BIN,
    process.env.CARGO_TARGET_DIR && join(process.env.CARGO_TARGET_DIR, 'debug', 'hezuo'),
    join(here, '..', 'target', 'release', 'hezuo'),
    join(here, '..', 'target', 'debug', 'hezuo'),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  assert.ok(found, `no hezuo binary among ${candidates.join(', ')}: build it or set HEZUO_BIN`);
  return found;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// A minimal SMTP server on 127.0.0.1 keeping every message's text.
function smtpSink() {
  const inbox = [];
  const server = createServer((sock) => {
    sock.setEncoding('utf8');
    sock.write('220 sink ESMTP\r\n');
    let buf = '';
    let data = null;
    sock.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (data !== null) {
          if (line === '.') {
            inbox.push(data);
            data = null;
            sock.write('250 OK queued\r\n');
          } else {
            data += line + '\n';
          }
          continue;
        }
        const up = line.toUpperCase();
        if (up.startsWith('EHLO') || up.startsWith('HELO')) sock.write('250-sink\r\n250 8BITMIME\r\n');
        else if (up.startsWith('DATA')) { data = ''; sock.write('354 go ahead\r\n'); }
        else if (up.startsWith('QUIT')) { sock.write('221 bye\r\n'); sock.end(); }
        else sock.write('250 OK\r\n');
      }
    });
    sock.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, inbox, port: server.address().port })));
}

// The decoded text of a message (lettre sends UTF-8 bodies as base64 or quoted-printable).
function textOf(raw) {
  const at = raw.indexOf('\n\n');
  const head = raw.slice(0, at).toLowerCase();
  const body = raw.slice(at + 2);
  if (head.includes('content-transfer-encoding: base64')) {
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  if (head.includes('quoted-printable')) {
    const bytes = body.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

// A unified social credit code with its GB 32100 check character.
function creditCode() {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const first = `91330881MA2${String(Date.now() % 1000000).padStart(6, '0')}`;
  const sum = [...first].reduce((s, c, i) => s + chars.indexOf(c) * weights[i], 0);
  return first + chars[(31 - (sum % 31)) % 31];
}

async function waitFor(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

test('an enterprise registers, verifies its email and is approved by the office', { timeout: 300000 }, async () => {
  mkdirSync(OUT, { recursive: true });
  const sink = await smtpSink();
  const port = Number(process.env.E2E_REGISTER_PORT || 0) || await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hezuo-register-'));
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(binary(), ['serve', '--demo', '--data-dir', dir, '--listen', `127.0.0.1:${port}`], {
    env: { ...process.env, HEZUO_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, HEZUO_MAIL_FROM: '市校合作平台 <noreply@example.cn>' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let browser;
  try {
    await waitFor(`${base}/healthz`, 180000);
    browser = await launch();
    const applicant = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await applicant.newPage();
    await page.goto(`${base}/register`);
    assert.match(await page.title(), /企业注册/);
    const code = creditCode();
    const name = `衢州端到端测试科技有限公司${Date.now() % 100000}`;
    // A county outside the city cannot even be chosen; a wrong check character is refused by field.
    const wrong = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
    await page.fill('#f-name', name);
    await page.fill('#f-credit_code', wrong);
    await page.selectOption('#f-industry_code', 'C26');
    await page.selectOption('#f-region_code', '330881');
    await page.fill('#f-contact_name', '周建平');
    await page.fill('#f-phone', '13905700001');
    await page.fill('#f-email', 'e2e-apply@example.cn');
    await page.fill('#f-password', 'a-long-applicant-password');
    await page.fill('#f-password_again', 'a-long-applicant-password');
    await page.click('#register-submit');
    await page.waitForSelector('#err-credit_code');
    assert.match(await page.textContent('#err-credit_code'), /校验位/);
    assert.equal(await page.inputValue('#f-name'), name);
    // Corrected and sent again (the script solves the new challenge first).
    await page.fill('#f-credit_code', code);
    await page.fill('#f-password', 'a-long-applicant-password');
    await page.fill('#f-password_again', 'a-long-applicant-password');
    await page.click('#register-submit');
    await page.waitForURL(/\/register\/status/, { timeout: 60000 });
    assert.match(await page.textContent('#reg-status'), /待审核/);
    assert.match(await page.textContent('#reg-notice'), /验证码已发送/);

    // The code from the email.
    const end = Date.now() + 20000;
    while (!sink.inbox.length && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    const mail = textOf(sink.inbox.at(-1));
    const typed = /验证码：(\d{6})/.exec(mail)?.[1];
    assert.ok(typed, `a code in the mail: ${mail}`);
    await page.fill('#f-code', typed);
    await page.click('#verify-form button[type=submit]');
    await page.waitForSelector('#email-verified');
    // Nothing else opens until approved.
    await page.goto(`${base}/projects`);
    assert.match(page.url(), /\/register\/status/);
    await page.screenshot({ path: join(OUT, 'register-pending.png'), fullPage: true });

    // The office approves it from its queue.
    const office = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
    await office.goto(`${base}/login`);
    await office.fill('#f-username', 'office');
    await office.fill('#f-password', process.env.HEZUO_DEMO_PASSWORD || 'hezuo-demo');
    await office.click('main button[type=submit]');
    await office.waitForURL(`${base}/`);
    await office.click('nav a[href="/registrations"]');
    await office.waitForURL(/\/registrations/);
    await office.click(`#registrations a:text("${name}")`);
    await office.waitForURL(/\/registrations\/\d+$/);
    await office.click('#approve-form button[type=submit]');
    await office.waitForSelector('#reg-org');
    assert.match(await office.textContent('#reg-status'), /已通过/);

    // The applicant now works as the enterprise.
    await page.goto(`${base}/register/status`);
    assert.match(await page.textContent('#reg-status'), /已通过/);
    await page.click('#reg-approved a');
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/projects`);
    assert.match(page.url(), /\/projects$/);
    assert.ok(sink.inbox.some((m) => textOf(m).includes('已通过审核')), 'the applicant was emailed the outcome');
  } finally {
    if (browser) await browser.close();
    server.kill();
    sink.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
