// The registration form's proof of work: find a nonce whose SHA-256 of "challenge:nonce" begins
// with the number of zero bits the server asked for (data-pow-bits), then send the form. Uses
// crypto.subtle (a secure context: https or 127.0.0.1); elsewhere a small SHA-256 of its own.
(function () {
  'use strict';
  var form = document.getElementById('register-form');
  if (!form) return;
  var challenge = form.querySelector('input[name=pow_challenge]').value;
  var nonceField = form.querySelector('input[name=pow_nonce]');
  var status = document.getElementById('pow-status');
  var button = document.getElementById('register-submit');
  var bits = Number(form.getAttribute('data-pow-bits') || '16');
  var enc = new TextEncoder();
  var zh = (document.documentElement.lang || 'zh').indexOf('zh') === 0;

  function zeroBits(h) {
    var n = 0;
    for (var i = 0; i < h.length; i++) {
      if (h[i] === 0) { n += 8; continue; }
      var b = h[i];
      while ((b & 0x80) === 0) { n++; b <<= 1; }
      break;
    }
    return n;
  }

  // SHA-256 for pages without crypto.subtle (plain http on another host).
  var K = [0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2];
  function sha256(bytes) {
    var l = bytes.length, n = ((l + 9 + 63) >> 6) << 6, m = new Uint8Array(n), w = new Int32Array(64);
    m.set(bytes); m[l] = 0x80;
    var dv = new DataView(m.buffer);
    dv.setUint32(n - 4, l * 8);
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    function r(x, k) { return (x >>> k) | (x << (32 - k)); }
    for (var o = 0; o < n; o += 64) {
      for (var i = 0; i < 16; i++) w[i] = dv.getInt32(o + i * 4);
      for (i = 16; i < 64; i++) {
        var s0 = r(w[i - 15], 7) ^ r(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        var s1 = r(w[i - 2], 17) ^ r(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (i = 0; i < 64; i++) {
        var t1 = (hh + (r(e, 6) ^ r(e, 11) ^ r(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        var t2 = ((r(a, 2) ^ r(a, 13) ^ r(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
    }
    var out = new Uint8Array(32), odv = new DataView(out.buffer);
    for (i = 0; i < 8; i++) odv.setUint32(i * 4, h[i] >>> 0);
    return out;
  }

  var subtle = window.crypto && window.crypto.subtle;
  function digest(text) {
    var bytes = enc.encode(text);
    if (subtle) {
      return subtle.digest('SHA-256', bytes).then(function (b) { return new Uint8Array(b); });
    }
    return Promise.resolve(sha256(bytes));
  }

  function solve() {
    var n = 0;
    function step() {
      // A batch at a time, so the page stays responsive.
      var batch = [];
      for (var i = 0; i < 256; i++) batch.push(digest(challenge + ':' + (n + i)));
      return Promise.all(batch).then(function (hashes) {
        for (var i = 0; i < hashes.length; i++) {
          if (zeroBits(hashes[i]) >= bits) return String(n + i);
        }
        n += hashes.length;
        return step();
      });
    }
    return step();
  }

  var solved = false;
  var work = solve().then(function (nonce) {
    nonceField.value = nonce;
    solved = true;
    form.setAttribute('data-pow', 'done');
    status.textContent = zh ? '防机器人验证已完成，可以提交。' : 'The anti-robot check is done; you may send the form.';
  });
  form.addEventListener('submit', function (ev) {
    if (solved) return;
    ev.preventDefault();
    button.disabled = true;
    status.textContent = zh ? '正在完成防机器人验证，请稍候…' : 'Finishing the anti-robot check…';
    work.then(function () { button.disabled = false; form.submit(); });
  });
})();
