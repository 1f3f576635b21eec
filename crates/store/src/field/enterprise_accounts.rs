//! Enterprise accounts (APP-7): the account's login is the enterprise's
//! 统一社会信用代码. It is opened only with proof of control (SEC-5): a code
//! to the registry's contact mobile ([`super::enterprise_sign_up`]) or the
//! department's activation ([`super::activation`]). Its home lists its
//! inspection history and the submitted results (read-only).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use yici_domain::DomainError;

use super::checkin::{self, FieldTask};
use crate::audit::{self, Change};
use crate::db::{Db, Exec, Tx};
use crate::error::StoreResult;
use crate::Actor;

/// The enterprise behind an enterprise account.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseRef {
    pub id: i64,
    pub name: String,
    pub uscc: String,
    pub contact_mobile: Option<String>,
}

/// An enterprise account to open, once control of the enterprise is proven.
pub struct NewEnterpriseAccount<'a> {
    /// The login: the enterprise's USCC as the registry holds it.
    pub uscc: &'a str,
    pub enterprise_id: i64,
    /// The mobile the code went to, or the applicant's the department verified.
    pub mobile: &'a str,
    pub password_hash: &'a str,
    /// An initial password set by the department must be changed first.
    pub must_change_password: bool,
    /// How control was proven, for the audit trail: `sms_code`, `activation`.
    pub proof: &'static str,
}

/// Opens the account in the caller's transaction and audits it, by `actor`
/// (the officer who activated it) or else as the new account itself. One
/// account per enterprise: the login is unique, else 409 `duplicate`.
pub async fn open(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: Option<&Actor>,
    a: NewEnterpriseAccount<'_>,
) -> StoreResult<i64> {
    let id = tx
        .scalar_i64(
            "INSERT INTO accounts (login, kind, enterprise_id, contact_mobile, password_hash,
                                   must_change_password, password_changed_at, created_at)
             VALUES ($1, 'enterprise', $2, $3, $4, $5, $6, $6) RETURNING id",
            crate::args![
                a.uscc,
                a.enterprise_id,
                a.mobile,
                a.password_hash,
                a.must_change_password,
                now
            ],
        )
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                DomainError::conflict("duplicate", "该企业已开通账号，请直接登录")
                    .on("uscc")
                    .into()
            } else {
                e
            }
        })?;
    tx.execute(
        "INSERT INTO password_history (account_id, password_hash, created_at) VALUES ($1, $2, $3)",
        crate::args![id, a.password_hash, now],
    )
    .await?;
    let own = Actor {
        account_id: Some(id),
        login: a.uscc.to_string(),
    };
    audit::record(
        tx,
        now,
        actor.unwrap_or(&own),
        Change::<(), _> {
            action: "account.enterprise_sign_up",
            entity: "account",
            entity_id: id.to_string(),
            before: None,
            after: Some(&serde_json::json!({
                "login": a.uscc, "enterprise_id": a.enterprise_id, "mobile": a.mobile,
                "proof": a.proof, "must_change_password": a.must_change_password,
            })),
        },
    )
    .await?;
    Ok(id)
}

/// The enterprise of an enterprise account (none for other accounts).
pub async fn enterprise_of(mut db: &Db, account_id: i64) -> StoreResult<Option<EnterpriseRef>> {
    let row = db
        .fetch_optional(
            "SELECT e.id, e.name, e.uscc, a.contact_mobile FROM accounts a
               JOIN enterprises e ON e.id = a.enterprise_id
              WHERE a.id = $1 AND a.kind = 'enterprise'",
            crate::args![account_id],
        )
        .await?;
    row.map(|r| {
        Ok(EnterpriseRef {
            id: r.get("id")?,
            name: r.get("name")?,
            uscc: r.get("uscc")?,
            contact_mobile: r.get("contact_mobile")?,
        })
    })
    .transpose()
}

/// One inspection in an enterprise's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Inspection {
    #[serde(flatten)]
    pub task: FieldTask,
    /// Departments that submitted their result (empty until results exist).
    pub submitted_departments: Vec<String>,
}

/// The enterprise's inspections: tasks on it that were checked in or reached
/// 检查中 / 已完成, newest first. Tasks not yet visited stay confidential
/// (the list of drawn enterprises is not told in advance).
pub async fn history(
    mut db: &Db,
    enterprise_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Inspection>> {
    let ids: Vec<i64> = db
        .fetch_all(
            "SELECT id FROM tasks
              WHERE enterprise_id = $1
                AND (checked_in_at IS NOT NULL OR status IN ('in_progress', 'completed'))
              ORDER BY id DESC LIMIT 200",
            crate::args![enterprise_id],
        )
        .await?
        .iter()
        .map(|r| r.get::<i64>("id"))
        .collect::<StoreResult<_>>()?;
    let submitted = checkin::submitted_departments(db, &ids).await?;
    let names: std::collections::HashMap<i64, String> = if submitted.is_empty() {
        Default::default()
    } else {
        let all: Vec<i64> = submitted.values().flatten().copied().collect();
        let (sql, args) = crate::db::Sql::new(
            "SELECT d.id, u.name AS unit_name, d.name FROM departments d
               JOIN units u ON u.id = d.unit_id WHERE d.id IN ",
        )
        .push_in(all)
        .build();
        db.fetch_all(&sql, args)
            .await?
            .iter()
            .map(|r| Ok((r.get("id")?, r.get::<String>("name")?)))
            .collect::<StoreResult<_>>()?
    };
    let mut plans = checkin::plans(db, &ids, now).await?;
    plans.reverse();
    Ok(plans
        .into_iter()
        .map(|task| Inspection {
            submitted_departments: submitted
                .get(&task.id)
                .map(|ds| ds.iter().filter_map(|d| names.get(d).cloned()).collect())
                .unwrap_or_default(),
            task,
        })
        .collect())
}
