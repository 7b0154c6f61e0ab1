//! Reminders through a real SMTP exchange: a small SMTP server on 127.0.0.1, run by the test,
//! receives what the platform sends; the test reads the messages as a mail client would.

use crate::helpers::spawn_app;
use hezuo_app::reminders::{Mailer, run_once};
use serde_json::json;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// What the sink received: (recipients, raw message), in order.
pub(crate) type Inbox = Arc<Mutex<Vec<(Vec<String>, String)>>>;

/// A minimal SMTP server: accepts every message and keeps (recipients, data).
pub(crate) async fn smtp_sink() -> (u16, Inbox) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got: Inbox = Arc::default();
    let store = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else { return };
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.ok();
                let (mut rcpt, mut data, mut in_data) = (Vec::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            store
                                .lock()
                                .unwrap()
                                .push((std::mem::take(&mut rcpt), std::mem::take(&mut data)));
                            w.write_all(b"250 OK queued\r\n").await.ok();
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        rcpt.push(line[8..].trim().to_string());
                        b"250 OK\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if upper.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.ok();
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    w.write_all(reply).await.ok();
                }
            });
        }
    });
    (port, got)
}

/// The decoded text of a received message (lettre sends UTF-8 bodies as base64 or quoted-printable).
pub(crate) fn text_of(raw: &str) -> String {
    let (head, body) = raw.split_once("\n\n").unwrap_or((raw, ""));
    let head_l = head.to_ascii_lowercase();
    if head_l.contains("content-transfer-encoding: base64") {
        use base64::Engine;
        let joined: String = body.lines().collect();
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(joined.trim()).unwrap()).unwrap()
    } else if head_l.contains("quoted-printable") {
        String::from_utf8(quoted_printable::decode(body, quoted_printable::ParseMode::Robust).unwrap()).unwrap()
    } else {
        body.to_string()
    }
}

#[tokio::test]
async fn each_person_gets_one_email_a_day_listing_everything_due_and_a_second_run_sends_nothing() {
    let (port, inbox) = smtp_sink().await;
    let mut app = spawn_app().await;
    app.set_today("2026-03-01");
    let w = app.seed().await;
    let wang = app
        .create(
            "people",
            json!({"organization_id": w.college, "name": "王建国", "email": "wangjg@zjut.edu.cn"}),
        )
        .await;
    let li = app
        .create(
            "people",
            json!({"organization_id": w.enterprise, "name": "李明", "email": "liming@example.cn"}),
        )
        .await;
    let idle = app
        .create(
            "people",
            json!({"organization_id": w.enterprise, "name": "赵闲", "email": "zhao@example.cn"}),
        )
        .await;
    let batch = app
        .create(
            "batches",
            json!({"year": 2026, "title": "2026", "cadence": "monthly", "report_due_day": 5}),
        )
        .await;
    let project = |title: &str, person: i64| {
        json!({"title": title, "kind": "engineering", "batch_year": 2026, "batch_id": batch, "lead_unit_id": w.enterprise,
               "responsible_person_id": person, "start_on": "2026-02-01", "end_on": "2026-12-31"})
    };
    let p1 = app.create("projects", project("有机硅单体合成工艺优化", wang)).await;
    let p2 = app.create("projects", project("光伏硅片切割废料回收", wang)).await;
    let p3 = app.create("projects", project("特种纸涂布技术攻关", li)).await;
    let _quiet = app.create("projects", project("没有到期事项的项目", idle)).await;
    app.post(
        &format!("/api/v1/projects/{p1}/milestones"),
        json!({"title": "中试", "due_on": "2026-03-08"}),
    )
    .await;
    app.post(
        &format!("/api/v1/projects/{p2}/milestones"),
        json!({"title": "方案论证", "due_on": "2026-03-02"}),
    )
    .await;
    app.post(
        &format!("/api/v1/projects/{p3}/milestones"),
        json!({"title": "验收", "due_on": "2026-11-30"}),
    )
    .await;
    app.post(&format!("/api/v1/batches/{batch}/approve"), json!({})).await;
    // 赵闲's project reported February already, so nothing is due for them.
    app.post(
        &format!("/api/v1/projects/{_quiet}/reports"),
        json!({"period": "2026-02", "done_text": "已完成", "percent": 10}),
    )
    .await;

    let mailer = Mailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "市校合作平台 <noreply@hezuo.example>",
    )
    .unwrap();
    // Four days before February's reports are due (March 5th): nothing for "4 days" — the default is 7 and 1.
    let s = run_once(&app.store, Some(&mailer), &[7, 1]).await.unwrap();
    assert_eq!((s.notified, s.emailed), (1, 1), "only 王建国 has something due: {s:?}");
    {
        let got = inbox.lock().unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, vec!["<wangjg@zjut.edu.cn>"]);
        let text = text_of(&got[0].1);
        assert!(
            text.contains("节点“中试”（项目：有机硅单体合成工艺优化），2026-03-08，7 天后到期"),
            "{text}"
        );
        assert!(
            text.contains("节点“方案论证”（项目：光伏硅片切割废料回收），2026-03-02，1 天后到期"),
            "{text}"
        );
        assert!(got[0].1.contains("Subject: =?utf-8?") || got[0].1.contains("Subject:"));
    }
    // The same day again: nothing twice.
    let s = run_once(&app.store, Some(&mailer), &[7, 1]).await.unwrap();
    assert_eq!((s.notified, s.emailed, s.skipped), (0, 0, 1));
    assert_eq!(inbox.lock().unwrap().len(), 1);

    // March 5th: the February reports are due today for 王建国's two projects and 李明's one.
    app.set_today("2026-03-05");
    let s = run_once(&app.store, Some(&mailer), &[7, 1]).await.unwrap();
    assert_eq!((s.notified, s.emailed), (2, 2));
    let got = inbox.lock().unwrap().clone();
    let to_li = got
        .iter()
        .find(|m| m.0 == vec!["<liming@example.cn>"])
        .expect("李明 got one");
    assert!(text_of(&to_li.1).contains("2026年2月进度填报（项目：特种纸涂布技术攻关），2026-03-05，今天到期"));
    let to_wang: Vec<_> = got.iter().filter(|m| m.0 == vec!["<wangjg@zjut.edu.cn>"]).collect();
    assert_eq!(to_wang.len(), 2, "one a day");
    let text = text_of(&to_wang[1].1);
    assert!(
        text.contains("有机硅单体合成工艺优化") && text.contains("光伏硅片切割废料回收"),
        "both projects' reports in one email"
    );
    assert!(
        !text.contains("方案论证"),
        "a milestone three days overdue is not repeated daily"
    );
    assert!(
        !got.iter().any(|m| m.0 == vec!["<zhao@example.cn>"]),
        "no email when nothing is due"
    );

    // March 6th: 李明 files; 王建国 did not — the day after, he hears it is overdue.
    app.post(
        &format!("/api/v1/projects/{p3}/reports"),
        json!({"period": "2026-02", "done_text": "已完成", "percent": 10}),
    )
    .await;
    app.set_today("2026-03-06");
    let s = run_once(&app.store, Some(&mailer), &[7, 1]).await.unwrap();
    assert_eq!(s.emailed, 1);
    let last = inbox.lock().unwrap().last().unwrap().clone();
    assert_eq!(last.0, vec!["<wangjg@zjut.edu.cn>"]);
    let text = text_of(&last.1);
    assert!(text.contains("昨天已到期，尚未完成"), "{text}");

    // Without mail, reminders are in-app: 王建国's account shows them.
    let acct = app
        .user("wang", hezuo_domain::access::Role::Expert, None, Some(wang))
        .await;
    let page = app
        .send_as(
            Some(&acct),
            axum::http::Request::get("/account")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    // A one-time-password account would be sent here first; this one has its own password.
    let html = page.text();
    assert!(
        html.contains("id=\"reminders\"") && html.contains("2026-03-06"),
        "{}",
        &html[..html.len().min(400)]
    );
}
