//! Reminders: once a day, each responsible person with something due gets one in-app notification
//! and, when mail is configured (`HEZUO_SMTP_URL`, `HEZUO_MAIL_FROM`), one email listing it all.
//! A run claims each person's day in the store before sending, so running twice sends nothing twice.
//! Someone with an account hears of it in the notification centre and in the day's digest instead
//! of a separate email (see `notifications.rs`): one email a day.

pub use crate::mail::Mailer;
use hezuo_domain::reminder::compose;
use hezuo_store::Store;

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
