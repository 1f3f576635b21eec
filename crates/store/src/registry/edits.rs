//! An enterprise's edit history (ENT-1, migration 0021): one row per change,
//! written by the code that makes the change, inside its transaction — so an
//! edit and its history entry commit or roll back together. Read by the
//! profile's 变更记录 tab and `GET /api/v1/enterprises/{id}/history`, newest
//! first, through the (enterprise_id, at, id) index.
//!
//! The audit log (AUDIT-1) keeps the same facts for the whole system and
//! verifies them; it has only its sequence key, so reading one enterprise's
//! history there would scan it (decisions.md, "Indexes are few on purpose").

use chrono::{DateTime, Utc};
use serde::Serialize;
use yici_domain::org::Principal;
use yici_domain::registry::history::{EditAction, EditVia, FieldChange};

use crate::db::{Arg, Exec, Row, Tx};
use crate::error::{StoreError, StoreResult};
use crate::org::parse_code;
use crate::{args, Actor};

/// Who makes a change and how: the audit log's actor, and the snapshot the
/// history keeps.
#[derive(Debug, Clone)]
pub struct Editor {
    pub actor: Actor,
    pub person_id: Option<i64>,
    /// The name as the history shows it: the person's (or, for a secretary
    /// account, the department's) with the unit.
    pub name: String,
    pub via: EditVia,
}

impl Editor {
    pub fn of(principal: &Principal, via: EditVia) -> Editor {
        let name = match &principal.unit_name {
            Some(unit) if !principal.display_name.contains(unit.as_str()) => {
                format!("{}（{unit}）", principal.display_name)
            }
            _ => principal.display_name.clone(),
        };
        Editor {
            actor: Actor::from(principal),
            person_id: principal.person_id,
            name,
            via,
        }
    }

    /// The system itself (the demo loader).
    pub fn system() -> Editor {
        Editor {
            actor: Actor::system(),
            person_id: None,
            name: "系统".into(),
            via: EditVia::System,
        }
    }
}

/// One entry of an enterprise's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Edit {
    pub id: i64,
    pub enterprise_id: i64,
    pub at: DateTime<Utc>,
    pub account_id: Option<i64>,
    pub person_id: Option<i64>,
    /// The editor's name and unit at the time of the change.
    pub editor_name: String,
    pub via: EditVia,
    pub action: EditAction,
    /// The outlet or facility the change was about (`DA001 1号高炉排口`).
    pub subject: Option<String>,
    /// The fields changed: empty for a new enterprise, whose values are its record.
    pub changes: Vec<FieldChange>,
}

/// A change about to be recorded.
pub struct NewEdit<'a> {
    pub enterprise_id: i64,
    pub action: EditAction,
    pub subject: Option<String>,
    pub changes: &'a [FieldChange],
}

/// The columns a history row is written with, in [`row`] order.
pub const COLUMNS: &[&str] = &[
    "enterprise_id",
    "at",
    "account_id",
    "person_id",
    "editor_name",
    "via",
    "action",
    "subject",
    "changes",
];

/// The values of one history row (for bulk writes as well as [`record`]).
pub fn row(at: DateTime<Utc>, editor: &Editor, edit: NewEdit<'_>) -> Vec<Arg> {
    let changes = serde_json::to_string(edit.changes).unwrap_or_else(|_| "[]".into());
    args![
        edit.enterprise_id,
        at,
        editor.actor.account_id,
        editor.person_id,
        editor.name.as_str(),
        editor.via.as_str(),
        edit.action.as_str(),
        edit.subject,
        changes
    ]
}

/// Records one change, in the transaction that makes it.
pub async fn record(
    tx: &mut Tx,
    at: DateTime<Utc>,
    editor: &Editor,
    edit: NewEdit<'_>,
) -> StoreResult<()> {
    crate::db::insert_rows(
        tx,
        "registry_edits",
        COLUMNS,
        vec![row(at, editor, edit)],
        "",
    )
    .await?;
    Ok(())
}

/// A page of an enterprise's history, newest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EditPage {
    pub items: Vec<Edit>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

fn from_row(r: &Row) -> StoreResult<Edit> {
    let changes: String = r.get("changes")?;
    Ok(Edit {
        id: r.get("id")?,
        enterprise_id: r.get("enterprise_id")?,
        at: r.get("at")?,
        account_id: r.get("account_id")?,
        person_id: r.get("person_id")?,
        editor_name: r.get("editor_name")?,
        via: parse_code(&r.get::<String>("via")?, EditVia::parse)?,
        action: parse_code(&r.get::<String>("action")?, EditAction::parse)?,
        subject: r.get("subject")?,
        changes: serde_json::from_str(&changes)
            .map_err(|e| StoreError::internal(format!("registry edit changes: {e}")))?,
    })
}

/// Page `page` (from 1) of `per_page` entries, newest first.
pub async fn page(
    e: &mut impl Exec,
    enterprise_id: i64,
    page: i64,
    per_page: i64,
) -> StoreResult<EditPage> {
    let total = e
        .scalar_i64(
            "SELECT COUNT(*) FROM registry_edits WHERE enterprise_id = $1",
            args![enterprise_id],
        )
        .await?;
    let items = e
        .fetch_all(
            "SELECT id, enterprise_id, at, account_id, person_id, editor_name, via, action,
                    subject, changes
               FROM registry_edits WHERE enterprise_id = $1
              ORDER BY at DESC, id DESC LIMIT $2 OFFSET $3",
            args![enterprise_id, per_page, (page - 1) * per_page],
        )
        .await?
        .iter()
        .map(from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(EditPage {
        items,
        total,
        page,
        per_page,
    })
}
