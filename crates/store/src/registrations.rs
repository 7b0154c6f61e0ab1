//! Enterprise self-registration: the application and its pending account (written together), the
//! emailed code (its hash, expiry, wrong tries and sends), and the decision. Approval creates the
//! enterprise under its county's organisation, its contact person and binds the account to it, in
//! one transaction that first claims the pending row: a second approval or a rejection racing it
//! finds it decided (409) and creates nothing.
//!
//! Who reads an application: the office and leaders, and a coordinator whose subtree holds the
//! county's organisation (`parent_id`); who decides: the office and that coordinator
//! (`access::authorize`). The applicant reads their own through [`Store::registration_of_user`].

use crate::access::{Viewer, audit, authorize, snapshot};
use crate::notifications::{Note, To, notify_in};
use crate::sql::{Arg, Q, fetch_page};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use chrono::{DateTime, Duration, Utc};
use hezuo_domain::access::{Action, Role, Scope};
use hezuo_domain::codes::{division_name, industry_name};
use hezuo_domain::notification::NotificationKind;
use hezuo_domain::registration::{
    CODE_MINUTES, CODE_TRIES, MAX_SENDS, RESEND_SECONDS, Registration, RegistrationData, RegistrationStatus,
};
use hezuo_domain::{FieldErrors, ListParams, Msg, Page, RecordKind};
use sha2::{Digest, Sha256};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    credit_code: String,
    industry_code: String,
    region_code: String,
    parent_id: Option<i64>,
    contact_name: String,
    phone: String,
    email: String,
    user_id: i64,
    username: String,
    status: String,
    reason: Option<String>,
    organization_id: Option<i64>,
    person_id: Option<i64>,
    decided_by: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    email_verified_at: Option<DateTime<Utc>>,
    phone_checked: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLS: &str = "registration.id, registration.name, registration.credit_code, registration.industry_code, \
    registration.region_code, registration.parent_id, registration.contact_name, registration.phone, registration.email, \
    registration.user_id, u.username, registration.status, registration.reason, registration.organization_id, \
    registration.person_id, registration.decided_by, registration.decided_at, registration.email_verified_at, \
    registration.phone_checked, registration.created_at, registration.updated_at";
const FROM: &str = "from registration join user_account u on u.id = registration.user_id where 1 = 1";

impl From<Row> for Registration {
    fn from(r: Row) -> Self {
        Registration {
            id: r.id,
            industry_name: industry_name(&r.industry_code).map(str::to_string),
            region_name: division_name(&r.region_code),
            name: r.name,
            credit_code: r.credit_code,
            industry_code: r.industry_code,
            region_code: r.region_code,
            parent_id: r.parent_id,
            contact_name: r.contact_name,
            phone: r.phone,
            email: r.email,
            user_id: r.user_id,
            username: r.username,
            status: RegistrationStatus::parse(&r.status).unwrap_or(RegistrationStatus::Pending),
            reason: r.reason,
            organization_id: r.organization_id,
            person_id: r.person_id,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            email_verified_at: r.email_verified_at,
            phone_checked: r.phone_checked,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// What sending a code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeSend {
    /// Stored: send it now.
    Ready,
    /// Too soon after the last one: wait this many seconds.
    Wait(i64),
    /// No more codes for this application (the office checks by phone).
    Exhausted,
    /// Already verified, or decided: nothing to send.
    NotNeeded,
}

/// What typing a code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    Verified,
    /// Wrong: this many tries left before the code locks.
    Wrong(i64),
    Expired,
    /// Too many wrong tries: a new code must be sent.
    Locked,
    /// No code was sent (yet).
    NoCode,
}

/// A stored code: its hash, expiry, wrong tries, and when the email was verified.
type CodeRow = (Option<String>, Option<DateTime<Utc>>, i64, Option<DateTime<Utc>>);

fn code_hash(id: i64, code: &str) -> String {
    hex::encode(Sha256::digest(format!("registration:{id}:{}", code.trim()).as_bytes()))
}

/// A conflict on the credit code, in the applicant's words.
fn code_taken(code: &str, by: &str) -> StoreError {
    StoreError::Conflict(FieldErrors::one(
        "credit_code",
        Msg::new(
            format!("统一社会信用代码 {code} 已被{by}使用，不能重复注册"),
            format!("The credit code {code} is already used by {by}; it cannot register again"),
        ),
    ))
}

fn unique_violation(e: &StoreError) -> bool {
    matches!(e, StoreError::Db(sqlx::Error::Database(d)) if d.is_unique_violation())
}

async fn fetch(tx: &mut Tx, id: i64) -> Result<Registration> {
    let sql = format!("select {COLS} {FROM} and registration.id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}

/// The government organisation of `region` (the county's), else the city's top one.
async fn county_organization(tx: &mut Tx, region: &str) -> Result<Option<i64>> {
    let id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "select id from organization where kind = 'government' and region_code = $1 and archived = false order by id limit 1")
        .bind(region).fetch_optional(c).await)?;
    Ok(id)
}

impl Store {
    /// Files an application and creates its pending account (username: the credit code) in one
    /// transaction. Refuses a credit code an organisation or another open application uses; a
    /// rejected applicant applying again retires the old account. `challenge` is the solved
    /// proof-of-work challenge, used once. Returns the application (its account signs in at once).
    pub async fn create_registration(
        &self,
        d: &RegistrationData,
        challenge: &str,
        ip: Option<&str>,
    ) -> Result<Registration> {
        let hash = crate::accounts::hash_new_password("password", &d.password)?;
        match self.insert_registration(d, &hash, challenge, ip).await {
            // Two applications at once (PostgreSQL): the unique index decides; say it as the check would.
            Err(e) if unique_violation(&e) => Err(StoreError::Conflict(FieldErrors::one(
                "credit_code",
                Msg::new(
                    format!("统一社会信用代码 {} 已有注册申请，不能重复注册", d.credit_code),
                    format!("The credit code {} already has an application", d.credit_code),
                ),
            ))),
            r => r,
        }
    }

    async fn insert_registration(
        &self,
        d: &RegistrationData,
        hash: &str,
        challenge: &str,
        ip: Option<&str>,
    ) -> Result<Registration> {
        let mut tx = self.begin().await?;
        let org: Option<String> = on_tx!(&mut tx, c => sqlx::query_scalar(
            "select name from organization where credit_code = $1").bind(&d.credit_code).fetch_optional(c).await)?;
        if let Some(name) = org {
            return Err(code_taken(&d.credit_code, &format!("单位“{name}”")));
        }
        let open: Option<(i64, String)> = on_tx!(&mut tx, c => sqlx::query_as(
            "select id, status from registration where credit_code = $1 and status <> 'rejected'")
            .bind(&d.credit_code).fetch_optional(c).await)?;
        if open.is_some() {
            return Err(code_taken(&d.credit_code, "另一份注册申请"));
        }
        let used: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "select count(*) from registration where pow_challenge = $1").bind(challenge).fetch_one(c).await)?;
        if used > 0 {
            return Err(StoreError::invalid(
                "pow_nonce",
                Msg::new(
                    "验证题已使用过，请刷新页面后重新提交",
                    "This challenge was used already; reload the page and submit again",
                ),
            ));
        }
        let t = now();
        // A rejected applicant applying again: the old account is retired (disabled, renamed) and
        // its sessions end; its application stays, with the reason.
        let old: Option<i64> = on_tx!(&mut tx, c => sqlx::query_scalar(
            "select id from user_account where username = $1").bind(&d.credit_code).fetch_optional(c).await)?;
        if let Some(old) = old {
            let pending_rejected: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
                "select count(*) from registration where user_id = $1 and status = 'rejected'").bind(old).fetch_one(c).await)?;
            if pending_rejected == 0 {
                return Err(code_taken(&d.credit_code, "已有账号"));
            }
            on_tx!(&mut tx, c => sqlx::query(
                "update user_account set username = $1, disabled = true, updated_at = $2 where id = $3")
                .bind(format!("{}~{old}", d.credit_code)).bind(t).bind(old).execute(c).await.map(|r| r.rows_affected()))?;
            on_tx!(&mut tx, c => sqlx::query("delete from user_session where user_id = $1").bind(old)
                .execute(c).await.map(|r| r.rows_affected()))?;
        }
        let user_id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into user_account (username, password_hash, role, organization_id, person_id, must_change_password, \
             disabled, pending, created_at, updated_at) values ($1, $2, $3, null, null, false, false, true, $4, $4) returning id")
            .bind(&d.credit_code).bind(hash).bind(Role::Enterprise.as_str()).bind(t)
            .fetch_one(c).await)?;
        let parent = county_organization(&mut tx, &d.region_code).await?;
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into registration (name, credit_code, industry_code, region_code, parent_id, contact_name, phone, email, \
             user_id, status, pow_challenge, ip, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11, $12, $12) returning id")
            .bind(&d.name).bind(&d.credit_code).bind(&d.industry_code).bind(&d.region_code).bind(parent)
            .bind(&d.contact_name).bind(&d.phone).bind(&d.email).bind(user_id).bind(challenge).bind(ip).bind(t)
            .fetch_one(c).await)?;
        let v = Viewer {
            user_id: Some(user_id),
            username: d.credit_code.clone(),
            role: Role::Enterprise,
            scope: Scope::Org(0),
            ip: ip.map(str::to_string),
        };
        let snap = serde_json::json!({ "username": d.credit_code, "role": "enterprise", "pending": true });
        audit(&mut tx, &v, RecordKind::User, user_id, "create", None, Some(&snap)).await?;
        let after = fetch(&mut tx, id).await?;
        // Those who decide hear of it: the office, and the coordinators of the county's organisations.
        let coordinators: Vec<i64> = on_tx!(&mut tx, c => sqlx::query_scalar(
            "select u.id from user_account u join organization o on o.id = u.organization_id \
             where u.role = 'coordinator' and u.disabled = false and o.region_code = $1")
            .bind(&d.region_code).fetch_all(c).await)?;
        let mut to: Vec<To> = coordinators.into_iter().map(To::User).collect();
        to.push(To::Role(hezuo_domain::access::Role::Office));
        let note = Note::new(
            NotificationKind::Registration,
            format!("企业注册待审核：{}", d.name),
            format!(
                "{}（统一社会信用代码 {}）申请注册，请核实后通过或退回。",
                d.name, d.credit_code
            ),
            format!("/registrations/{id}"),
        );
        notify_in(&mut tx, &to, None, &note).await?;
        audit(
            &mut tx,
            &v,
            RecordKind::Registration,
            id,
            "create",
            None,
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        self.forget_auth();
        Ok(after)
    }

    /// The applications `v` may read, newest first, optionally of one status.
    pub async fn list_registrations(
        &self,
        v: &Viewer,
        status: Option<RegistrationStatus>,
        p: &ListParams,
    ) -> Result<Page<Registration>> {
        let mut q = Q::new(FROM);
        if let Some(s) = status {
            q.push(" and registration.status = ")
                .bind(Arg::Text(s.as_str().to_string()));
        }
        crate::access::restrict(&mut q, v, RecordKind::Registration, "registration");
        let (total, rows) = fetch_page!(self, Row, COLS, q, "registration.id desc", p);
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            ..Page::counted(total, p)
        })
    }

    /// One application `v` may read (404 otherwise).
    pub async fn get_registration(&self, v: &Viewer, id: i64) -> Result<Registration> {
        let mut tx = self.read().await?;
        crate::access::must_see(&mut tx, v, RecordKind::Registration, id).await?;
        let r = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// The application an account was made for (its latest), for the applicant's own page.
    pub async fn registration_of_user(&self, user_id: i64) -> Result<Option<Registration>> {
        let sql = format!("select {COLS} {FROM} and registration.user_id = $1 order by registration.id desc limit 1");
        let row: Option<Row> =
            on_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user_id).fetch_optional(p).await)?;
        Ok(row.map(Into::into))
    }

    /// Stores a new emailed code for application `id` (replacing the last one, with fresh tries),
    /// unless the last was sent less than [`RESEND_SECONDS`] ago or [`MAX_SENDS`] were sent.
    pub async fn store_registration_code(&self, id: i64, code: &str) -> Result<CodeSend> {
        let mut tx = self.begin().await?;
        crate::records::lock_exists(&mut tx, "registration", id).await?;
        let (status, verified, sends, sent_at): (String, Option<DateTime<Utc>>, i64, Option<DateTime<Utc>>) = on_tx!(&mut tx, c => sqlx::query_as(
            "select status, email_verified_at, code_sends, code_sent_at from registration where id = $1")
            .bind(id).fetch_one(c).await)?;
        if verified.is_some() || status != RegistrationStatus::Pending.as_str() {
            return Ok(CodeSend::NotNeeded);
        }
        let t = now();
        if let Some(last) = sent_at {
            let wait = RESEND_SECONDS - (t - last).num_seconds();
            if wait > 0 {
                return Ok(CodeSend::Wait(wait));
            }
        }
        if sends >= MAX_SENDS {
            return Ok(CodeSend::Exhausted);
        }
        on_tx!(&mut tx, c => sqlx::query(
            "update registration set code_hash = $1, code_expires_at = $2, code_attempts = 0, code_sends = code_sends + 1, \
             code_sent_at = $3, updated_at = $3 where id = $4")
            .bind(code_hash(id, code)).bind(t + Duration::minutes(CODE_MINUTES)).bind(t).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        tx.commit().await?;
        Ok(CodeSend::Ready)
    }

    /// Forgets the last stored code's send (the mail server refused it), so the applicant may ask
    /// again at once.
    pub async fn registration_code_unsent(&self, id: i64) -> Result<()> {
        on_db!(&self.db, p => sqlx::query(
            "update registration set code_hash = null, code_sent_at = null, code_sends = code_sends - 1 where id = $1 and code_sends > 0")
            .bind(id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Checks a typed code against application `id`'s, counting a wrong one; the right one marks
    /// the email verified (audited as the applicant).
    pub async fn verify_registration_code(&self, v: &Viewer, id: i64, code: &str) -> Result<CodeCheck> {
        let mut tx = self.begin().await?;
        crate::records::lock_exists(&mut tx, "registration", id).await?;
        let (hash, expires, attempts, verified): CodeRow = on_tx!(&mut tx, c => sqlx::query_as(
                "select code_hash, code_expires_at, code_attempts, email_verified_at from registration where id = $1")
                .bind(id).fetch_one(c).await)?;
        if verified.is_some() {
            return Ok(CodeCheck::Verified);
        }
        let (Some(hash), Some(expires)) = (hash, expires) else {
            return Ok(CodeCheck::NoCode);
        };
        if attempts >= CODE_TRIES {
            return Ok(CodeCheck::Locked);
        }
        let t = now();
        if t > expires {
            return Ok(CodeCheck::Expired);
        }
        if hash != code_hash(id, code) {
            on_tx!(&mut tx, c => sqlx::query("update registration set code_attempts = code_attempts + 1 where id = $1")
                .bind(id).execute(c).await.map(|r| r.rows_affected()))?;
            tx.commit().await?;
            let left = CODE_TRIES - attempts - 1;
            return Ok(if left <= 0 {
                CodeCheck::Locked
            } else {
                CodeCheck::Wrong(left)
            });
        }
        let before = fetch(&mut tx, id).await?;
        on_tx!(&mut tx, c => sqlx::query(
            "update registration set email_verified_at = $1, code_hash = null, updated_at = $1 where id = $2")
            .bind(t).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Registration,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(CodeCheck::Verified)
    }

    /// Claims a pending application for a decision: authorises `v`, then moves it out of pending
    /// (PostgreSQL: the row's lock; SQLite: the write lock), or says it was decided already.
    async fn claim_registration(tx: &mut Tx, v: &Viewer, id: i64) -> Result<Registration> {
        authorize(tx, v, RecordKind::Registration, Some(id), Action::Update).await?;
        let n = on_tx!(tx, c => sqlx::query(
            "update registration set updated_at = $1 where id = $2 and status = 'pending'")
            .bind(now()).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
        let r = fetch(tx, id).await?;
        if n == 0 {
            return Err(StoreError::conflict(
                "status",
                Msg::new(
                    format!("该注册申请已处理（{}），不能再审核", r.status.label().zh),
                    format!("This application was decided already ({})", r.status.label().en),
                ),
            ));
        }
        Ok(r)
    }

    /// Approves a pending application: in one transaction, the enterprise under its county's
    /// organisation, its contact person, the account bound to it as an enterprise, the decision.
    /// An application whose email is not verified needs `phone_checked` (the office called).
    pub async fn approve_registration(&self, v: &Viewer, id: i64, phone_checked: bool) -> Result<Registration> {
        let mut tx = self.begin().await?;
        let before = Self::claim_registration(&mut tx, v, id).await?;
        if before.email_verified_at.is_none() && !phone_checked {
            return Err(StoreError::invalid(
                "phone_checked",
                Msg::new(
                    "申请人的邮箱尚未验证：请先电话核实申请人身份，并勾选“已电话核实”后再通过",
                    "The applicant's email is not verified: call them first, then tick “checked by phone”",
                ),
            ));
        }
        let org: Option<String> = on_tx!(&mut tx, c => sqlx::query_scalar(
            "select name from organization where credit_code = $1").bind(&before.credit_code).fetch_optional(c).await)?;
        if let Some(name) = org {
            return Err(code_taken(&before.credit_code, &format!("单位“{name}”")));
        }
        let parent = match before.parent_id {
            Some(p) if crate::records::exists(&mut tx, "organization", p).await? => Some(p),
            _ => county_organization(&mut tx, &before.region_code).await?,
        };
        let parent = match parent {
            Some(p) => Some(p),
            None => on_tx!(&mut tx, c => sqlx::query_scalar(
                "select id from organization where kind = 'government' and parent_id is null and archived = false order by id limit 1")
                .fetch_optional(c).await)?,
        };
        let t = now();
        let org_id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into organization (parent_id, kind, name, short_name, region_code, credit_code, industry_code, \
             address, phone, description, archived, created_at, updated_at) \
             values ($1, 'enterprise', $2, null, $3, $4, $5, null, $6, null, false, $7, $7) returning id")
            .bind(parent).bind(&before.name).bind(&before.region_code).bind(&before.credit_code)
            .bind(&before.industry_code).bind(&before.phone).bind(t)
            .fetch_one(c).await)?;
        let org = crate::organizations::fetch(&mut tx, org_id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Organization,
            org_id,
            "create",
            None,
            Some(&snapshot(&org)),
        )
        .await?;
        let person_id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into person (organization_id, name, title, phone, email, is_expert, archived, created_at, updated_at) \
             values ($1, $2, '联系人', $3, $4, false, false, $5, $5) returning id")
            .bind(org_id).bind(&before.contact_name).bind(&before.phone).bind(&before.email).bind(t)
            .fetch_one(c).await)?;
        let person = crate::people::fetch(&mut tx, person_id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Person,
            person_id,
            "create",
            None,
            Some(&snapshot(&person)),
        )
        .await?;
        on_tx!(&mut tx, c => sqlx::query(
            "update user_account set organization_id = $1, pending = false, updated_at = $2 where id = $3")
            .bind(org_id).bind(t).bind(before.user_id).execute(c).await.map(|r| r.rows_affected()))?;
        audit(
            &mut tx,
            v,
            RecordKind::User,
            before.user_id,
            "update",
            Some(&serde_json::json!({ "pending": true, "organization_id": null })),
            Some(&serde_json::json!({ "pending": false, "organization_id": org_id })),
        )
        .await?;
        on_tx!(&mut tx, c => sqlx::query(
            "update registration set status = 'approved', organization_id = $1, person_id = $2, decided_by = $3, \
             decided_at = $4, phone_checked = $5, parent_id = $6, updated_at = $4 where id = $7")
            .bind(org_id).bind(person_id).bind(&v.username).bind(t).bind(phone_checked).bind(parent).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Registration,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        self.forget_auth();
        Ok(after)
    }

    /// Rejects a pending application with the reason the applicant will read.
    pub async fn reject_registration(&self, v: &Viewer, id: i64, reason: &str) -> Result<Registration> {
        let mut tx = self.begin().await?;
        let before = Self::claim_registration(&mut tx, v, id).await?;
        let t = now();
        on_tx!(&mut tx, c => sqlx::query(
            "update registration set status = 'rejected', reason = $1, decided_by = $2, decided_at = $3, updated_at = $3 \
             where id = $4")
            .bind(reason).bind(&v.username).bind(t).bind(id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let after = fetch(&mut tx, id).await?;
        audit(
            &mut tx,
            v,
            RecordKind::Registration,
            id,
            "update",
            Some(&snapshot(&before)),
            Some(&snapshot(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
