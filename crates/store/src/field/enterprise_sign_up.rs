//! 企业注册 with a code to the registry's contact mobile (SEC-5, APP-7).
//!
//! Step 1 ([`request_code`]): the USCC and the name. When the registry has
//! that enterprise under that name, with a valid contact mobile and no
//! account yet, a random six-digit code goes to that mobile through the SMS
//! outbox, in the transaction that stores its hash. Whatever the registry
//! holds, the caller hears the same ([`sign_up::CODE_SENT`]).
//!
//! Step 2 ([`sign_up`]): the USCC, the code and a password. The code is
//! good for 10 minutes and 5 tries; every failure reads
//! [`sign_up::wrong_code`]. The account's contact mobile is the one the code
//! went to: the code proved it.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde::Deserialize;
use utoipa::ToSchema;
use yici_domain::field::sign_up::{
    self, CodeRequest, SignUpLimits, CODE_DIGITS, CODE_VALID_MINUTES, MAX_CODE_ATTEMPTS,
};
use yici_domain::org::{mobile::mask, password, Mobile};
use yici_domain::DomainError;

use super::enterprise_accounts::{self, NewEnterpriseAccount};
use crate::audit::{self, Change};
use crate::auth::hash_password;
use crate::db::{Db, Exec};
use crate::error::StoreResult;
use crate::outbox::{self, NewSms};
use crate::{rate_limits, Actor};

/// The provider template of the code (`[sms.templates] sign_up_code`); its
/// one parameter is `code`.
pub const CODE_TEMPLATE: &str = "sign_up_code";

/// Bucket of every anonymous sign-up request (codes and activation
/// requests) per client address.
pub(crate) const ADDRESS_BUCKET: &str = "enterprise_sign_up:address";
const USCC_BUCKET: &str = "sign_up_code:uscc";

/// Step 1 as the API and the page send it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CodeRequestBody {
    /// 统一社会信用代码.
    #[serde(default)]
    pub uscc: String,
    /// 企业名称, as the registry has it (排污单位名称).
    #[serde(default)]
    pub enterprise_name: String,
}

/// Step 2.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SignUp {
    /// 统一社会信用代码: the login of the account.
    #[serde(default)]
    pub uscc: String,
    /// The six-digit code sent to the registry's contact mobile.
    #[serde(default)]
    pub code: String,
    /// ORG-4: 8–64 characters, three of upper, lower, digit, special.
    #[serde(default)]
    pub password: String,
    /// Pages ask twice; the API may leave it out.
    #[serde(default)]
    pub repeat_password: Option<String>,
}

/// Counts one anonymous sign-up request of the client address (codes and
/// activation requests alike).
pub(crate) async fn limit_address(
    db: &Db,
    now: DateTime<Utc>,
    limits: &SignUpLimits,
    client: &str,
) -> StoreResult<()> {
    rate_limits::hit(
        db,
        now,
        ADDRESS_BUCKET,
        client,
        limits.per_address_per_hour,
        Duration::hours(1),
        sign_up::rate_limited,
    )
    .await
}

/// The actor of what an anonymous caller sets off.
pub(crate) fn anonymous(client: &str) -> Actor {
    Actor {
        account_id: None,
        login: format!("anonymous@{client}"),
    }
}

/// Step 1: sends a code when the registry agrees, and answers `Ok` in
/// every case but malformed input and a rate limit (neither tells anything
/// about the registry).
pub async fn request_code(
    mut db: &Db,
    now: DateTime<Utc>,
    limits: &SignUpLimits,
    client: &str,
    body: &CodeRequestBody,
) -> StoreResult<()> {
    let req = CodeRequest::parse(&body.uscc, &body.enterprise_name)?;
    limit_address(db, now, limits, client).await?;
    rate_limits::hit(
        db,
        now,
        USCC_BUCKET,
        req.uscc.as_str(),
        limits.per_uscc_per_hour,
        Duration::hours(1),
        sign_up::rate_limited,
    )
    .await?;
    let Some(row) = db
        .fetch_optional(
            "SELECT e.id, e.name, e.contact_phone,
                    (SELECT COUNT(*) FROM accounts a WHERE a.login = e.uscc) AS accounts
               FROM enterprises e WHERE e.uscc = $1",
            crate::args![req.uscc.as_str()],
        )
        .await?
    else {
        return Ok(());
    };
    let enterprise_id: i64 = row.get("id")?;
    let registered: String = row.get("name")?;
    let phone: Option<String> = row.get("contact_phone")?;
    let mobile = phone.and_then(|p| Mobile::parse(&p, "contact_phone").ok());
    let (Some(mobile), true, 0) = (
        mobile,
        sign_up::same_name(&registered, &req.enterprise_name),
        row.get::<i64>("accounts")?,
    ) else {
        return Ok(());
    };
    let (code, salt) = {
        let mut rng = rand::rngs::OsRng;
        let code = format!(
            "{:0width$}",
            rng.gen_range(0..1_000_000),
            width = CODE_DIGITS
        );
        let salt = hex::encode(rng.gen::<[u8; 16]>());
        (code, salt)
    };
    let mut tx = db.begin().await?;
    // One live code per USCC: asking again voids the one before.
    tx.execute(
        "UPDATE sign_up_codes SET voided_at = $2
          WHERE uscc = $1 AND used_at IS NULL AND voided_at IS NULL",
        crate::args![req.uscc.as_str(), now],
    )
    .await?;
    let id = tx
        .scalar_i64(
            "INSERT INTO sign_up_codes (uscc, enterprise_id, mobile, salt, code_hash, attempts,
                                        created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, 0, $6, $7) RETURNING id",
            crate::args![
                req.uscc.as_str(),
                enterprise_id,
                mobile.as_str(),
                &salt,
                sign_up::code_hash(&salt, &code),
                now,
                now + Duration::minutes(CODE_VALID_MINUTES)
            ],
        )
        .await?;
    outbox::enqueue(
        &mut tx,
        now,
        &[NewSms {
            dedupe_key: format!("sign_up_code:{id}"),
            mobile: mobile.as_str().to_string(),
            template: CODE_TEMPLATE.to_string(),
            params_json: serde_json::json!({ "code": code }).to_string(),
            body: format!(
                "您正在开通生态环境执法服务企业端账号，验证码{code}，{CODE_VALID_MINUTES}分钟内有效。如非本企业操作，请忽略本短信。"
            ),
        }],
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        &anonymous(client),
        Change::<(), _> {
            action: "enterprise.sign_up_code",
            entity: "sign_up_code",
            entity_id: id.to_string(),
            before: None,
            after: Some(&serde_json::json!({
                "uscc": req.uscc.as_str(), "enterprise_id": enterprise_id,
                "mobile": mask(mobile.as_str()),
            })),
        },
    )
    .await?;
    tx.commit().await
}

/// Step 2: opens the account when the code is right; returns its id and login.
pub async fn sign_up(db: &Db, now: DateTime<Utc>, input: &SignUp) -> StoreResult<(i64, String)> {
    let uscc = sign_up::uscc(&input.uscc)?;
    if input.code.trim().is_empty() {
        return Err(DomainError::required("code", "验证码").into());
    }
    password::check_strength(&input.password, "password")?;
    if input
        .repeat_password
        .as_deref()
        .is_some_and(|r| r != input.password)
    {
        return Err(
            DomainError::field("repeat_password", "mismatch", "两次输入的密码不一致").into(),
        );
    }
    // Hashed before the code is looked at, so that a USCC without a code
    // costs the same time as one with a code.
    let hash = hash_password(input.password.clone()).await?;
    let mut tx = db.begin().await?;
    // A try is used up before the code is compared, atomically: concurrent
    // guesses cannot exceed the tries.
    let Some(row) = tx
        .fetch_optional(
            "UPDATE sign_up_codes SET attempts = attempts + 1
              WHERE uscc = $1 AND used_at IS NULL AND voided_at IS NULL
                AND expires_at > $2 AND attempts < $3
             RETURNING id, enterprise_id, mobile, salt, code_hash, attempts",
            crate::args![uscc.as_str(), now, MAX_CODE_ATTEMPTS],
        )
        .await?
    else {
        return Err(sign_up::wrong_code().into());
    };
    let id: i64 = row.get("id")?;
    let salt: String = row.get("salt")?;
    let stored: String = row.get("code_hash")?;
    if !sign_up::code_matches(&stored, &salt, &input.code) {
        if row.get::<i64>("attempts")? >= MAX_CODE_ATTEMPTS {
            tx.execute(
                "UPDATE sign_up_codes SET voided_at = $2 WHERE id = $1",
                crate::args![id, now],
            )
            .await?;
        }
        // The try is kept: committed before refusing.
        tx.commit().await?;
        return Err(sign_up::wrong_code().into());
    }
    tx.execute(
        "UPDATE sign_up_codes SET used_at = $2 WHERE id = $1",
        crate::args![id, now],
    )
    .await?;
    let mobile: String = row.get("mobile")?;
    let account = enterprise_accounts::open(
        &mut tx,
        now,
        None,
        NewEnterpriseAccount {
            uscc: uscc.as_str(),
            enterprise_id: row.get("enterprise_id")?,
            mobile: &mobile,
            password_hash: &hash,
            must_change_password: false,
            proof: "sms_code",
        },
    )
    .await?;
    tx.commit().await?;
    Ok((account, uscc.as_str().to_string()))
}
