//! The second factor of an account (SEC-2): a TOTP secret, unconfirmed until
//! a first correct code, and ten single-use recovery codes kept as hashes.
//!
//! Every change is audited without the secret or a code. Codes are consumed by
//! conditional updates (`last_step < step`, `used_at IS NULL`), so two
//! requests with the same code — on one instance or two — cannot both pass.

use chrono::{DateTime, Utc};
use rand::RngCore;
use yici_domain::org::totp::{self, Refusal};
use yici_domain::org::{recovery_code, Principal};
use yici_domain::{DomainError, ErrorKind};

use crate::audit::{self, Change};
use crate::db::{Db, Exec, Tx};
use crate::error::StoreResult;
use crate::{args, Actor};

/// Where an account stands, for the account page.
#[derive(Debug, Clone)]
pub struct Status {
    /// Confirmed: asked for at every login.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Started but not yet confirmed: the QR code is still to be scanned.
    pub pending: Option<Enrolment>,
    /// Recovery codes not yet used.
    pub recovery_codes_left: i64,
}

impl Status {
    pub fn enabled(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

/// What the account needs to add the secret to an app.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// `otpauth://` URI, for the QR code.
    pub uri: String,
    /// The Base32 secret in groups of four, for typing by hand.
    pub grouped_secret: String,
}

impl Enrolment {
    fn of(login: &str, secret: &[u8]) -> Enrolment {
        Enrolment {
            uri: totp::otpauth_uri(login, secret),
            grouped_secret: totp::grouped_secret(secret),
        }
    }
}

/// The secret row of an account.
struct Secret {
    secret: Vec<u8>,
    confirmed: bool,
    last_step: Option<i64>,
}

async fn secret_of(e: &mut impl Exec, account_id: i64) -> StoreResult<Option<Secret>> {
    let Some(row) = e
        .fetch_optional(
            "SELECT secret, confirmed_at, last_step FROM second_factors WHERE account_id = $1",
            args![account_id],
        )
        .await?
    else {
        return Ok(None);
    };
    let text: String = row.get("secret")?;
    let confirmed_at: Option<DateTime<Utc>> = row.get("confirmed_at")?;
    Ok(Some(Secret {
        secret: totp::base32_decode(&text).ok_or_else(|| {
            crate::StoreError::internal(format!("second factor of {account_id}: bad secret"))
        })?,
        confirmed: confirmed_at.is_some(),
        last_step: row.get("last_step")?,
    }))
}

pub async fn status(mut db: &Db, principal: &Principal) -> StoreResult<Status> {
    let account_id = principal.account_id;
    let row = db
        .fetch_optional(
            "SELECT secret, confirmed_at FROM second_factors WHERE account_id = $1",
            args![account_id],
        )
        .await?;
    let left = db
        .scalar_i64(
            "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
            args![account_id],
        )
        .await?;
    let Some(row) = row else {
        return Ok(Status {
            confirmed_at: None,
            pending: None,
            recovery_codes_left: 0,
        });
    };
    let confirmed_at: Option<DateTime<Utc>> = row.get("confirmed_at")?;
    let pending = match confirmed_at {
        Some(_) => None,
        None => totp::base32_decode(&row.get::<String>("secret")?)
            .map(|secret| Enrolment::of(&principal.login, &secret)),
    };
    Ok(Status {
        confirmed_at,
        pending,
        recovery_codes_left: left,
    })
}

/// Whether an account must give a code at login.
pub async fn enabled(e: &mut impl Exec, account_id: i64) -> StoreResult<bool> {
    Ok(secret_of(e, account_id).await?.is_some_and(|s| s.confirmed))
}

fn already_enabled() -> DomainError {
    DomainError::new(
        ErrorKind::Conflict,
        "second_factor_enabled",
        "两步验证已启用；如需更换手机，请先停用再重新启用",
    )
}

fn not_enabled() -> DomainError {
    DomainError::new(
        ErrorKind::Conflict,
        "second_factor_not_enabled",
        "尚未启用两步验证",
    )
}

/// Starts (or restarts) enrolment with a fresh random secret. An earlier
/// unconfirmed secret is replaced: only the QR code shown last works.
pub async fn start(db: &Db, now: DateTime<Utc>, principal: &Principal) -> StoreResult<Enrolment> {
    let mut secret = [0u8; totp::SECRET_BYTES];
    rand::thread_rng().fill_bytes(&mut secret);
    let account_id = principal.account_id;
    let mut tx = db.begin().await?;
    // The conditional upsert leaves a confirmed secret alone: zero rows.
    let changed = tx
        .execute(
            "INSERT INTO second_factors (account_id, secret, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (account_id) DO UPDATE
                SET secret = excluded.secret, created_at = excluded.created_at, last_step = NULL
              WHERE second_factors.confirmed_at IS NULL",
            args![account_id, totp::base32_encode(&secret), now],
        )
        .await?;
    if changed == 0 {
        return Err(already_enabled().into());
    }
    audit::record(
        &mut tx,
        now,
        &Actor::from(principal),
        Change::<(), _> {
            action: "second_factor.start",
            entity: "account",
            entity_id: account_id.to_string(),
            before: None,
            after: Some(&serde_json::json!({"login": principal.login, "confirmed": false})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Enrolment::of(&principal.login, &secret))
}

/// The Chinese refusal of a code typed on the account page.
fn refused(field: &'static str, refusal: Refusal) -> DomainError {
    match refusal {
        Refusal::Malformed => DomainError::field(
            field,
            "invalid_second_factor",
            "请输入验证器App上显示的6位数字动态口令",
        ),
        Refusal::Wrong => DomainError::field(
            field,
            "invalid_second_factor",
            "动态口令不正确，请核对手机时间后输入当前显示的口令",
        ),
        Refusal::Replayed => DomainError::field(
            field,
            "invalid_second_factor",
            "该动态口令已使用过，请等待下一个口令",
        ),
    }
}

/// Confirms enrolment with a first correct code; returns the ten recovery
/// codes, in clear this once. A wrong code confirms nothing.
pub async fn confirm(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    code: &str,
) -> StoreResult<Vec<String>> {
    let account_id = principal.account_id;
    let mut tx = db.begin().await?;
    let secret = match secret_of(&mut tx, account_id).await? {
        None => {
            return Err(DomainError::new(
                ErrorKind::Conflict,
                "second_factor_not_started",
                "请先点击“启用”获取二维码",
            )
            .into())
        }
        Some(s) if s.confirmed => return Err(already_enabled().into()),
        Some(s) => s,
    };
    let step = totp::verify(&secret.secret, code, now.timestamp(), secret.last_step)
        .map_err(|r| refused("code", r))?;
    let changed = tx
        .execute(
            "UPDATE second_factors SET confirmed_at = $2, last_step = $3
              WHERE account_id = $1 AND confirmed_at IS NULL",
            args![account_id, now, step],
        )
        .await?;
    if changed == 0 {
        return Err(already_enabled().into());
    }
    let codes = replace_recovery_codes(&mut tx, now, account_id).await?;
    audit::record(
        &mut tx,
        now,
        &Actor::from(principal),
        Change::<(), _> {
            action: "second_factor.confirm",
            entity: "account",
            entity_id: account_id.to_string(),
            before: None,
            after: Some(&serde_json::json!({
                "login": principal.login,
                "confirmed_at": now,
                "recovery_codes": codes.len(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Drops the account's recovery codes and makes ten new ones.
async fn replace_recovery_codes(
    tx: &mut Tx,
    now: DateTime<Utc>,
    account_id: i64,
) -> StoreResult<Vec<String>> {
    tx.execute(
        "DELETE FROM recovery_codes WHERE account_id = $1",
        args![account_id],
    )
    .await?;
    let mut codes = Vec::with_capacity(recovery_code::COUNT);
    while codes.len() < recovery_code::COUNT {
        let mut bytes = [0u8; recovery_code::LENGTH];
        rand::thread_rng().fill_bytes(&mut bytes);
        let code = recovery_code::from_random(bytes);
        // Fifty random bits never repeat in practice; the unique index
        // would refuse it if they did.
        if codes.contains(&code) {
            continue;
        }
        tx.execute(
            "INSERT INTO recovery_codes (account_id, code_hash, created_at) VALUES ($1, $2, $3)",
            args![account_id, recovery_code::hash(account_id, &code), now],
        )
        .await?;
        codes.push(code);
    }
    Ok(codes.iter().map(|c| recovery_code::display(c)).collect())
}

/// Checks what a logged-in account typed to prove itself again before
/// switching the factor off or renewing codes: a current code (consumed like
/// at login) or the login password. Six digits are a code — a password has
/// at least eight characters (ORG-4), so the two never overlap.
async fn reauthenticate(
    tx: &mut Tx,
    now: DateTime<Utc>,
    account_id: i64,
    secret: &Secret,
    input: &str,
) -> StoreResult<()> {
    const FIELD: &str = "credential";
    if input.trim().is_empty() {
        return Err(DomainError::required(FIELD, "动态口令或登录密码").into());
    }
    if totp::typed_code(input).is_some() {
        let step = totp::verify(&secret.secret, input, now.timestamp(), secret.last_step)
            .map_err(|r| refused(FIELD, r))?;
        if !consume_step(tx, account_id, step).await? {
            return Err(refused(FIELD, Refusal::Replayed).into());
        }
        return Ok(());
    }
    let hash: String = tx
        .fetch_one(
            "SELECT password_hash FROM accounts WHERE id = $1",
            args![account_id],
        )
        .await?
        .get("password_hash")?;
    if crate::auth::verify_password(input.to_string(), hash).await {
        Ok(())
    } else {
        Err(DomainError::field(FIELD, "wrong_credential", "动态口令或登录密码不正确").into())
    }
}

/// Records a TOTP step as used, unless it or a later one already was.
async fn consume_step(e: &mut impl Exec, account_id: i64, step: i64) -> StoreResult<bool> {
    Ok(e.execute(
        "UPDATE second_factors SET last_step = $2
              WHERE account_id = $1 AND (last_step IS NULL OR last_step < $2)",
        args![account_id, step],
    )
    .await?
        == 1)
}

/// Switches the second factor off (a current code or the password needed);
/// the secret and every recovery code are deleted.
pub async fn disable(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    credential: &str,
) -> StoreResult<()> {
    let account_id = principal.account_id;
    let mut tx = db.begin().await?;
    let secret = match secret_of(&mut tx, account_id).await? {
        Some(s) if s.confirmed => s,
        _ => return Err(not_enabled().into()),
    };
    reauthenticate(&mut tx, now, account_id, &secret, credential).await?;
    tx.execute(
        "DELETE FROM recovery_codes WHERE account_id = $1",
        args![account_id],
    )
    .await?;
    tx.execute(
        "DELETE FROM second_factors WHERE account_id = $1",
        args![account_id],
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        &Actor::from(principal),
        Change::<_, ()> {
            action: "second_factor.disable",
            entity: "account",
            entity_id: account_id.to_string(),
            before: Some(&serde_json::json!({"login": principal.login, "confirmed": true})),
            after: None,
        },
    )
    .await?;
    tx.commit().await
}

/// Replaces the recovery codes (a current code or the password needed);
/// the old ones stop working at once.
pub async fn regenerate_recovery_codes(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    credential: &str,
) -> StoreResult<Vec<String>> {
    let account_id = principal.account_id;
    let mut tx = db.begin().await?;
    let secret = match secret_of(&mut tx, account_id).await? {
        Some(s) if s.confirmed => s,
        _ => return Err(not_enabled().into()),
    };
    reauthenticate(&mut tx, now, account_id, &secret, credential).await?;
    let codes = replace_recovery_codes(&mut tx, now, account_id).await?;
    audit::record(
        &mut tx,
        now,
        &Actor::from(principal),
        Change::<(), _> {
            action: "second_factor.regenerate_recovery_codes",
            entity: "account",
            entity_id: account_id.to_string(),
            before: None,
            after: Some(
                &serde_json::json!({"login": principal.login, "recovery_codes": codes.len()}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// The second step of a login: a 6-digit code, or else a recovery code.
/// `Err(refusal)` when neither is good; the caller counts it as a failed
/// login. A recovery code used is audited (one fewer left).
pub(crate) async fn verify_at_login(
    db: &Db,
    now: DateTime<Utc>,
    account_id: i64,
    login: &str,
    input: &str,
) -> StoreResult<Result<(), Refusal>> {
    let mut tx = db.begin().await?;
    let Some(secret) = secret_of(&mut tx, account_id)
        .await?
        .filter(|s| s.confirmed)
    else {
        return Ok(Err(Refusal::Wrong));
    };
    if totp::typed_code(input).is_some() {
        let outcome = match totp::verify(&secret.secret, input, now.timestamp(), secret.last_step) {
            Ok(step) if consume_step(&mut tx, account_id, step).await? => Ok(()),
            Ok(_) => Err(Refusal::Replayed),
            Err(r) => Err(r),
        };
        tx.commit().await?;
        return Ok(outcome);
    }
    let Some(code) = recovery_code::normalise(input) else {
        return Ok(Err(Refusal::Malformed));
    };
    let used = tx
        .execute(
            "UPDATE recovery_codes SET used_at = $3
              WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
            args![account_id, recovery_code::hash(account_id, &code), now],
        )
        .await?;
    if used == 0 {
        return Ok(Err(Refusal::Wrong));
    }
    let left = tx
        .scalar_i64(
            "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
            args![account_id],
        )
        .await?;
    audit::record(
        &mut tx,
        now,
        &Actor {
            account_id: Some(account_id),
            login: login.to_string(),
        },
        Change::<(), _> {
            action: "second_factor.use_recovery_code",
            entity: "account",
            entity_id: account_id.to_string(),
            before: None,
            after: Some(&serde_json::json!({"login": login, "recovery_codes_left": left})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}
