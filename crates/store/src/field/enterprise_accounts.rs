//! Enterprise accounts (APP-7): an enterprise signs up with its 统一社会信用代码,
//! its name as the registry has it, a contact mobile and a password of its
//! own; the account's login is the USCC. Its home lists its inspection
//! history and the submitted results (read-only).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::org::{password, Mobile};
use yici_domain::registry::uscc::Uscc;
use yici_domain::DomainError;

use super::checkin::{self, FieldTask};
use crate::audit::{self, Change};
use crate::auth::hash_password;
use crate::db::{Db, Exec};
use crate::error::StoreResult;
use crate::Actor;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SignUp {
    /// 统一社会信用代码: must be in the registry.
    #[serde(default)]
    pub uscc: String,
    /// 企业名称: as the registry has it (排污单位名称).
    #[serde(default)]
    pub enterprise_name: String,
    /// 联系人手机号.
    #[serde(default)]
    pub mobile: String,
    /// ORG-4: 8–64 characters, three of upper, lower, digit, special.
    #[serde(default)]
    pub password: String,
    /// Pages ask twice; the API may leave it out.
    #[serde(default)]
    pub repeat_password: Option<String>,
}

/// The enterprise behind an enterprise account.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnterpriseRef {
    pub id: i64,
    pub name: String,
    pub uscc: String,
    pub contact_mobile: Option<String>,
}

/// Names compare without spaces and with full-width brackets as half-width:
/// （有限公司） and (有限公司) are the same name.
fn normalise_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

/// Opens an enterprise account after checking the registry; returns its id.
pub async fn sign_up(mut db: &Db, now: DateTime<Utc>, input: &SignUp) -> StoreResult<i64> {
    if input.uscc.trim().is_empty() {
        return Err(DomainError::required("uscc", "统一社会信用代码").into());
    }
    // Lenient: the registry may hold a code whose check character was accepted by hand.
    let (uscc, _) =
        Uscc::parse_lenient(input.uscc.trim()).map_err(|e| e.into_domain_error("uscc"))?;
    let name = input.enterprise_name.trim();
    if name.is_empty() {
        return Err(DomainError::required("enterprise_name", "企业名称").into());
    }
    if input.mobile.trim().is_empty() {
        return Err(DomainError::required("mobile", "联系人手机号").into());
    }
    let mobile = Mobile::parse(input.mobile.trim(), "mobile")?;
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
    let Some(row) = db
        .fetch_optional(
            "SELECT id, name FROM enterprises WHERE uscc = $1",
            crate::args![uscc.as_str()],
        )
        .await?
    else {
        return Err(DomainError::field(
            "uscc",
            "unknown_uscc",
            "企业名录中没有该统一社会信用代码，请核对或联系属地生态环境部门",
        )
        .into());
    };
    let enterprise_id: i64 = row.get("id")?;
    let registered: String = row.get("name")?;
    if normalise_name(&registered) != normalise_name(name) {
        return Err(DomainError::field(
            "enterprise_name",
            "name_mismatch",
            "企业名称与企业名录中登记的排污单位名称不一致",
        )
        .into());
    }
    let hash = hash_password(input.password.clone()).await?;
    let mut tx = db.begin().await?;
    let id = tx
        .scalar_i64(
            "INSERT INTO accounts (login, kind, enterprise_id, contact_mobile, password_hash,
                                   must_change_password, password_changed_at, created_at)
             VALUES ($1, 'enterprise', $2, $3, $4, FALSE, $5, $5) RETURNING id",
            crate::args![uscc.as_str(), enterprise_id, mobile.as_str(), &hash, now],
        )
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                DomainError::conflict("duplicate", "该企业已注册账号，请直接登录")
                    .on("uscc")
                    .into()
            } else {
                e
            }
        })?;
    tx.execute(
        "INSERT INTO password_history (account_id, password_hash, created_at) VALUES ($1, $2, $3)",
        crate::args![id, &hash, now],
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        &Actor {
            account_id: Some(id),
            login: uscc.as_str().to_string(),
        },
        Change::<(), _> {
            action: "account.enterprise_sign_up",
            entity: "account",
            entity_id: id.to_string(),
            before: None,
            after: Some(&serde_json::json!({
                "login": uscc.as_str(), "enterprise_id": enterprise_id, "mobile": mobile.as_str(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
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
