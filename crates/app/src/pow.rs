//! The proof of work the self-registration form asks for instead of a third-party captcha: the
//! server issues a signed challenge (when, how hard, a random part, an HMAC-SHA256 over them with
//! a key this process made at start), the browser finds a nonce whose SHA-256 of
//! `challenge:nonce` begins with that many zero bits (`static/register.js`, `crypto.subtle`), and
//! the server checks the signature, the age and the hash — one SHA-256. Each challenge is used
//! once (the store keeps it with the application). `serve` sets the key from the database
//! ([`set_key`], `Store::shared_secret`), so every server of a deployment verifies every other's
//! challenges; without it (tests) the process makes its own.

use hezuo_domain::Msg;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Leading zero bits asked for: about 65,000 hashes, a second or two in a browser.
pub const BITS: u32 = 16;
/// How long a challenge may be used after it was issued.
pub const MAX_AGE_SECONDS: i64 = 1800;

static KEY: OnceLock<Vec<u8>> = OnceLock::new();

fn key() -> &'static [u8] {
    KEY.get_or_init(|| hex::decode(hezuo_store::accounts::random_secret(32)).unwrap_or_default())
}

/// Signs and checks challenges with `key` (any text; the store's is hex) from now on: once, before
/// the first challenge, with the deployment's shared key. False when a key was already in use.
pub fn set_key(key: &str) -> bool {
    KEY.set(key.as_bytes().to_vec()).is_ok()
}

fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let (mut inner, mut outer) = (Sha256::new(), Sha256::new());
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(msg);
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// A new challenge issued at `now` (seconds since the epoch).
pub fn issue(now: i64) -> String {
    let body = format!("v1.{now}.{BITS}.{}", hezuo_store::accounts::random_secret(12));
    let mac = hex::encode(hmac(key(), body.as_bytes()));
    format!("{body}.{mac}")
}

/// How many leading zero bits `hash` has.
pub fn zero_bits(hash: &[u8]) -> u32 {
    let mut n = 0;
    for b in hash {
        if *b == 0 {
            n += 8;
        } else {
            n += b.leading_zeros();
            break;
        }
    }
    n
}

/// Finds a nonce for `challenge` (what the page's script does; for tests and API clients).
pub fn solve(challenge: &str) -> String {
    let bits = challenge.split('.').nth(2).and_then(|b| b.parse().ok()).unwrap_or(BITS);
    (0u64..)
        .find(|n| zero_bits(&Sha256::digest(format!("{challenge}:{n}").as_bytes())) >= bits)
        .unwrap_or(0)
        .to_string()
}

/// Checks a solved challenge at `now`; the refusal is the form's (field `pow_nonce`).
pub fn verify(challenge: &str, nonce: &str, now: i64) -> Result<(), Msg> {
    let bad = || {
        Msg::new(
            "防机器人验证未通过：请确认浏览器已启用 JavaScript，刷新页面后重新提交",
            "The anti-robot check failed: make sure JavaScript is on, reload the page and submit again",
        )
    };
    let parts: Vec<&str> = challenge.split('.').collect();
    let [version, issued, bits, _, mac] = parts[..] else {
        return Err(bad());
    };
    let body = &challenge[..challenge.len() - mac.len() - 1];
    let expected = hex::encode(hmac(key(), body.as_bytes()));
    // Compared in full whatever differs first.
    let same = expected.len() == mac.len() && expected.bytes().zip(mac.bytes()).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0;
    if version != "v1" || !same {
        return Err(bad());
    }
    let (Ok(issued), Ok(bits)) = (issued.parse::<i64>(), bits.parse::<u32>()) else {
        return Err(bad());
    };
    if now - issued > MAX_AGE_SECONDS || issued - now > 60 {
        return Err(Msg::new(
            "页面停留时间过长，防机器人验证已过期：请刷新页面后重新提交",
            "The page was open too long and its anti-robot check expired: reload it and submit again",
        ));
    }
    let nonce = nonce.trim();
    if nonce.is_empty() || nonce.len() > 20 || bits < BITS {
        return Err(bad());
    }
    if zero_bits(&Sha256::digest(format!("{challenge}:{nonce}").as_bytes())) < bits {
        return Err(bad());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_solved_challenge_verifies_and_a_wrong_nonce_or_a_forged_one_does_not() {
        let c = issue(1_000_000);
        let n = solve(&c);
        assert!(verify(&c, &n, 1_000_010).is_ok());
        let wrong = (n.parse::<u64>().unwrap() + 1).to_string();
        // The next nonce is almost never also a solution (1 in 65,536).
        assert!(verify(&c, &wrong, 1_000_010).is_err() || zero_bits(&Sha256::digest(format!("{c}:{wrong}"))) >= BITS);
        let forged = c.replace(".16.", ".1.");
        assert!(verify(&forged, &solve(&forged), 1_000_010).is_err());
    }

    #[test]
    fn an_old_challenge_is_refused_as_expired() {
        let c = issue(1_000_000);
        let n = solve(&c);
        let e = verify(&c, &n, 1_000_000 + MAX_AGE_SECONDS + 1).unwrap_err();
        assert!(e.zh.contains("过期"));
    }
}
