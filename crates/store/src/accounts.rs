//! Accounts: users with argon2id password hashes, server-side sessions, API tokens (stored as
//! SHA-256 hashes, shown once), login throttling per account and per address, and the [`Viewer`]
//! a signed-in user reads and writes as.

use crate::access::{Viewer, audit};
use crate::{Result, Store, StoreError, Tx, now, on_db, on_tx};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use chrono::{DateTime, Duration, Utc};
use hezuo_domain::access::{Anchor, Role, forbidden};
use hezuo_domain::{FieldErrors, Msg, RecordKind};
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub organization_id: Option<i64>,
    pub person_id: Option<i64>,
    pub must_change_password: bool,
    pub disabled: bool,
    /// Made by an enterprise's self-registration and not approved (yet): it signs in and sees only
    /// its own application.
    pub pending: bool,
    pub created_at: DateTime<Utc>,
}

/// Who a session or token is, as kept a few seconds by `auth_cache`.
#[derive(Clone)]
pub(crate) struct Known {
    pub user: User,
    /// The viewer without the address (each request brings its own).
    pub viewer: Viewer,
    /// A session's CSRF token; empty for an API token.
    pub csrf: String,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    role: String,
    organization_id: Option<i64>,
    person_id: Option<i64>,
    must_change_password: bool,
    disabled: bool,
    pending: bool,
    created_at: DateTime<Utc>,
}

const USER_COLS: &str =
    "id, username, role, organization_id, person_id, must_change_password, disabled, pending, created_at";

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            username: r.username,
            // An unknown role reads as the least powerful one.
            role: Role::parse(&r.role).unwrap_or(Role::Leader),
            organization_id: r.organization_id,
            person_id: r.person_id,
            must_change_password: r.must_change_password,
            disabled: r.disabled,
            pending: r.pending,
            created_at: r.created_at,
        }
    }
}

/// An API token as listed to its owner (the secret itself is shown only once, at creation).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

pub enum LoginOutcome {
    /// Signed in; `device` is the token that marks this browser as known to the user from now on
    /// (the one it sent, or a new one).
    Ok { user: User, device: String },
    /// Wrong name or password (never says which).
    Refused,
    /// Too many failures lately: try again after this many seconds.
    Throttled(i64),
}

/// How long a session lasts without signing in again.
pub const SESSION_HOURS: i64 = 12;
/// How long a browser stays known to a user after it last signed in.
pub const KNOWN_DEVICE_DAYS: i64 = 90;

/// A throttle on sign-in attempts: `free` failures, then each further one doubles the wait (from a
/// second) up to `max_wait` seconds. Failures older than [`FORGET_AFTER_MINUTES`] are forgotten.
#[derive(Clone, Copy)]
struct Limit {
    free: i64,
    max_wait: i64,
}

/// One account from one place (an address, or a browser it knows): the guessing that matters.
const PAIR: Limit = Limit { free: 3, max_wait: 900 };
/// One account from anywhere (many addresses guessing together): slows, never locks for long; a
/// browser the user signed in with before is not held by it.
const ACCOUNT: Limit = Limit { free: 10, max_wait: 60 };
/// One address, any account (one password tried on many accounts): high enough that the people
/// behind one office's NAT do not lock each other out, short waits.
const ADDRESS: Limit = Limit { free: 20, max_wait: 60 };
const FORGET_AFTER_MINUTES: i64 = 15;

/// A random secret, hex-encoded (`bytes` random bytes).
pub fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system provides randomness");
    hex::encode(buf)
}

fn sha256(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn hash_password(pw: &str) -> Result<String> {
    Argon2::default()
        .hash_password(pw.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Io(std::io::Error::other(format!("password hashing failed: {e}"))))
}

fn password_matches(pw: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
}

/// A one-time password people can type: 12 characters without look-alikes.
fn one_time_password() -> String {
    const CHARS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 12];
    getrandom::fill(&mut buf).expect("the operating system provides randomness");
    buf.iter().map(|b| CHARS[*b as usize % CHARS.len()] as char).collect()
}

fn check_new_password(pw: &str) -> Result<()> {
    check_password("new_password", pw)
}

/// Every account's password rule, the refusal naming `field`.
fn check_password(field: &str, pw: &str) -> Result<()> {
    let min = hezuo_domain::registration::MIN_PASSWORD_CHARS;
    if pw.chars().count() < min {
        return Err(StoreError::invalid(
            field,
            Msg::new(
                format!("密码至少 {min} 个字符"),
                format!("The password needs at least {min} characters"),
            ),
        ));
    }
    Ok(())
}

/// A new account's password checked by the rule every account follows (the refusal naming
/// `field`), then hashed.
pub(crate) fn hash_new_password(field: &str, pw: &str) -> Result<String> {
    check_password(field, pw)?;
    hash_password(pw)
}

fn check_username(name: &str) -> Result<()> {
    let ok =
        (2..=50).contains(&name.chars().count()) && name.chars().all(|c| c.is_alphanumeric() || "._-@".contains(c));
    if ok {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "username",
            Msg::new(
                "用户名应为 2–50 个字母、数字、汉字或 . _ - @",
                "A username has 2–50 letters, digits or . _ - @",
            ),
        ))
    }
}

impl Store {
    /// The secret named `name` that every server on this database shares (32 random bytes, hex),
    /// made by whichever asks first: the insert that loses a race keeps the winner's.
    pub async fn shared_secret(&self, name: &str) -> Result<String> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => sqlx::query(
            "insert into server_secret (name, value, created_at) values ($1, $2, $3) on conflict (name) do nothing")
            .bind(name).bind(random_secret(32)).bind(now()).execute(c).await.map(|r| r.rows_affected()))?;
        let value: String = on_tx!(&mut tx, c => sqlx::query_scalar("select value from server_secret where name = $1")
            .bind(name).fetch_one(c).await)?;
        tx.commit().await?;
        Ok(value)
    }

    /// Creates a user (office only, or the system) and returns it with its one-time password.
    /// Scoped roles need their anchor: an organisation, or for an expert a person.
    pub async fn add_user(
        &self,
        v: &Viewer,
        username: &str,
        role: Role,
        organization_id: Option<i64>,
        person_id: Option<i64>,
        password: Option<&str>,
    ) -> Result<(User, String)> {
        crate::access::check(v, RecordKind::User, hezuo_domain::access::Action::Create)?;
        check_username(username)?;
        let mut e = FieldErrors::new();
        match role.needs() {
            Anchor::Organization if organization_id.is_none() => e.add(
                "organization_id",
                Msg::new("该角色须指定所属单位", "This role needs an organisation"),
            ),
            Anchor::Person if person_id.is_none() => e.add(
                "person_id",
                Msg::new("专家角色须指定对应人员", "An expert account needs its person"),
            ),
            _ => {}
        }
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        // A generated password is for one use: the user must choose their own at first sign-in.
        let generated = password.is_none();
        let password = password.map(str::to_string).unwrap_or_else(one_time_password);
        let hash = hash_password(&password)?;
        let mut tx = self.begin().await?;
        if let Some(o) = organization_id
            && !crate::records::exists(&mut tx, "organization", o).await?
        {
            return Err(crate::access::unknown("organization_id", ("单位", "organisation"), o));
        }
        if let Some(p) = person_id
            && !crate::records::exists(&mut tx, "person", p).await?
        {
            return Err(crate::access::unknown("person_id", ("人员", "person"), p));
        }
        let taken: i64 = on_tx!(&mut tx, c => sqlx::query_scalar("select count(*) from user_account where username = $1")
            .bind(username).fetch_one(c).await)?;
        if taken > 0 {
            return Err(StoreError::Conflict(FieldErrors::one(
                "username",
                Msg::new(
                    format!("用户名“{username}”已被使用"),
                    format!("The username “{username}” is taken"),
                ),
            )));
        }
        let t = now();
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into user_account (username, password_hash, role, organization_id, person_id, must_change_password, \
             disabled, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, false, $7, $7) returning id")
            .bind(username).bind(&hash).bind(role.as_str()).bind(organization_id).bind(person_id)
            .bind(generated).bind(t)
            .fetch_one(c).await)?;
        let user = fetch_user(&mut tx, id).await?;
        let snap = serde_json::json!({ "username": username, "role": role.as_str(),
            "organization_id": organization_id, "person_id": person_id });
        audit(&mut tx, v, RecordKind::User, id, "create", None, Some(&snap)).await?;
        tx.commit().await?;
        Ok((user, password))
    }

    /// The accounts, for the office.
    pub async fn list_users(&self, v: &Viewer) -> Result<Vec<User>> {
        if v.role != Role::Office {
            return Err(StoreError::Forbidden(forbidden()));
        }
        let sql = format!("select {USER_COLS} from user_account order by id");
        let rows: Vec<UserRow> = on_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Checks a name and password. Every attempt is counted before the password is checked, in one
    /// write transaction per attempt, so simultaneous guesses are counted one after another; the
    /// counts then decide the waits — per account and place ([`PAIR`]: an address, or a browser the
    /// user signed in with before), per account ([`ACCOUNT`], which a known browser passes), per
    /// address ([`ADDRESS`]). A success forgives the account's failures and marks the browser known.
    /// The answer never says which of name and password was wrong.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        ip: Option<&str>,
        device: Option<&str>,
    ) -> Result<LoginOutcome> {
        let t = now();
        let known = match device {
            Some(d) => {
                on_db!(&self.db, p => sqlx::query_scalar::<_, i64>(
                "select count(*) from known_device k join user_account u on u.id = k.user_id \
                 where u.username = $1 and k.token_hash = $2 and k.last_seen_at > $3")
                .bind(username).bind(sha256(d)).bind(t - Duration::days(KNOWN_DEVICE_DAYS))
                .fetch_one(p).await)?
                    > 0
            }
            None => false,
        };
        let mut keys: Vec<(String, Limit)> = Vec::new();
        match (known, device, ip) {
            (true, Some(d), _) => keys.push((format!("device:{username}:{}", sha256(d)), PAIR)),
            (_, _, Some(ip)) => keys.push((format!("pair:{username}:{ip}"), PAIR)),
            _ => {}
        }
        if !known {
            keys.push((format!("user:{username}"), ACCOUNT));
            if let Some(ip) = ip {
                keys.push((format!("ip:{ip}"), ADDRESS));
            }
        }
        if let Some(wait) = self.count_attempt(&keys, t).await? {
            return Ok(LoginOutcome::Throttled(wait));
        }
        let row: Option<(i64, String, bool)> = on_db!(&self.db, p => sqlx::query_as(
            "select id, password_hash, disabled from user_account where username = $1").bind(username).fetch_optional(p).await)?;
        // Hash even for an unknown name, so timing does not tell whether it exists.
        let ok = match &row {
            Some((_, hash, disabled)) => password_matches(password, hash) && !disabled,
            None => {
                static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
                let dummy = DUMMY.get_or_init(|| hash_password("not a password").unwrap_or_default());
                let _ = password_matches(password, dummy);
                false
            }
        };
        let Some((user_id, _, _)) = row.filter(|_| ok) else {
            return Ok(LoginOutcome::Refused);
        };
        let mut tx = self.begin().await?;
        for (key, _) in &keys {
            // The account is forgiven; the address only gets back the attempt that succeeded.
            let sql = if key.starts_with("ip:") {
                "update login_failure set failures = failures - 1 where key = $1 and failures > 0"
            } else {
                "delete from login_failure where key = $1"
            };
            on_tx!(&mut tx, c => sqlx::query(sql).bind(key).execute(c).await.map(|r| r.rows_affected()))?;
        }
        let device = match device.filter(|_| known) {
            Some(d) => d.to_string(),
            None => random_secret(32),
        };
        on_tx!(&mut tx, c => sqlx::query(
            "insert into known_device (token_hash, user_id, created_at, last_seen_at) values ($1, $2, $3, $3) \
             on conflict (token_hash) do update set last_seen_at = $3")
            .bind(sha256(&device)).bind(user_id).bind(t)
            .execute(c).await.map(|r| r.rows_affected()))?;
        let user = fetch_user(&mut tx, user_id).await?;
        tx.commit().await?;
        Ok(LoginOutcome::Ok { user, device })
    }

    /// Counts one attempt under each key, or, when a key's failures call for a wait that has not
    /// passed, counts nothing and returns the longest wait left (seconds). One write transaction:
    /// the keys' rows are locked (SQLite: the write lock; PostgreSQL: `for update`) from the check
    /// to the count.
    async fn count_attempt(&self, keys: &[(String, Limit)], t: DateTime<Utc>) -> Result<Option<i64>> {
        let mut tx = self.begin().await?;
        let mut counts = Vec::new();
        let mut wait = 0;
        for (key, limit) in keys {
            on_tx!(&mut tx, c => sqlx::query(
                "insert into login_failure (key, failures, created_at, updated_at) values ($1, 0, $2, $2) \
                 on conflict (key) do nothing")
                .bind(key).bind(t).execute(c).await.map(|r| r.rows_affected()))?;
            let lock = if matches!(tx, Tx::Postgres(_)) {
                " for update"
            } else {
                ""
            };
            let sql = format!("select failures, updated_at from login_failure where key = $1{lock}");
            let (n, last): (i64, DateTime<Utc>) =
                on_tx!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(key).fetch_one(c).await)?;
            let n = if t - last > Duration::minutes(FORGET_AFTER_MINUTES) {
                0
            } else {
                n
            };
            if n >= limit.free {
                let left = (1i64 << (n - limit.free).min(20)).min(limit.max_wait) - (t - last).num_seconds();
                wait = wait.max(left);
            }
            counts.push((key, n));
        }
        if wait > 0 {
            tx.rollback().await?;
            return Ok(Some(wait));
        }
        for (key, n) in counts {
            on_tx!(&mut tx, c => sqlx::query("update login_failure set failures = $1, updated_at = $2 where key = $3")
                .bind(n + 1).bind(t).bind(key).execute(c).await.map(|r| r.rows_affected()))?;
        }
        tx.commit().await?;
        Ok(None)
    }

    /// The viewer a user acts as: role, scope (from their organisation or person), address.
    pub async fn viewer_for(&self, user: &User, ip: Option<String>) -> Result<Viewer> {
        // A self-registered account awaiting approval reaches no organisation (the web lets it
        // reach only its own application's pages).
        if user.pending {
            return Ok(Viewer {
                user_id: Some(user.id),
                username: user.username.clone(),
                role: Role::Enterprise,
                scope: hezuo_domain::access::Scope::Org(0),
                ip,
            });
        }
        let person = match user.person_id {
            Some(p) => {
                let org: i64 = on_db!(&self.db, c => sqlx::query_scalar("select organization_id from person where id = $1")
                    .bind(p).fetch_one(c).await)?;
                Some((p, org))
            }
            None => None,
        };
        let scope = user
            .role
            .scope(user.organization_id, person)
            .ok_or(StoreError::Forbidden(forbidden()))?;
        Ok(Viewer {
            user_id: Some(user.id),
            username: user.username.clone(),
            role: user.role,
            scope,
            ip,
        })
    }

    /// Starts a session; returns (the cookie's secret, the form token that guards against CSRF).
    pub async fn create_session(&self, user_id: i64, ip: Option<&str>) -> Result<(String, String)> {
        let (secret, csrf) = (random_secret(32), random_secret(16));
        let t = now();
        on_db!(&self.db, p => sqlx::query(
            "insert into user_session (token_hash, user_id, csrf_token, ip, expires_at, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $6)")
            .bind(sha256(&secret)).bind(user_id).bind(&csrf).bind(ip).bind(t + Duration::hours(SESSION_HOURS)).bind(t)
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok((secret, csrf))
    }

    /// The user and CSRF token of a live session.
    pub async fn session(&self, secret: &str) -> Result<Option<(User, String)>> {
        let row: Option<(i64, String)> = on_db!(&self.db, p => sqlx::query_as(
            "select s.user_id, s.csrf_token from user_session s join user_account u on u.id = s.user_id \
             where s.token_hash = $1 and s.expires_at > $2 and u.disabled = false")
            .bind(sha256(secret)).bind(now()).fetch_optional(p).await)?;
        let Some((uid, csrf)) = row else { return Ok(None) };
        let mut tx = self.read().await?;
        let user = fetch_user(&mut tx, uid).await?;
        tx.commit().await?;
        Ok(Some((user, csrf)))
    }

    /// Who the API token `secret` is, for a request from `ip`: the user and the viewer they act
    /// as. Kept a few seconds in memory (see `auth_cache`), so a busy client costs no lookup.
    pub async fn token_auth(&self, secret: &str, ip: Option<String>) -> Result<Option<(User, Viewer)>> {
        let key = format!("t{}", sha256(secret));
        if let Some(k) = self.auth.get(&key) {
            return Ok(Some((k.user, Viewer { ip, ..k.viewer })));
        }
        let Some(user) = self.token_user(secret).await? else {
            return Ok(None);
        };
        let k = self.remember(key, user, String::new()).await?;
        Ok(Some((k.user, Viewer { ip, ..k.viewer })))
    }

    /// The viewer `user` acts as, kept under `key` in the auth cache with the session's `csrf`.
    async fn remember(&self, key: String, user: User, csrf: String) -> Result<Known> {
        let viewer = self.viewer_for(&user, None).await?;
        let k = Known { user, viewer, csrf };
        self.auth.put(key, k.clone());
        Ok(k)
    }

    /// Who the session cookie `secret` is, for a request from `ip`: the user, their viewer and the
    /// session's CSRF token; kept a few seconds like [`Store::token_auth`].
    pub async fn session_auth(&self, secret: &str, ip: Option<String>) -> Result<Option<(User, Viewer, String)>> {
        let key = format!("s{}", sha256(secret));
        if let Some(k) = self.auth.get(&key) {
            return Ok(Some((k.user, Viewer { ip, ..k.viewer }, k.csrf)));
        }
        let Some((user, csrf)) = self.session(secret).await? else {
            return Ok(None);
        };
        let k = self.remember(key, user, csrf).await?;
        Ok(Some((k.user, Viewer { ip, ..k.viewer }, k.csrf)))
    }

    /// Forgets who sessions and tokens are: an account, session, token or person changed.
    pub(crate) fn forget_auth(&self) {
        self.auth.forget();
    }

    pub async fn end_session(&self, secret: &str) -> Result<()> {
        self.forget_auth();
        on_db!(&self.db, p => sqlx::query("delete from user_session where token_hash = $1").bind(sha256(secret))
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Changes one's own password after checking the current one; ends the user's other sessions.
    pub async fn change_password(&self, user_id: i64, current: &str, new: &str, keep_session: &str) -> Result<()> {
        let hash: String = on_db!(&self.db, p => sqlx::query_scalar("select password_hash from user_account where id = $1")
            .bind(user_id).fetch_one(p).await)?;
        if !password_matches(current, &hash) {
            return Err(StoreError::invalid(
                "current_password",
                Msg::new("当前密码不正确", "The current password is not correct"),
            ));
        }
        check_new_password(new)?;
        let new_hash = hash_password(new)?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => sqlx::query(
            "update user_account set password_hash = $1, must_change_password = false, updated_at = $2 where id = $3")
            .bind(&new_hash).bind(now()).bind(user_id).execute(c).await.map(|r| r.rows_affected()))?;
        on_tx!(&mut tx, c => sqlx::query("delete from user_session where user_id = $1 and token_hash <> $2")
            .bind(user_id).bind(sha256(keep_session)).execute(c).await.map(|r| r.rows_affected()))?;
        tx.commit().await?;
        self.forget_auth();
        Ok(())
    }

    /// An administrator's reset: a new one-time password, all the user's sessions ended.
    pub async fn reset_password(&self, v: &Viewer, user_id: i64) -> Result<String> {
        crate::access::check(v, RecordKind::User, hezuo_domain::access::Action::Update)?;
        let pw = one_time_password();
        let hash = hash_password(&pw)?;
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => sqlx::query(
            "update user_account set password_hash = $1, must_change_password = true, updated_at = $2 where id = $3")
            .bind(&hash).bind(now()).bind(user_id).execute(c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        on_tx!(&mut tx, c => sqlx::query("delete from user_session where user_id = $1").bind(user_id)
            .execute(c).await.map(|r| r.rows_affected()))?;
        on_tx!(&mut tx, c => sqlx::query("delete from login_failure where key = (select 'user:' || username from user_account where id = $1)")
            .bind(user_id).execute(c).await.map(|r| r.rows_affected()))?;
        let (b, a) = (
            serde_json::json!({ "password": "…" }),
            serde_json::json!({ "password": "reset" }),
        );
        audit(&mut tx, v, RecordKind::User, user_id, "update", Some(&b), Some(&a)).await?;
        tx.commit().await?;
        self.forget_auth();
        Ok(pw)
    }

    /// A new API token for the user; the secret is returned once and only its hash is kept.
    pub async fn create_token(
        &self,
        user_id: i64,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(ApiToken, String)> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::invalid(
                "name",
                Msg::new(
                    "请填写令牌名称（不超过 100 字）",
                    "Give the token a name (at most 100 characters)",
                ),
            ));
        }
        if expires_at.is_some_and(|e| e <= now()) {
            return Err(StoreError::invalid(
                "expires_at",
                Msg::new("到期时间应在将来", "The expiry must be in the future"),
            ));
        }
        let secret = format!("hz_{}", random_secret(24));
        let t = now();
        let id: i64 = on_db!(&self.db, p => sqlx::query_scalar(
            "insert into api_token (user_id, name, token_hash, expires_at, created_at, updated_at) values ($1, $2, $3, $4, $5, $5) returning id")
            .bind(user_id).bind(name).bind(sha256(&secret)).bind(expires_at).bind(t).fetch_one(p).await)?;
        let tokens = self.list_tokens(user_id).await?;
        let token = tokens.into_iter().find(|k| k.id == id).ok_or(StoreError::NotFound)?;
        Ok((token, secret))
    }

    pub async fn list_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        Ok(on_db!(&self.db, p => sqlx::query_as(
            "select id, name, expires_at, revoked_at, created_at from api_token where user_id = $1 order by id")
            .bind(user_id).fetch_all(p).await)?)
    }

    /// Revokes one of the user's own tokens.
    pub async fn revoke_token(&self, user_id: i64, token_id: i64) -> Result<()> {
        let n = on_db!(&self.db, p => sqlx::query(
            "update api_token set revoked_at = $1, updated_at = $1 where id = $2 and user_id = $3 and revoked_at is null")
            .bind(now()).bind(token_id).bind(user_id).execute(p).await.map(|r| r.rows_affected()))?;
        self.forget_auth();
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// The user a live (not revoked, not expired) token belongs to.
    pub async fn token_user(&self, secret: &str) -> Result<Option<User>> {
        let uid: Option<i64> = on_db!(&self.db, p => sqlx::query_scalar(
            "select t.user_id from api_token t join user_account u on u.id = t.user_id where t.token_hash = $1 \
             and t.revoked_at is null and (t.expires_at is null or t.expires_at > $2) and u.disabled = false")
            .bind(sha256(secret)).bind(now()).fetch_optional(p).await)?;
        let Some(uid) = uid else { return Ok(None) };
        let mut tx = self.read().await?;
        let user = fetch_user(&mut tx, uid).await?;
        tx.commit().await?;
        Ok(Some(user))
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        let sql = format!("select {USER_COLS} from user_account where username = $1");
        let row: Option<UserRow> =
            on_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(p).await)?;
        Ok(row.map(Into::into))
    }
}

async fn fetch_user(tx: &mut Tx, id: i64) -> Result<User> {
    let sql = format!("select {USER_COLS} from user_account where id = $1");
    let row: Option<UserRow> =
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
