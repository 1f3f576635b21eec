//! `/draws/{id}`: a draw's record (conditions, candidates, commitment and
//! seed, the verification, the tasks it made), and `/public/draws/{id}`, the
//! same record as anyone sees it without login.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use yici_domain::draw::record::Verification;
use yici_domain::region;
use yici_domain::registry::enterprise::SupervisionCategory;
use yici_domain::registry::industry;
use yici_domain::time::display;
use yici_store::draw::draws::{self, Draw, PublicDraw};
use yici_store::draw::tasks;

use crate::error::{AppError, PageResult};
use crate::pages::layout::Chrome;
use crate::session::WebUser;
use crate::state::AppState;

/// One drawn enterprise or person, in the order drawn.
pub struct DrawnRow {
    pub order: usize,
    pub id: i64,
    pub name: String,
    pub task_id: Option<i64>,
}

/// What a draw page shows besides the record itself.
pub struct DrawView {
    pub d: Draw,
    pub kind_label: &'static str,
    pub drawn_at: String,
    pub enterprises: bool,
    pub rows: Vec<DrawnRow>,
    pub verified: Option<bool>,
    pub mismatches: Vec<&'static str>,
    pub filter: Vec<(String, String)>,
    pub filter_json: String,
    pub candidates: String,
    pub candidate_lines: usize,
    pub truncated: bool,
}

/// Candidate lines shown on a page; the full list is in the record (API, CLI).
const SHOWN_CANDIDATES: usize = 5000;

fn filter_lines(kind: &str, json: &str) -> Vec<(String, String)> {
    let value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let mut out = Vec::new();
    if let Some(map) = value.as_object() {
        for (k, v) in map {
            let text = match v {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) if s.trim().is_empty() => continue,
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
                other => other.to_string(),
            };
            let (label, text) = match k.as_str() {
                "keyword" => ("关键字", text),
                "city_code" => ("地市", region::name(&text).unwrap_or(&text).to_string()),
                "region_code" => ("区县", region::name(&text).unwrap_or(&text).to_string()),
                "industry" => ("行业", {
                    match industry::all().iter().find(|i| i.code == text) {
                        Some(i) => format!("{} {}", i.code, i.name),
                        None => text,
                    }
                }),
                "category" => (
                    "监管类别",
                    SupervisionCategory::parse(&text)
                        .map(|c| c.label().to_string())
                        .unwrap_or(text),
                ),
                "credit_grade" => (
                    "信用等级",
                    if text == "none" {
                        "未评价".into()
                    } else {
                        text
                    },
                ),
                "positive_list" => ("正面清单", text),
                "task_id" => ("任务编号", text),
                "include_subordinate" => ("包括下级单位对应处室", text),
                "date" => ("抽取日期", text),
                "page" | "per_page" | "sort" | "status" => continue,
                _ => continue,
            };
            out.push((label.to_string(), text));
        }
    }
    if kind == "enterprises" {
        if out.is_empty() {
            out.push(("查询条件".into(), "无（管辖范围内全部企业）".into()));
        }
        out.push((
            "固定条件".into(),
            "正常生产经营；不含正面清单企业；不含本单位、本处室或各级合计已达抽取频次上限的企业"
                .into(),
        ));
    } else {
        out.push((
            "固定条件".into(),
            "启用的执法人员，执法证在有效期内；不含声明回避的人员和手动指定的检查人员".into(),
        ));
    }
    out
}

fn verification_parts(v: &Verification) -> Vec<&'static str> {
    let mut out = Vec::new();
    if !v.candidates_hash_matches {
        out.push("候选名单哈希与记录不一致");
    }
    if !v.commitment_matches {
        out.push("承诺值与记录不一致");
    }
    if !v.result_matches {
        out.push("重新计算的抽取结果与记录不一致");
    }
    out
}

async fn draw_view(
    state: &AppState,
    p: PublicDraw,
    with_tasks: bool,
) -> Result<DrawView, AppError> {
    let d = p.draw;
    let enterprises = d.kind == "enterprises";
    let mut rows: Vec<DrawnRow> = p
        .drawn
        .iter()
        .enumerate()
        .map(|(i, (id, name))| DrawnRow {
            order: i + 1,
            id: *id,
            name: name.clone(),
            task_id: None,
        })
        .collect();
    if enterprises && with_tasks {
        let made = tasks::task_ids_of_draw(&state.db, d.id).await?;
        for r in rows.iter_mut() {
            r.task_id = made.get(&r.id).copied();
        }
    }
    let (candidates, candidate_lines, truncated) = match &d.candidates {
        Some(text) => {
            let lines = text.lines().count();
            let shown: String = if lines > SHOWN_CANDIDATES {
                text.lines()
                    .take(SHOWN_CANDIDATES)
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                text.clone()
            };
            (shown, lines, lines > SHOWN_CANDIDATES)
        }
        None => (String::new(), 0, false),
    };
    let filter_json = serde_json::from_str::<serde_json::Value>(&d.filter_json)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| d.filter_json.clone());
    Ok(DrawView {
        kind_label: draws::kind_label(&d.kind),
        drawn_at: display(d.drawn_at),
        enterprises,
        rows,
        verified: p.verification.as_ref().map(Verification::holds),
        mismatches: p
            .verification
            .as_ref()
            .map(verification_parts)
            .unwrap_or_default(),
        filter: filter_lines(&d.kind, &d.filter_json),
        filter_json,
        candidates,
        candidate_lines,
        truncated,
        d,
    })
}

#[derive(Template)]
#[template(path = "tasks/draw.html")]
struct DrawPage {
    chrome: Chrome,
    v: DrawView,
}

pub async fn draw(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Path(id): Path<i64>,
) -> PageResult<Html<String>> {
    let p = draws::internal(&state.db, &session.principal, id).await?;
    let v = draw_view(&state, p, true).await?;
    Ok(Html(
        DrawPage {
            chrome: Chrome::new(&session, "tasks"),
            v,
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "public/draw.html")]
struct PublicPage {
    v: DrawView,
}

/// A draw as anyone sees it, without login: the commitment at once; the seed,
/// the candidates and the result once every task of it is settled.
pub async fn public_draw(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> PageResult<Html<String>> {
    let p = draws::public(&state.db, id).await?;
    let v = draw_view(&state, p, false).await?;
    Ok(Html(PublicPage { v }.render()?))
}
