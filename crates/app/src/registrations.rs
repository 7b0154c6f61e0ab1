//! Enterprise self-registration's operations beyond one write: an application checked (its
//! fields, the city's counties, the proof of work) and filed, its email code made, stored and sent,
//! and the applicant told the decision. Without a mail server the application still goes in: the
//! page says no code can be sent and the office checks the applicant by phone before approving.

use crate::Result;
use crate::mail::Mailer;
use hezuo_domain::registration::{Registration, RegistrationInput, RegistrationStatus};
use hezuo_domain::{FieldErrors, Msg};
use hezuo_store::Store;
use hezuo_store::registrations::CodeSend;

/// What became of the emailed code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mail {
    Sent,
    /// The server has no mail configured: the office verifies by phone.
    NotConfigured,
    /// The mail server refused it; the applicant may ask again.
    Failed,
    /// Asked again too soon: wait this many seconds.
    Wait(i64),
    /// No more codes for this application.
    Exhausted,
    /// Verified already, or decided.
    NotNeeded,
}

impl Mail {
    /// What the applicant is told.
    pub fn words(self, email: &str) -> Msg {
        match self {
            Mail::Sent => Msg::new(
                format!("验证码已发送至 {email}，30 分钟内有效"),
                format!("A code was sent to {email}; it is valid for 30 minutes"),
            ),
            Mail::NotConfigured => Msg::new(
                "本平台未配置邮件发送，无法发送邮箱验证码：协调办将通过电话与联系人核实后审核",
                "This server sends no email, so no code can be sent: the office will check by phone before deciding",
            ),
            Mail::Failed => Msg::new(
                "验证码邮件发送失败，请稍后点击“重新发送验证码”",
                "The code could not be emailed; try “send the code again” later",
            ),
            Mail::Wait(s) => Msg::new(
                format!("验证码发送过于频繁，请 {s} 秒后再试"),
                format!("Codes are sent at most once a minute; try again in {s} seconds"),
            ),
            Mail::Exhausted => Msg::new(
                "验证码发送次数已达上限：协调办将通过电话核实",
                "No more codes can be sent: the office will check by phone",
            ),
            Mail::NotNeeded => Msg::new("邮箱已验证，无需再发送验证码", "The email is verified already"),
        }
    }
}

/// A six-digit code.
fn new_code() -> String {
    let bytes = hex::decode(hezuo_store::accounts::random_secret(4)).unwrap_or_default();
    let n = bytes.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b));
    format!("{:06}", n % 1_000_000)
}

/// Checks and files an application (fields and the proof of work refused together, by field),
/// then emails its code. `now` is seconds since the epoch.
pub async fn register(
    store: &Store,
    mailer: Option<&Mailer>,
    input: &RegistrationInput,
    ip: Option<&str>,
    now: i64,
) -> Result<(Registration, Mail)> {
    let city = store.city_region().await?;
    let checked = input.validate(city.as_deref());
    let challenge = input.pow_challenge.clone().unwrap_or_default();
    let pow = crate::pow::verify(&challenge, input.pow_nonce.as_deref().unwrap_or(""), now);
    let d = match (checked, pow) {
        (Ok(d), Ok(())) => d,
        (checked, pow) => {
            let mut e = checked.err().unwrap_or_else(FieldErrors::new);
            if let Err(m) = pow {
                e.add("pow_nonce", m);
            }
            return Err(e.into());
        }
    };
    let reg = store.create_registration(&d, &challenge, ip).await?;
    let mail = send_code(store, mailer, &reg).await?;
    Ok((reg, mail))
}

/// Makes, stores and emails a new code for `reg` (unless too soon, too many, or not needed).
pub async fn send_code(store: &Store, mailer: Option<&Mailer>, reg: &Registration) -> Result<Mail> {
    let Some(mailer) = mailer else {
        return Ok(Mail::NotConfigured);
    };
    let code = new_code();
    match store.store_registration_code(reg.id, &code).await? {
        CodeSend::Ready => {}
        CodeSend::Wait(s) => return Ok(Mail::Wait(s)),
        CodeSend::Exhausted => return Ok(Mail::Exhausted),
        CodeSend::NotNeeded => return Ok(Mail::NotNeeded),
    }
    let body = format!(
        "{}：\n\n您正在为“{}”注册市校合作平台企业账号。邮箱验证码：{code}\n\n验证码 30 分钟内有效。如非本人操作，请忽略本邮件。\n",
        reg.contact_name, reg.name
    );
    match mailer
        .send(
            &reg.contact_name,
            &reg.email,
            &format!("企业注册邮箱验证码：{code}"),
            &body,
        )
        .await
    {
        Ok(()) => Ok(Mail::Sent),
        Err(e) => {
            tracing::warn!(registration = reg.id, error = %e, "registration code email failed");
            store.registration_code_unsent(reg.id).await?;
            Ok(Mail::Failed)
        }
    }
}

/// Emails the applicant the decision (best effort: the page shows it either way).
pub async fn tell_decision(mailer: Option<&Mailer>, reg: &Registration) {
    let Some(mailer) = mailer else { return };
    let (subject, body) = match reg.status {
        RegistrationStatus::Approved => (
            "企业注册已通过审核".to_string(),
            format!(
                "{}：\n\n“{}”的注册申请已通过审核。请用统一社会信用代码 {} 和注册时设置的密码登录平台。\n",
                reg.contact_name, reg.name, reg.username
            ),
        ),
        RegistrationStatus::Rejected => (
            "企业注册未通过审核".to_string(),
            format!(
                "{}：\n\n“{}”的注册申请未通过审核。\n原因：{}\n\n如有疑问请联系协调办；修改后可重新注册。\n",
                reg.contact_name,
                reg.name,
                reg.reason.as_deref().unwrap_or("")
            ),
        ),
        RegistrationStatus::Pending => return,
    };
    if let Err(e) = mailer.send(&reg.contact_name, &reg.email, &subject, &body).await {
        tracing::warn!(registration = reg.id, error = %e, "registration decision email failed");
    }
}
