//! Sending email over SMTP (`HEZUO_SMTP_URL`, `HEZUO_MAIL_FROM`): the one [`Mailer`] reminders and
//! self-registration codes and outcomes go through.

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

    /// Sends one plain-text message to `name <email>`.
    pub async fn send(&self, name: &str, email: &str, subject: &str, body: &str) -> anyhow::Result<()> {
        let to: Mailbox = format!("{name} <{email}>")
            .parse()
            .or_else(|_| email.parse())
            .map_err(|e| anyhow::anyhow!("unusable email address: {e}"))?;
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
