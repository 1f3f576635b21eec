//! 单位与处室: the unit tree with departments and their secretary accounts.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use yici_domain::org::Role;
use yici_store::org::departments::{self, Department};
use yici_store::org::units::{self, Unit};

use super::layout::Chrome;
use crate::error::PageResult;
use crate::session::WebUser;
use crate::state::AppState;

/// One unit of the tree, flattened with its depth for rendering.
pub struct UnitNode {
    pub unit: Unit,
    /// Whether the reader may switch the 办公室 invitation of this unit.
    pub may_set: bool,
    pub depth: usize,
    pub region: String,
    pub departments: Vec<Department>,
}

#[derive(Template)]
#[template(path = "org/tree.html")]
struct TreePage {
    chrome: Chrome,
    nodes: Vec<UnitNode>,
    show_logins: bool,
    partners: Vec<UnitNode>,
}

/// Depth-first order: each unit followed by its subordinates.
fn flatten(
    all: &[Unit],
    parent: Option<i64>,
    depth: usize,
    deps: &mut HashMap<i64, Vec<Department>>,
    out: &mut Vec<UnitNode>,
) {
    for u in all.iter().filter(|u| u.parent_id == parent) {
        out.push(UnitNode {
            may_set: false,
            unit: u.clone(),
            depth,
            region: units::region_path(&u.region_code),
            departments: deps.remove(&u.id).unwrap_or_default(),
        });
        flatten(all, Some(u.id), depth + 1, deps, out);
    }
}

pub async fn tree(
    State(state): State<AppState>,
    WebUser(session): WebUser,
) -> PageResult<Html<String>> {
    let mut db = state.db.clone();
    let all = units::list(&mut db).await?;
    let mut deps: HashMap<i64, Vec<Department>> = HashMap::new();
    for d in departments::list_all(&mut db).await? {
        deps.entry(d.unit_id).or_default().push(d);
    }
    let (ecology, partner): (Vec<Unit>, Vec<Unit>) = all
        .into_iter()
        .partition(|u| u.sector == yici_domain::org::Sector::Ecology);
    let mut nodes = Vec::new();
    flatten(&ecology, None, 0, &mut deps, &mut nodes);
    let mut partners = Vec::new();
    for u in partner {
        partners.push(UnitNode {
            may_set: false,
            region: units::region_path(&u.region_code),
            departments: deps.remove(&u.id).unwrap_or_default(),
            depth: 0,
            unit: u,
        });
    }
    for n in &mut nodes {
        n.may_set = units::may_set_invitations(&session.principal, n.unit.id);
    }
    let page = TreePage {
        chrome: Chrome::new(&session, "org"),
        nodes,
        partners,
        show_logins: session.principal.has(Role::SystemAdmin),
    };
    Ok(Html(page.render()?))
}

#[derive(serde::Deserialize)]
pub struct InvitationsForm {
    /// Present (`on`) when the box is ticked.
    #[serde(default)]
    invite_general: Option<String>,
}

/// 联合检查邀请办公室: the unit's choice, from the tree.
pub async fn set_invitations(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    axum::extract::Path(id): axum::extract::Path<i64>,
    crate::session::CsrfForm(f): crate::session::CsrfForm<InvitationsForm>,
) -> PageResult<axum::response::Redirect> {
    let mut tx = state.db.begin().await?;
    units::set_joint_invites_general(
        &mut tx,
        state.now(),
        &session.principal,
        id,
        f.invite_general.is_some(),
    )
    .await?;
    tx.commit().await?;
    Ok(axum::response::Redirect::to(&format!("/org#unit-{id}")))
}
