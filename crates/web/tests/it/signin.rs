//! Sign-in throttling that cannot be raced or turned into a weapon: every attempt is counted before
//! the password is checked; one account from one place gets three tries, then doubling waits; many
//! addresses guessing one account slow it but never lock out a browser its owner signed in with; the
//! people behind one office's address do not lock each other out.

use crate::helpers::{PASSWORD, TestApp, spawn_app};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use hezuo_domain::access::Role;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;

/// Signs in through the API from `ip`, with a browser's device cookie when given: the status, the
/// message and the device cookie it sets.
async fn attempt(
    app: &TestApp,
    name: &str,
    password: &str,
    ip: [u8; 4],
    device: Option<&str>,
) -> (StatusCode, String, Option<String>) {
    let mut req = Request::post("/api/v1/auth/login").header(header::CONTENT_TYPE, "application/json");
    if let Some(d) = device {
        req = req.header(header::COOKIE, format!("hezuo_device={d}"));
    }
    let mut req = req
        .body(Body::from(json!({"username": name, "password": password}).to_string()))
        .unwrap();
    req.extensions_mut().insert(ConnectInfo(SocketAddr::from((ip, 40002))));
    let r = app.send_raw(req).await;
    let device = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("hezuo_device="))
        .map(|c| c.split(';').next().unwrap_or("").to_string());
    let message = if r.status.is_success() {
        String::new()
    } else {
        r.json()["error"].as_str().unwrap_or("").to_string()
    };
    (r.status, message, device)
}

async fn add_user(app: &TestApp, name: &str) {
    app.store
        .add_user(
            &hezuo_store::Viewer::system("test"),
            name,
            Role::Leader,
            None,
            None,
            Some(PASSWORD),
        )
        .await
        .unwrap();
}

/// The seconds a throttled answer asks to wait.
fn seconds(message: &str) -> i64 {
    message
        .split(|c: char| !c.is_ascii_digit())
        .find(|s| !s.is_empty())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no wait in “{message}”"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_simultaneous_wrong_guesses_get_three_password_checks() {
    let app = Arc::new(spawn_app().await);
    add_user(&app, "leader").await;
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            attempt(&app, "leader", "a wrong guess", [10, 0, 0, 9], None).await.0
        }));
    }
    let mut refused = 0;
    let mut throttled = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::UNAUTHORIZED => refused += 1,
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((refused, throttled), (3, 61));
}

#[tokio::test]
async fn guesses_from_forty_addresses_slow_the_account_but_its_owners_browser_still_signs_in() {
    let app = spawn_app().await;
    add_user(&app, "leader").await;
    // The owner signed in from their browser before: it is known from now on.
    let (ok, _, device) = attempt(&app, "leader", PASSWORD, [192, 168, 1, 5], None).await;
    assert_eq!(ok, StatusCode::OK);
    let device = device.expect("a device cookie");
    let mut checked = 0;
    for n in 0..40u8 {
        for _ in 0..3 {
            let (status, _, _) = attempt(&app, "leader", "guess", [203, 0, 113, n], None).await;
            checked += usize::from(status == StatusCode::UNAUTHORIZED);
        }
    }
    assert_eq!(checked, 10, "the account is slowed after ten failures from anywhere");
    // A new address without the browser: slowed, for a minute at most…
    let (status, message, _) = attempt(&app, "leader", PASSWORD, [198, 51, 100, 1], None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{message}");
    assert!((1..=60).contains(&seconds(&message)), "{message}");
    // …while the owner's browser signs in, from wherever it is today.
    let (status, message, again) = attempt(&app, "leader", PASSWORD, [198, 51, 100, 2], Some(&device)).await;
    assert_eq!(status, StatusCode::OK, "{message}");
    assert_eq!(
        again.as_deref(),
        Some(device.as_str()),
        "the same browser keeps its mark"
    );
    // A made-up device cookie is a stranger.
    let (status, _, _) = attempt(&app, "leader", PASSWORD, [198, 51, 100, 3], Some("0123abcd")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn people_behind_one_address_do_not_lock_each_other_out() {
    let app = spawn_app().await;
    for i in 0..12 {
        add_user(&app, &format!("clerk{i}")).await;
    }
    for i in 0..12 {
        let name = format!("clerk{i}");
        let (status, _, _) = attempt(&app, &name, "typo", [172, 16, 0, 1], None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, message, _) = attempt(&app, &name, PASSWORD, [172, 16, 0, 1], None).await;
        assert_eq!(status, StatusCode::OK, "{name}: {message}");
    }
}

#[tokio::test]
async fn one_password_tried_on_many_accounts_from_one_address_is_slowed() {
    let app = spawn_app().await;
    let mut statuses = Vec::new();
    for i in 0..25 {
        statuses.push(
            attempt(&app, &format!("user{i}"), "Summer2026!", [198, 18, 0, 7], None)
                .await
                .0,
        );
    }
    let refused = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert_eq!(refused, 20, "{statuses:?}");
    assert!(
        statuses[20..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}
