//! A small in-memory rate limiter per client address, for what anyone may call without signing in
//! (the public portal, the self-registration form): a token bucket per key — `burst` requests at
//! once, refilled evenly over `per` — answering 429 with a Chinese message and `Retry-After` once a
//! bucket is empty. One server's memory only: behind several servers each keeps its own count
//! (the limit is per server), which is enough to slow a scraper or a bot down.
//!
//! Use: keep a `RateLimiter` and call [`RateLimiter::check`] with the client's address
//! (`auth::client_ip`) where a request comes in; answer [`too_many`] when it refuses.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many keys are kept before idle (full) buckets are forgotten.
const PRUNE_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets by key (a client's address).
#[derive(Debug)]
pub struct RateLimiter {
    burst: f64,
    /// Tokens added per second.
    rate: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// `burst` requests at once, and `burst` more every `per` (refilled evenly).
    pub fn new(burst: u32, per: Duration) -> RateLimiter {
        let burst = f64::from(burst.max(1));
        RateLimiter {
            burst,
            rate: burst / per.as_secs_f64().max(0.001),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket: `Ok` when there was one, or how long until there is.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= PRUNE_AT {
            let (burst, rate) = (self.burst, self.rate);
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let b = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * self.rate).min(self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - b.tokens) / self.rate))
        }
    }
}

/// The answer once a bucket is empty: 429, a message in Chinese (and English), `Retry-After` in
/// whole seconds (at least one), never cached.
pub fn too_many(wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let secs = secs.max(1);
    let body = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>访问过于频繁</title></head>\
         <body><main><h1>访问过于频繁</h1><p>您的访问过于频繁，请 {secs} 秒后再试。</p>\
         <p lang=\"en\">Too many requests: try again in {secs} s.</p></main></body></html>"
    );
    let mut res = (StatusCode::TOO_MANY_REQUESTS, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_lets_the_burst_through_then_refuses_until_it_refills() {
        let l = RateLimiter::new(3, Duration::from_secs(3));
        let t = Instant::now();
        for _ in 0..3 {
            assert!(l.check_at("10.0.0.1", t).is_ok());
        }
        let wait = l.check_at("10.0.0.1", t).unwrap_err();
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1));
        assert!(l.check_at("10.0.0.2", t).is_ok(), "another address has its own bucket");
        assert!(
            l.check_at("10.0.0.1", t + Duration::from_secs(1)).is_ok(),
            "one second refills one"
        );
        assert!(l.check_at("10.0.0.1", t + Duration::from_secs(1)).is_err());
    }

    #[test]
    fn the_answer_says_when_to_come_back_in_whole_seconds() {
        let r = too_many(Duration::from_millis(1500));
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[header::RETRY_AFTER], "2");
    }
}
