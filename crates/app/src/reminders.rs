//! Reminders: once a day, each responsible person with something due gets one in-app notification
//! and, when mail is configured (`HEZUO_SMTP_URL`, `HEZUO_MAIL_FROM`), one email listing it all.
//! A run claims each person's day in the store before sending, so running twice sends nothing twice.
//! Someone with an account hears of it in the notification centre and in the day's digest instead
//! of a separate email (see `notifications.rs`): one email a day.

use hezuo_domain::reminder::compose;
use hezuo_store::Store;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Where email goes: an SMTP server (`smtp://user:pass@host:port`, `smtps://…` for TLS) and the sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The platform's address, put before the paths of links in emails ("" leaves them as paths).
    base_url: String,
}

impl std::fmt::Debug for Mailer {
    // The URL may carry a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    pub fn new(smtp_url: &str, from: &str) -> anyhow::Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| anyhow::anyhow!("HEZUO_SMTP_URL is not a usable SMTP address: {e}"))?
            .build();
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("HEZUO_MAIL_FROM is not an email address: {e}"))?;
        Ok(Mailer {
            transport,
            from,
            base_url: String::new(),
        })
    }

    /// The same mailer, with links in emails made absolute against `url` (e.g. `https://hezuo.example`).
    pub fn with_base_url(mut self, url: &str) -> Mailer {
        self.base_url = url.trim_end_matches('/').to_string();
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends one plain-text email to `name <email>`.
    pub async fn send(&self, name: &str, email: &str, subject: &str, body: &str) -> anyhow::Result<()> {
        let to: Mailbox = format!("{name} <{email}>")
            .parse()
            .or_else(|_| email.parse())
            .map_err(|e| anyhow::anyhow!("unusable email address {email}: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())?;
        self.transport.send(message).await?;
        Ok(())
    }
}

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RunSummary {
    /// People who got today's reminder in the app.
    pub notified: usize,
    /// Of those, emailed.
    pub emailed: usize,
    /// Already reminded today (by an earlier run): nothing sent.
    pub skipped: usize,
    /// Digests of the notification centre emailed (one per account per day at most; a reminder
    /// to someone with an account goes in theirs).
    pub digests: usize,
}

/// Sends today's reminders (the store's "today"); `days_before` e.g. `[7, 1]`.
pub async fn run_once(store: &Store, mailer: Option<&Mailer>, days_before: &[i64]) -> anyhow::Result<RunSummary> {
    let today = store.today();
    let mut summary = RunSummary::default();
    for p in store.reminders_due(today, days_before).await? {
        let (subject, body) = compose(&p.name, &p.items);
        if !store.claim_reminder(p.person_id, today, &subject, &body).await? {
            summary.skipped += 1;
            continue;
        }
        summary.notified += 1;
        // Someone who signs in hears of it in the platform, and by email in their day's digest.
        if store.person_has_account(p.person_id).await? {
            continue;
        }
        let (Some(mailer), Some(email)) = (mailer, p.email.as_deref()) else {
            continue;
        };
        match mailer.send(&p.name, email, &subject, &body).await {
            Ok(()) => {
                store.reminder_emailed(p.person_id, today).await?;
                summary.emailed += 1;
            }
            // The in-app reminder stands; the email is not retried the same day.
            Err(e) => tracing::warn!(person = p.person_id, error = %e, "reminder email failed"),
        }
    }
    if let Some(mailer) = mailer {
        summary.digests = crate::notifications::send_digests(store, mailer).await?;
    }
    Ok(summary)
}

/// Runs reminders every hour for as long as the server runs; each day's run happens once per person.
pub fn spawn_schedule(store: Store, mailer: Option<Mailer>, days_before: Vec<i64>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match run_once(&store, mailer.as_ref(), &days_before).await {
                Ok(s) if s.notified > 0 => tracing::info!(notified = s.notified, emailed = s.emailed, "reminders sent"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reminder run failed"),
            }
        }
    });
}
