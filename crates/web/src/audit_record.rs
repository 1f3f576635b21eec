//! One record's audit trail, read field by field (issue 26 item 1): the
//! entries about a person (and their account), a unit or a department, each
//! with the fields it changed and their values before and after in words.
//! Shared by the page (`/audit/{kind}/{id}`) and the API.

use serde::Serialize;
use serde_json::Value;
use yici_domain::audit::diff::{diff, FieldChange};
use yici_domain::org::{
    BusinessLine, DepartmentKind, Gender, PersonStatus, Principal, Role, Sector, UnitLevel,
    MISSING_DEPARTMENT, MISSING_PERSON,
};
use yici_domain::{time, DomainError};
use yici_store::org::{accounts, admin, departments, people, units};
use yici_store::Db;

use crate::audit_words::{action_label, field_label};
use crate::error::AppError;

/// The kinds of record with a readable trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Person,
    Unit,
    Department,
}

impl RecordKind {
    pub fn parse(s: &str) -> Option<RecordKind> {
        match s {
            "person" => Some(RecordKind::Person),
            "unit" => Some(RecordKind::Unit),
            "department" => Some(RecordKind::Department),
            _ => None,
        }
    }
}

/// A record's trail: its title and entries, newest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordTrail {
    /// What the record is, e.g. 人员：张三（玉田县分局 · 大气股）.
    pub title: String,
    pub entries: Vec<TrailEntry>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrailEntry {
    /// The entry's number in the audit chain.
    pub seq: i64,
    /// When, as 2026-12-07 09:30 (Asia/Shanghai).
    pub at: String,
    /// The login of who did it (`system` for the platform itself).
    pub actor: String,
    /// The action's code, e.g. `account.grant_role`.
    pub action: String,
    /// The action in words, e.g. 授予角色.
    pub action_label: String,
    pub changes: Vec<TrailChange>,
}

/// One field an entry changed, in words.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrailChange {
    pub field: String,
    /// The field's name in words, e.g. 授予的角色.
    pub label: String,
    /// The value before, in words; empty when it had none.
    pub before: String,
    pub after: String,
}

/// Entries of one record are read by who may manage it: the system
/// administrator; a unit's administrators for their unit, its departments
/// and people; a department's secretary and administrator for the
/// department and its people. Others get the record's "not found" (SEC-3).
pub async fn trail(
    db: &Db,
    principal: &Principal,
    kind: RecordKind,
    id: i64,
) -> Result<RecordTrail, AppError> {
    let mut conn = db.clone();
    let administration = admin::administration(&mut conn, principal).await?;
    let (title, sources) = match kind {
        RecordKind::Person => {
            let p = people::get(&mut conn, id)
                .await?
                .filter(|p| {
                    administration.covers(p.unit_id)
                        || principal.can_manage_people_of(p.department_id)
                })
                .ok_or_else(|| DomainError::not_found(MISSING_PERSON))?;
            let mut sources = vec![("person", id.to_string())];
            if let Some(a) = accounts::of_person(&mut conn, chrono::Utc::now(), id).await? {
                sources.push(("account", a.account_id.to_string()));
            }
            (
                format!(
                    "人员：{}（{} · {}）",
                    p.name, p.unit_name, p.department_name
                ),
                sources,
            )
        }
        RecordKind::Unit => {
            let u = units::get(&mut conn, id)
                .await?
                .filter(|u| administration.covers(u.id))
                .ok_or_else(|| DomainError::not_found("单位不存在或无权查看"))?;
            (format!("单位：{}", u.name), vec![("unit", id.to_string())])
        }
        RecordKind::Department => {
            let d = departments::get(&mut conn, id)
                .await?
                .filter(|d| {
                    administration.covers(d.unit_id) || principal.can_manage_people_of(d.id)
                })
                .ok_or_else(|| DomainError::not_found(MISSING_DEPARTMENT))?;
            (
                format!("处室：{} · {}", d.unit_name, d.name),
                vec![("department", id.to_string())],
            )
        }
    };
    let mut entries = Vec::new();
    for (entity, entity_id) in sources {
        entries.extend(yici_store::audit::history(db, entity, &entity_id).await?);
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.seq));
    Ok(RecordTrail {
        title,
        entries: entries
            .into_iter()
            .map(|e| TrailEntry {
                seq: e.seq,
                at: time::display(e.at),
                actor: e.actor,
                action_label: action_label(&e.action),
                changes: changes(&e.entity, &e.before, &e.after),
                action: e.action,
            })
            .collect(),
    })
}

/// Fields in the order a reader looks for them: what the record is called
/// and where it sits, then its particulars, then its times. Ids are left
/// out — the names beside them say the same in words.
const FIELD_ORDER: &[&str] = &[
    "name",
    "short_name",
    "login",
    "granted_roles",
    "role",
    "locked_until",
    "must_change_password",
    "unit_name",
    "department_name",
    "level",
    "sector",
    "region_code",
    "kind",
    "business_line",
    "gender",
    "is_officer",
    "certificate_no",
    "certificate_valid_until",
    "mobile",
    "office_phone",
    "status",
    "is_admin",
    "secretary_login",
    "account_prefix",
    "joint_invites_general",
    "disabled_at",
    "password_changed_at",
    "ip",
    "failures",
    "created_at",
];
const HIDDEN: &[&str] = &[
    "id",
    "person_id",
    "account_id",
    "unit_id",
    "department_id",
    "parent_id",
];

fn changes(entity: &str, before: &str, after: &str) -> Vec<TrailChange> {
    let mut list: Vec<FieldChange> = diff(before, after)
        .into_iter()
        .filter(|c| !HIDDEN.contains(&c.field.as_str()))
        .collect();
    list.sort_by_key(|c| {
        FIELD_ORDER
            .iter()
            .position(|f| *f == c.field)
            .unwrap_or(FIELD_ORDER.len())
    });
    list.into_iter().map(|c| change(entity, c)).collect()
}

fn change(entity: &str, c: FieldChange) -> TrailChange {
    let text = |v: &Option<Value>| v.as_ref().map_or(String::new(), |v| words(&c.field, v));
    TrailChange {
        label: field_label(entity, &c.field)
            .unwrap_or(&c.field)
            .to_string(),
        before: text(&c.before),
        after: text(&c.after),
        field: c.field,
    }
}

/// A value in words: codes by their labels, times in Shanghai, 是/否.
fn words(field: &str, v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => {
            let joined: Vec<String> = items.iter().map(|i| words(field, i)).collect();
            if joined.is_empty() {
                "（无）".to_string()
            } else {
                joined.join("、")
            }
        }
        Value::Object(_) => v.to_string(),
        Value::String(s) => code_label(field, s).unwrap_or_else(|| {
            if field.ends_with("_at") || field == "locked_until" {
                chrono::DateTime::parse_from_rfc3339(s)
                    .map(|t| time::display(t.with_timezone(&chrono::Utc)))
                    .unwrap_or_else(|_| s.clone())
            } else {
                s.clone()
            }
        }),
    }
}

fn code_label(field: &str, s: &str) -> Option<String> {
    let label = match field {
        "gender" => Gender::parse(s).map(Gender::label),
        "status" => PersonStatus::parse(s).map(PersonStatus::label),
        "level" => UnitLevel::parse(s).map(UnitLevel::label),
        "sector" => Sector::parse(s).map(Sector::label),
        "kind" => DepartmentKind::parse(s).map(DepartmentKind::label),
        "business_line" => BusinessLine::parse(s).map(BusinessLine::label),
        "granted_roles" | "role" | "roles" => Role::parse(s).map(Role::label),
        _ => None,
    };
    label.map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_read_in_words() {
        assert_eq!(
            words("granted_roles", &json!(["unit_head", "office_clerk"])),
            "行政执法主体负责人、办公室"
        );
        assert_eq!(words("granted_roles", &json!([])), "（无）");
        assert_eq!(words("status", &json!("disabled")), "停用");
        assert_eq!(words("is_admin", &json!(true)), "是");
        assert_eq!(
            words("disabled_at", &json!("2026-12-07T01:30:00Z")),
            "2026-12-07 09:30"
        );
        assert_eq!(words("name", &json!("大气股")), "大气股");
    }
}
