//! Who a session cookie or an API token is, kept for [`KEEP_FOR`] in this server's memory so a
//! busy client is not looked up in the database on every request (issue 19). The cache is keyed by
//! the secret's SHA-256 (never the secret) and emptied whenever this server changes an account,
//! a session, a token or a person's organisation. Another server of the same deployment sees such a
//! change within [`KEEP_FOR`]: a revoked token or an ended session may be honoured that long there.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an answer is kept.
pub const KEEP_FOR: Duration = Duration::from_secs(5);
/// Entries kept before the cache is emptied (a flood of distinct secrets cannot grow it).
const MAX: usize = 10_000;

/// What is known of a secret (`accounts::Known`), by the secret's hash.
pub(crate) struct AuthCache<K> {
    map: Mutex<HashMap<String, (Instant, K)>>,
}

impl<K> Default for AuthCache<K> {
    fn default() -> Self {
        AuthCache {
            map: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Clone> AuthCache<K> {
    pub fn get(&self, key: &str) -> Option<K> {
        let map = crate::lock(&self.map);
        map.get(key)
            .filter(|(at, _)| at.elapsed() < KEEP_FOR)
            .map(|(_, k)| k.clone())
    }
    pub fn put(&self, key: String, known: K) {
        let mut map = crate::lock(&self.map);
        if map.len() >= MAX {
            map.clear();
        }
        map.insert(key, (Instant::now(), known));
    }
    /// Forgets everything: an account, session or token changed.
    pub fn forget(&self) {
        crate::lock(&self.map).clear();
    }
}
