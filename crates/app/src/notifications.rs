//! The day's digest of the notification centre: at each user's chosen hour (China time), one email
//! listing what they have not read yet of the kinds they want emailed. Each digest is claimed in the
//! store before it is sent, so a second run or a second server sends nothing twice; one that fails to
//! send is not retried that day (the notifications stay in the platform).

use crate::mail::Mailer;
use hezuo_domain::notification::compose_digest;
use hezuo_store::Store;

/// Sends the digests due now (the store's clock); returns how many went out.
pub async fn send_digests(store: &Store, mailer: &Mailer) -> anyhow::Result<usize> {
    let at = store.moment();
    let day = (at + chrono::Duration::hours(8)).date_naive();
    let mut sent = 0;
    for d in store.digests_due(at).await? {
        let ids: Vec<i64> = d.items.iter().map(|(id, _)| *id).collect();
        if !store.claim_digest(d.user_id, day, &ids).await? {
            continue;
        }
        let items: Vec<_> = d.items.into_iter().map(|(_, i)| i).collect();
        let (subject, body) = compose_digest(&d.name, &items, mailer.base_url());
        match mailer.send(&d.name, &d.email, &subject, &body).await {
            Ok(()) => sent += 1,
            Err(e) => tracing::warn!(user = d.user_id, error = %e, "digest email failed"),
        }
    }
    Ok(sent)
}
