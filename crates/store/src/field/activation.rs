//! 申请开通 (SEC-5): an enterprise whose registry entry has no mobile, or an
//! outdated one, asks the department to open its account. The anonymous
//! request is kept whatever the registry holds, and answered alike
//! ([`sign_up::REQUEST_RECEIVED`]); a registry editor whose scope holds the
//! request's region checks the applicant and 开通 — the account opens on a
//! one-time initial password shown once to the officer, to be changed at
//! first login — or 驳回 with a reason.
//!
//! Who may decide (registry editors) is the web layer's check; here every
//! read and change is confined to the caller's scope, and a request outside
//! it is 404 like a missing one.

use chrono::{DateTime, Duration, Utc};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::field::sign_up::{self, ActivationInput, ActivationStatus, SignUpLimits};
use yici_domain::org::{password, Principal};
use yici_domain::DomainError;

use super::enterprise_accounts::{self, NewEnterpriseAccount};
use super::enterprise_sign_up::{anonymous, limit_address};
use crate::audit::{self, Change};
use crate::auth::hash_password;
use crate::db::{Db, Exec, Row, Sql};
use crate::error::StoreResult;
use crate::registry::search::Scope;
use crate::{rate_limits, Actor};

const USCC_BUCKET: &str = "activation:uscc";

/// 申请开通 as the API and the page send it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ActivationRequestBody {
    /// 统一社会信用代码.
    #[serde(default)]
    pub uscc: String,
    /// 企业名称.
    #[serde(default)]
    pub enterprise_name: String,
    /// 申请人姓名.
    #[serde(default)]
    pub applicant_name: String,
    /// 申请人手机号: the department calls it to verify, and it becomes the
    /// account's contact mobile.
    #[serde(default)]
    pub mobile: String,
    /// 申请说明 (e.g. 名录中的联系人手机已停用), at most 500 characters.
    #[serde(default)]
    pub note: String,
}

/// The registry's entry of a request's USCC, as it is now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistryEntry {
    pub enterprise_id: i64,
    /// 排污单位名称 as registered.
    pub name: String,
    /// Whether the name given equals it (spaces and bracket width aside).
    pub name_matches: bool,
    /// The environmental contact's phone in the registry.
    pub contact_phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivationRequest {
    pub id: i64,
    pub uscc: String,
    pub enterprise_name: String,
    pub applicant_name: String,
    pub mobile: String,
    pub note: String,
    pub status: ActivationStatus,
    pub status_label: String,
    pub created_at: DateTime<Utc>,
    /// None: the registry has no enterprise of this USCC (yet).
    pub registry: Option<RegistryEntry>,
    /// The enterprise already has an account (opened by code or otherwise).
    pub has_account: bool,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by_name: Option<String>,
    pub reject_reason: Option<String>,
}

const COLUMNS: &str = "r.id, r.uscc, r.enterprise_name, r.applicant_name, r.mobile, r.note,
    r.status, r.created_at, r.decided_at, r.decided_by_name, r.reject_reason,
    e.id AS enterprise_id, e.name AS registered_name, e.contact_phone,
    (SELECT COUNT(*) FROM accounts a WHERE a.login = r.uscc) AS accounts";

const FROM: &str = "FROM activation_requests r LEFT JOIN enterprises e ON e.uscc = r.uscc";

fn request_of(r: &Row) -> StoreResult<ActivationRequest> {
    let status = ActivationStatus::parse(&r.get::<String>("status")?)
        .ok_or_else(|| crate::error::StoreError::internal("unknown activation status"))?;
    let enterprise_name: String = r.get("enterprise_name")?;
    let registry = match r.get::<Option<i64>>("enterprise_id")? {
        Some(id) => {
            let name: String = r.get("registered_name")?;
            Some(RegistryEntry {
                enterprise_id: id,
                name_matches: sign_up::same_name(&name, &enterprise_name),
                name,
                contact_phone: r.get("contact_phone")?,
            })
        }
        None => None,
    };
    Ok(ActivationRequest {
        id: r.get("id")?,
        uscc: r.get("uscc")?,
        enterprise_name,
        applicant_name: r.get("applicant_name")?,
        mobile: r.get("mobile")?,
        note: r.get("note")?,
        status,
        status_label: status.label().to_string(),
        created_at: r.get("created_at")?,
        registry,
        has_account: r.get::<i64>("accounts")? > 0,
        decided_at: r.get("decided_at")?,
        decided_by_name: r.get("decided_by_name")?,
        reject_reason: r.get("reject_reason")?,
    })
}

/// Keeps a request, answered alike whatever the registry holds.
pub async fn request(
    mut db: &Db,
    now: DateTime<Utc>,
    limits: &SignUpLimits,
    client: &str,
    body: &ActivationRequestBody,
) -> StoreResult<()> {
    let input = ActivationInput::parse(
        &body.uscc,
        &body.enterprise_name,
        &body.applicant_name,
        &body.mobile,
        &body.note,
    )?;
    limit_address(db, now, limits, client).await?;
    rate_limits::hit(
        db,
        now,
        USCC_BUCKET,
        input.uscc.as_str(),
        limits.per_uscc_per_hour,
        Duration::hours(1),
        sign_up::rate_limited,
    )
    .await?;
    let registered = db
        .fetch_optional(
            "SELECT province_code, city_code, region_code FROM enterprises WHERE uscc = $1",
            crate::args![input.uscc.as_str()],
        )
        .await?;
    let (province, city, county) = match registered {
        Some(r) => (
            r.get("province_code")?,
            r.get("city_code")?,
            r.get("region_code")?,
        ),
        None => sign_up::uscc_region(&input.uscc),
    };
    let mut tx = db.begin().await?;
    let id = tx
        .scalar_i64(
            "INSERT INTO activation_requests (uscc, enterprise_name, applicant_name, mobile, note,
                    province_code, city_code, region_code, client_address, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10) RETURNING id",
            crate::args![
                input.uscc.as_str(),
                &input.enterprise_name,
                &input.applicant_name,
                input.mobile.as_str(),
                &input.note,
                &province,
                &city,
                &county,
                client,
                now
            ],
        )
        .await?;
    audit::record(
        &mut tx,
        now,
        &anonymous(client),
        Change::<(), _> {
            action: "enterprise.activation_request",
            entity: "activation_request",
            entity_id: id.to_string(),
            before: None,
            after: Some(&serde_json::json!({
                "uscc": input.uscc.as_str(), "enterprise_name": input.enterprise_name,
                "applicant_name": input.applicant_name, "mobile": input.mobile.as_str(),
                "note": input.note, "region_code": county,
            })),
        },
    )
    .await?;
    tx.commit().await
}

/// Requests in `scope`: pending ones first (oldest first: they waited
/// longest), then the last 100 decided, newest first; or those of one status.
pub async fn list(
    mut db: &Db,
    scope: &Scope,
    status: Option<ActivationStatus>,
) -> StoreResult<Vec<ActivationRequest>> {
    let mut out = Vec::new();
    let query = |condition: &str, order: &str| {
        let mut sql = Sql::new(&format!("SELECT {COLUMNS} {FROM} WHERE {condition}"));
        scope.push_condition(&mut sql, "r");
        sql.push(&format!(" ORDER BY {order}")).build()
    };
    let mut queries = Vec::new();
    if matches!(status, None | Some(ActivationStatus::Pending)) {
        queries.push(query("r.status = 'pending'", "r.created_at, r.id"));
    }
    let decided = match status {
        None => Some("r.status <> 'pending'"),
        Some(ActivationStatus::Activated) => Some("r.status = 'activated'"),
        Some(ActivationStatus::Rejected) => Some("r.status = 'rejected'"),
        Some(ActivationStatus::Pending) => None,
    };
    if let Some(condition) = decided {
        queries.push(query(condition, "r.decided_at DESC, r.id DESC LIMIT 100"));
    }
    for (text, args) in queries {
        for r in db.fetch_all(&text, args).await? {
            out.push(request_of(&r)?);
        }
    }
    Ok(out)
}

/// Pending requests in `scope`, for the 待办 line.
pub async fn pending_count(mut db: &Db, scope: &Scope) -> StoreResult<i64> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM activation_requests r WHERE r.status = 'pending'");
    scope.push_condition(&mut sql, "r");
    let (text, args) = sql.build();
    db.scalar_i64(&text, args).await
}

/// One request in `scope`; outside it, 404 as if it did not exist.
pub async fn get(mut db: &Db, scope: &Scope, id: i64) -> StoreResult<ActivationRequest> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} {FROM} WHERE r.id = "));
    sql.push_bind(id);
    scope.push_condition(&mut sql, "r");
    let (text, args) = sql.build();
    match db.fetch_optional(&text, args).await? {
        Some(r) => request_of(&r),
        None => Err(DomainError::not_found("开通申请不存在或不在本单位管辖范围内").into()),
    }
}

/// A request that is still pending, else 409 `already_decided`.
fn pending(request: ActivationRequest) -> StoreResult<ActivationRequest> {
    if request.status != ActivationStatus::Pending {
        return Err(DomainError::conflict(
            "already_decided",
            format!("该申请已处理（{}）", request.status.label()),
        )
        .into());
    }
    Ok(request)
}

/// An account just opened by 开通: the initial password is shown once, to
/// the officer, and never stored in the clear.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Activated {
    pub request: ActivationRequest,
    pub account_id: i64,
    /// The login: the USCC.
    pub login: String,
    /// One-time initial password, to be changed at first login.
    pub initial_password: String,
}

/// A random initial password of three groups of four (no 0/O, 1/l/I), that
/// meets the password rule (ORG-4): typed from a phone call, so readable.
pub fn initial_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    loop {
        let groups: Vec<String> = (0..3)
            .map(|_| {
                (0..4)
                    .map(|_| char::from(*ALPHABET.choose(&mut rng).expect("not empty")))
                    .collect()
            })
            .collect();
        let candidate = groups.join("-");
        let has = |f: fn(&char) -> bool| candidate.chars().any(|c| f(&c));
        let all_classes = has(char::is_ascii_uppercase)
            && has(char::is_ascii_lowercase)
            && has(char::is_ascii_digit);
        if all_classes && password::check_strength(&candidate, "password").is_ok() {
            return candidate;
        }
    }
}

/// 开通: the enterprise must be in the registry and in the officer's scope;
/// the account opens with the applicant's mobile and a one-time initial
/// password, in the transaction that marks the request.
pub async fn activate(
    mut db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    scope: &Scope,
    id: i64,
) -> StoreResult<Activated> {
    let request = pending(get(db, scope, id).await?)?;
    let Some(enterprise) = db
        .fetch_optional(
            "SELECT id, province_code, city_code, region_code FROM enterprises WHERE uscc = $1",
            crate::args![&request.uscc],
        )
        .await?
    else {
        return Err(DomainError::conflict(
            "not_in_registry",
            "企业名录中没有该统一社会信用代码，请先在一企一档中登记该企业，再开通账号",
        )
        .into());
    };
    let inside = scope.contains_region(
        &enterprise.get::<String>("province_code")?,
        &enterprise.get::<String>("city_code")?,
        &enterprise.get::<String>("region_code")?,
    );
    if !inside {
        return Err(DomainError::conflict(
            "out_of_scope",
            "该企业不在本单位管辖范围内，请由企业所在地生态环境部门开通",
        )
        .into());
    }
    let initial = initial_password();
    let hash = hash_password(initial.clone()).await?;
    let actor = Actor::from(principal);
    let mut tx = db.begin().await?;
    let account = enterprise_accounts::open(
        &mut tx,
        now,
        Some(&actor),
        NewEnterpriseAccount {
            uscc: &request.uscc,
            enterprise_id: enterprise.get("id")?,
            mobile: &request.mobile,
            password_hash: &hash,
            must_change_password: true,
            proof: "activation",
        },
    )
    .await?;
    decide(
        &mut tx,
        now,
        principal,
        id,
        ActivationStatus::Activated,
        None,
        Some(account),
    )
    .await?;
    tx.commit().await?;
    Ok(Activated {
        request: get(db, scope, id).await?,
        account_id: account,
        login: request.uscc,
        initial_password: initial,
    })
}

/// 驳回 with a reason (told to the applicant by the department).
pub async fn reject(
    db: &Db,
    now: DateTime<Utc>,
    principal: &Principal,
    scope: &Scope,
    id: i64,
    reason: &str,
) -> StoreResult<ActivationRequest> {
    let reason = sign_up::reject_reason(reason)?;
    pending(get(db, scope, id).await?)?;
    let mut tx = db.begin().await?;
    decide(
        &mut tx,
        now,
        principal,
        id,
        ActivationStatus::Rejected,
        Some(&reason),
        None,
    )
    .await?;
    tx.commit().await?;
    get(db, scope, id).await
}

/// Marks a pending request decided, only from pending (a concurrent second
/// decision fails instead of passing twice), and audits it.
async fn decide(
    tx: &mut crate::db::Tx,
    now: DateTime<Utc>,
    principal: &Principal,
    id: i64,
    status: ActivationStatus,
    reason: Option<&str>,
    account: Option<i64>,
) -> StoreResult<()> {
    let changed = tx
        .execute(
            "UPDATE activation_requests
                SET status = $2, decided_at = $3, decided_by_account_id = $4,
                    decided_by_name = $5, reject_reason = $6, account_id = $7
              WHERE id = $1 AND status = 'pending'",
            crate::args![
                id,
                status.as_str(),
                now,
                principal.account_id,
                &principal.display_name,
                reason,
                account
            ],
        )
        .await?;
    if changed != 1 {
        return Err(DomainError::conflict("already_decided", "该申请已处理").into());
    }
    audit::record(
        tx,
        now,
        &Actor::from(principal),
        Change {
            action: "enterprise.activation_decision",
            entity: "activation_request",
            entity_id: id.to_string(),
            before: Some(&serde_json::json!({"status": "pending"})),
            after: Some(&serde_json::json!({
                "status": status.as_str(), "reason": reason, "account_id": account,
            })),
        },
    )
    .await?;
    Ok(())
}
