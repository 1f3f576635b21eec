//! The directed-extraction list (定向抽取, DRAW-6): a search page of
//! enterprises, each marked yellow or red for the asking unit, with whether
//! the asking department may still extract it and, if not, why.

use serde::Serialize;
use utoipa::ToSchema;
use yici_domain::draw::caps::Mark;
use yici_domain::draw::policy::DrawPolicy;
use yici_domain::registry::enterprise::EnterpriseStatus;

use super::{ledger, Initiator};
use crate::db::Db;
use crate::error::StoreResult;
use crate::registry::enterprises::Enterprise;
use crate::registry::search::{self, EnterpriseQuery};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MarkedEnterprise {
    pub enterprise: Enterprise,
    /// `none`, `yellow` (the unit has one capped task on it this year) or
    /// `red` (the unit has reached its cap).
    pub mark: &'static str,
    pub unit_used: u32,
    pub department_used: u32,
    pub all_levels_used: u32,
    /// Whether the asking department may extract it for a capped source.
    pub allowed: bool,
    /// Why not, or what to mind (positive list).
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MarkedPage {
    pub year: i64,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub items: Vec<MarkedEnterprise>,
}

pub async fn marked(
    mut db: &Db,
    policy: &DrawPolicy,
    who: &Initiator,
    year: i64,
    q: &EnterpriseQuery,
) -> StoreResult<MarkedPage> {
    let page = search::search(db, &who.scope, q).await?;
    let ids: Vec<i64> = page.items.iter().map(|e| e.id).collect();
    let usage = ledger::usage(&mut db, year, who.unit_id, who.department_id, &ids).await?;
    let items = page
        .items
        .into_iter()
        .map(|e| {
            let u = usage.get(&e.id).copied().unwrap_or_default();
            let mark = match policy.caps.mark(u) {
                Mark::None => "none",
                Mark::Yellow => "yellow",
                Mark::Red => "red",
            };
            let refusal = policy.caps.check(u).err();
            let closed = e.status == EnterpriseStatus::Closed;
            let note = if closed {
                Some("企业已关闭（注销），不能抽取".to_string())
            } else if let Some(r) = refusal {
                Some(r.message(&policy.caps))
            } else if e.positive_list {
                Some("正面清单企业：非必要不现场检查，现场检查须经执法主体负责人同意".to_string())
            } else {
                None
            };
            MarkedEnterprise {
                mark,
                unit_used: u.unit,
                department_used: u.department,
                all_levels_used: u.all_levels,
                allowed: refusal.is_none() && !closed,
                note,
                enterprise: e,
            }
        })
        .collect();
    Ok(MarkedPage {
        year,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items,
    })
}
