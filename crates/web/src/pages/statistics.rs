//! `/statistics` 统计分析 (STAT-1): KPI cards, server-side SVG charts with a
//! table under each, numbers linking to the tasks behind them
//! (`/statistics/tasks`), and `/statistics/export.xlsx` with the same tables
//! (one sheet each). The API in `api/statistics.rs` answers the same
//! [`yici_store::statistics::Statistics`].

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, Response};
use serde::Deserialize;
use yici_domain::org::{Principal, Role, UnitLevel};
use yici_domain::DomainError;
use yici_store::statistics::{self as stats, Figure, Figures, Request, Statistics};

use crate::charts::{bar_chart, line_chart, Chart, Series};
use crate::error::{AppError, PageResult};
use crate::pages::layout::Chrome;
use crate::pages::registry::Choice;
use crate::session::WebUser;
use crate::state::AppState;

/// The filters as typed (empty: the default).
#[derive(Deserialize, Default, Clone)]
pub struct StatsQuery {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub rollup: String,
    #[serde(default)]
    pub figure: String,
    #[serde(default)]
    pub group: String,
}

fn number(s: &str, field: &'static str) -> Result<Option<i64>, DomainError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| DomainError::invalid("invalid", "应为整数").on(field))
}

impl StatsQuery {
    pub async fn request(&self, state: &AppState, p: &Principal) -> Result<Request, AppError> {
        let rollup = matches!(self.rollup.trim(), "1" | "true" | "on");
        crate::statistics_access::request(
            state,
            p,
            number(&self.unit, "unit")?,
            rollup,
            number(&self.year, "year")?,
            number(&self.month, "month")?,
        )
        .await
    }
}

/// A figure as shown: rates with %, "—" when there is nothing to divide.
fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into())
}

fn dec(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into())
}

/// A table cell: text, a number for the export, and maybe a drill-down link.
pub struct Cell {
    pub text: String,
    pub value: Option<f64>,
    pub href: Option<String>,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            value: None,
            href: None,
        }
    }
    fn count(n: i64) -> Cell {
        Cell {
            text: n.to_string(),
            value: Some(n as f64),
            href: None,
        }
    }
    fn rate(v: Option<f64>) -> Cell {
        Cell {
            text: pct(v),
            value: v,
            href: None,
        }
    }
    fn ratio(v: Option<f64>) -> Cell {
        Cell {
            text: dec(v),
            value: v,
            href: None,
        }
    }
}

/// One table of the dashboard, and one sheet of the export.
pub struct Table {
    pub id: &'static str,
    pub title: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    /// Leading columns of text (left-aligned); the rest are numbers.
    pub text_cols: usize,
    /// Whether the table shows its own title (not when a panel heading does).
    pub show_title: bool,
}

/// What builds a drill-down link.
struct Links<'a> {
    req: &'a Request,
}

impl Links<'_> {
    fn href(&self, figure: Figure, group: Option<i64>, month: Option<i64>) -> String {
        let r = self.req;
        let mut s = format!(
            "/statistics/tasks?year={}&unit={}&figure={}",
            r.year,
            r.scope.unit_id,
            figure_name(figure)
        );
        if r.scope.rollup {
            s.push_str("&rollup=1");
        }
        if let Some(m) = month.or(r.month) {
            s.push_str(&format!("&month={m}"));
        }
        if let Some(g) = group {
            s.push_str(&format!("&group={g}"));
        }
        s
    }

    fn count(&self, n: i64, figure: Figure, group: Option<i64>, month: Option<i64>) -> Cell {
        let mut c = Cell::count(n);
        if n > 0 {
            c.href = Some(self.href(figure, group, month));
        }
        c
    }
}

pub fn figure_name(f: Figure) -> &'static str {
    match f {
        Figure::Visits => "visits",
        Figure::Joint => "joint",
        Figure::Single => "single",
        Figure::Lapsed => "lapsed",
        Figure::Late => "late",
        Figure::Unclosed => "unclosed",
        Figure::Overdue => "overdue",
    }
}

pub fn parse_figure(s: &str) -> Option<Figure> {
    [
        Figure::Visits,
        Figure::Joint,
        Figure::Single,
        Figure::Lapsed,
        Figure::Late,
        Figure::Unclosed,
        Figure::Overdue,
    ]
    .into_iter()
    .find(|f| figure_name(*f) == s)
}

/// The tables, in page order; the export writes the same.
pub fn tables(s: &Statistics, req: &Request) -> Vec<Table> {
    let l = Links { req };
    let who = if s.rollup {
        "单位"
    } else {
        "处（科）室"
    };
    let rows_of = |f: &dyn Fn(Option<i64>, &Figures) -> Vec<Cell>| {
        let mut rows: Vec<Vec<Cell>> = s
            .groups
            .iter()
            .map(|g| {
                let mut r = vec![Cell::text(g.name.clone())];
                r.extend(f(Some(g.key), &g.figures));
                r
            })
            .collect();
        let mut total = vec![Cell::text("合计")];
        total.extend(f(None, &s.total));
        rows.push(total);
        rows
    };
    let period = match s.month {
        Some(m) => format!("{}年{}月", s.year, m),
        None => format!("{}年", s.year),
    };
    let visits = Table {
        id: "table-visits",
        text_cols: 1,
        show_title: true,
        title: format!("{period} 检查与联合检查（按{who}）"),
        headers: vec![
            who,
            "检查次数",
            "检查企业数",
            "户均检查次数",
            "参与部门次数",
            "每次参与部门数",
            "联合检查",
            "单部门检查",
            "联合检查率",
            "减少入企次数",
            "减少比例",
        ],
        rows: rows_of(&|g, f| {
            vec![
                l.count(f.visits, Figure::Visits, g, None),
                Cell::count(f.enterprises),
                Cell::ratio(f.visits_per_enterprise),
                Cell::count(f.department_visits),
                Cell::ratio(f.departments_per_visit),
                l.count(f.joint_visits, Figure::Joint, g, None),
                l.count(f.single_visits, Figure::Single, g, None),
                Cell::rate(f.joint_percent),
                Cell::count(f.visits_saved),
                Cell::rate(f.saved_percent),
            ]
        }),
    };
    let answers = Table {
        id: "table-answers",
        text_cols: 1,
        show_title: true,
        title: format!(
            "{period} 参与确认及时性（按{}）",
            if s.rollup {
                "单位"
            } else {
                "被通知处室"
            }
        ),
        headers: vec![
            who,
            "通知数",
            "参与",
            "不参与",
            "逾期未确认",
            "待确认",
            "按时确认率",
        ],
        rows: rows_of(&|g, f| {
            vec![
                Cell::count(f.notices),
                Cell::count(f.joined),
                Cell::count(f.declined),
                l.count(f.lapsed, Figure::Lapsed, g, None),
                Cell::count(f.pending),
                Cell::rate(f.answered_percent),
            ]
        }),
    };
    let follow = Table {
        id: "table-follow",
        text_cols: 1,
        show_title: true,
        title: format!("{period} 结果提交与整改（按{who}）"),
        headers: vec![
            who,
            "提交结果",
            "按时提交",
            "逾期提交",
            "按时率",
            "整改事项",
            "已销号",
            "未销号",
            "整改逾期",
            "销号率",
        ],
        rows: rows_of(&|g, f| {
            vec![
                Cell::count(f.results),
                Cell::count(f.results_on_time),
                l.count(f.results_late, Figure::Late, g, None),
                Cell::rate(f.results_on_time_percent),
                Cell::count(f.rectifications),
                Cell::count(f.rectifications_closed),
                l.count(
                    f.rectifications - f.rectifications_closed,
                    Figure::Unclosed,
                    g,
                    None,
                ),
                l.count(f.rectifications_overdue, Figure::Overdue, g, None),
                Cell::rate(f.closure_percent),
            ]
        }),
    };
    let items = Table {
        id: "table-items",
        text_cols: 1,
        show_title: true,
        title: format!("{}年 检查事项平台使用率（按{who}）", s.year),
        headers: vec![who, "清单事项数", "已在平台使用", "使用率"],
        rows: rows_of(&|_, f| {
            vec![
                Cell::count(f.items_listed),
                Cell::count(f.items_used),
                Cell::rate(f.items_percent),
            ]
        }),
    };
    let mut monthly = Table {
        id: "table-months",
        text_cols: 1,
        show_title: true,
        title: format!("{}年 各月情况", s.year),
        headers: vec![
            "月份",
            "检查次数",
            "联合检查",
            "联合检查率",
            "减少入企次数",
            "减少比例",
            "按时确认率",
            "结果按时率",
            "整改销号率",
        ],
        rows: Vec::new(),
    };
    for m in &s.months {
        let f = &m.figures;
        monthly.rows.push(vec![
            Cell::text(format!("{}月", m.month)),
            l.count(f.visits, Figure::Visits, None, Some(m.month)),
            l.count(f.joint_visits, Figure::Joint, None, Some(m.month)),
            Cell::rate(f.joint_percent),
            Cell::count(f.visits_saved),
            Cell::rate(f.saved_percent),
            Cell::rate(f.answered_percent),
            Cell::rate(f.results_on_time_percent),
            Cell::rate(f.closure_percent),
        ]);
    }
    let mut caps = Table {
        id: "table-caps",
        text_cols: 3,
        show_title: false,
        title: format!("{}年 频次上限执行情况", s.year),
        headers: vec!["类别", "企业名称", "范围", "任务数", "上限或合理频次"],
        rows: vec![vec![
            Cell::text("有日常、专项检查任务的企业"),
            Cell::text(format!(
                "{} 家，其中未超上限 {} 家",
                s.caps.enterprises, s.caps.within
            )),
            Cell::text("执行率"),
            Cell::rate(s.caps.percent),
            Cell::text(""),
        ]],
    };
    for o in &s.caps.over {
        caps.rows.push(vec![
            Cell::text("超出频次上限"),
            Cell::text(o.enterprise_name.clone()),
            Cell::text(match o.scope.as_str() {
                "department" => format!("处室：{}", o.scope_name),
                "unit" => format!("单位：{}", o.scope_name),
                _ => "全部层级".into(),
            }),
            Cell::count(o.tasks),
            Cell::count(o.cap),
        ]);
    }
    for e in &s.caps.exempt_excess {
        caps.rows.push(vec![
            Cell::text("不限次来源超合理频次"),
            Cell::text(e.enterprise_name.clone()),
            Cell::text(format!("单位：{}", e.unit_name)),
            Cell::count(e.tasks),
            Cell::count(e.reasonable),
        ]);
    }
    let warnings = Table {
        id: "table-warnings",
        text_cols: 1,
        show_title: true,
        title: format!("{}年 监督预警", s.year),
        headers: vec!["预警类型", "待处理", "已关闭", "合计"],
        rows: s
            .warnings
            .iter()
            .map(|w| {
                vec![
                    Cell::text(w.kind_label.clone()),
                    Cell::count(w.open),
                    Cell::count(w.closed),
                    Cell::count(w.open + w.closed),
                ]
            })
            .collect(),
    };
    vec![visits, monthly, answers, follow, items, caps, warnings]
}

/// A KPI card.
pub struct Kpi {
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    pub note: String,
    /// `good`, `bad` or empty.
    pub mood: &'static str,
}

fn kpis(s: &Statistics) -> Vec<Kpi> {
    let t = &s.total;
    let saved_ok = t.saved_percent.map(|v| v >= s.saved_aim_percent);
    vec![
        Kpi {
            id: "kpi-visits",
            label: "检查次数（入企）",
            value: t.visits.to_string(),
            note: format!("检查企业 {} 家", t.enterprises),
            mood: "",
        },
        Kpi {
            id: "kpi-per-enterprise",
            label: "户均检查次数",
            value: dec(t.visits_per_enterprise),
            note: format!("每次参与部门 {}", dec(t.departments_per_visit)),
            mood: "",
        },
        Kpi {
            id: "kpi-joint",
            label: "联合检查率",
            value: pct(t.joint_percent),
            note: format!("联合 {} 次 · 单部门 {} 次", t.joint_visits, t.single_visits),
            mood: "",
        },
        Kpi {
            id: "kpi-saved",
            label: "减少入企比例",
            value: pct(t.saved_percent),
            note: format!(
                "减少 {} 次 · 目标 ≥{:.0}%{}",
                t.visits_saved,
                s.saved_aim_percent,
                match saved_ok {
                    Some(true) => " 已达标",
                    Some(false) => " 未达标",
                    None => "",
                }
            ),
            mood: match saved_ok {
                Some(true) => "good",
                Some(false) => "bad",
                None => "",
            },
        },
        Kpi {
            id: "kpi-caps",
            label: "频次上限执行率",
            value: pct(s.caps.percent),
            note: format!(
                "超上限 {} 家 · 超合理频次 {} 家",
                s.caps.over.len(),
                s.caps.exempt_excess.len()
            ),
            mood: match s.caps.percent {
                Some(v) if v < 100.0 => "bad",
                Some(_) => "good",
                None => "",
            },
        },
        Kpi {
            id: "kpi-answers",
            label: "参与按时确认率",
            value: pct(t.answered_percent),
            note: format!("逾期未确认 {} 次", t.lapsed),
            mood: "",
        },
        Kpi {
            id: "kpi-results",
            label: "结果按时提交率",
            value: pct(t.results_on_time_percent),
            note: format!("逾期提交 {} 份", t.results_late),
            mood: "",
        },
        Kpi {
            id: "kpi-closure",
            label: "整改销号率",
            value: pct(t.closure_percent),
            note: format!("整改逾期 {} 项", t.rectifications_overdue),
            mood: if t.rectifications_overdue > 0 {
                "bad"
            } else {
                ""
            },
        },
        Kpi {
            id: "kpi-items",
            label: "检查事项使用率",
            value: pct(t.items_percent),
            note: format!("{} / {} 项（目标100%）", t.items_used, t.items_listed),
            mood: "",
        },
    ]
}

const BLUE: &str = "#1f5fa8";
const GREEN: &str = "#3c9a5f";
const ORANGE: &str = "#d9822b";
const PURPLE: &str = "#7a4fb5";

/// The charts: (title, svg, id of the table under it).
fn charts(s: &Statistics) -> Vec<(String, String, &'static str)> {
    let who = if s.rollup {
        "单位"
    } else {
        "处（科）室"
    };
    let names: Vec<String> = s.groups.iter().map(|g| g.name.clone()).collect();
    let by_group = |f: &dyn Fn(&Figures) -> i64| -> Vec<Option<f64>> {
        s.groups
            .iter()
            .map(|g| Some(f(&g.figures) as f64))
            .collect()
    };
    let months: Vec<String> = s.months.iter().map(|m| format!("{}月", m.month)).collect();
    let monthly = |f: &dyn Fn(&Figures) -> Option<f64>| -> Vec<Option<f64>> {
        s.months.iter().map(|m| f(&m.figures)).collect()
    };
    let groups_title = format!("按{who}：检查、联合检查与减少入企次数");
    let groups = bar_chart(&Chart {
        title: &groups_title,
        categories: names.clone(),
        series: vec![
            Series {
                name: "检查次数",
                color: BLUE,
                values: by_group(&|f| f.visits),
            },
            Series {
                name: "联合检查",
                color: GREEN,
                values: by_group(&|f| f.joint_visits),
            },
            Series {
                name: "减少入企次数",
                color: ORANGE,
                values: by_group(&|f| f.visits_saved),
            },
        ],
        suffix: "",
        target: None,
        max: None,
    });
    let month_bars = bar_chart(&Chart {
        title: "各月检查次数",
        categories: months.clone(),
        series: vec![
            Series {
                name: "检查次数",
                color: BLUE,
                values: monthly(&|f| Some(f.visits as f64)),
            },
            Series {
                name: "联合检查",
                color: GREEN,
                values: monthly(&|f| Some(f.joint_visits as f64)),
            },
        ],
        suffix: "",
        target: None,
        max: None,
    });
    let aim = format!("目标 {:.0}%", s.saved_aim_percent);
    let month_lines = line_chart(&Chart {
        title: "各月联合检查率与减少入企比例",
        categories: months,
        series: vec![
            Series {
                name: "联合检查率",
                color: GREEN,
                values: monthly(&|f| f.joint_percent),
            },
            Series {
                name: "减少入企比例",
                color: ORANGE,
                values: monthly(&|f| f.saved_percent),
            },
        ],
        suffix: "%",
        target: Some((s.saved_aim_percent, &aim)),
        max: Some(100.0),
    });
    let rates_title = format!("按{who}：确认、结果、整改及事项使用情况");
    let rates = bar_chart(&Chart {
        title: &rates_title,
        categories: names,
        series: vec![
            Series {
                name: "按时确认率",
                color: BLUE,
                values: s
                    .groups
                    .iter()
                    .map(|g| g.figures.answered_percent)
                    .collect(),
            },
            Series {
                name: "结果按时率",
                color: GREEN,
                values: s
                    .groups
                    .iter()
                    .map(|g| g.figures.results_on_time_percent)
                    .collect(),
            },
            Series {
                name: "整改销号率",
                color: ORANGE,
                values: s.groups.iter().map(|g| g.figures.closure_percent).collect(),
            },
            Series {
                name: "事项使用率",
                color: PURPLE,
                values: s.groups.iter().map(|g| g.figures.items_percent).collect(),
            },
        ],
        suffix: "%",
        target: None,
        max: Some(100.0),
    });
    vec![
        (groups_title, groups, "table-visits"),
        ("各月检查次数".into(), month_bars, ""),
        (
            "各月联合检查率与减少入企比例".into(),
            month_lines,
            "table-months",
        ),
        (rates_title, rates, "table-follow"),
    ]
}

/// A chart with the tables under it.
pub struct Section {
    pub title: String,
    pub svg: String,
    pub tables: Vec<Table>,
}

#[derive(Template)]
#[template(path = "statistics/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    years: Vec<Choice>,
    months: Vec<Choice>,
    units: Vec<Choice>,
    may_rollup: bool,
    rollup: bool,
    heading: String,
    export_href: String,
    kpis: Vec<Kpi>,
    sections: Vec<Section>,
    /// Tables without a chart (cap compliance).
    rest: Vec<Table>,
}

fn query_string(req: &Request) -> String {
    let mut s = format!("year={}&unit={}", req.year, req.scope.unit_id);
    if let Some(m) = req.month {
        s.push_str(&format!("&month={m}"));
    }
    if req.scope.rollup {
        s.push_str("&rollup=1");
    }
    s
}

/// Units the reader may pick: their own, or every unit for the system
/// administrator.
async fn unit_choices(
    state: &AppState,
    p: &Principal,
    chosen: i64,
) -> Result<Vec<Choice>, AppError> {
    let mut db = &state.db;
    let units = yici_store::org::units::list(&mut db).await?;
    Ok(units
        .into_iter()
        .filter(|u| p.has(Role::SystemAdmin) || Some(u.id) == p.unit_id)
        .filter(|u| u.sector == yici_domain::org::Sector::Ecology)
        .map(|u| Choice {
            value: u.id.to_string(),
            label: u.name,
            selected: u.id == chosen,
        })
        .collect())
}

pub async fn dashboard(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<StatsQuery>,
) -> PageResult<Html<String>> {
    let p = &session.principal;
    let req = q.request(&state, p).await?;
    let s = stats::compute(&state.db, &req).await?;
    let mut all = tables(&s, &req);
    let mut take = |id: &str| -> Vec<Table> {
        match all.iter().position(|t| t.id == id) {
            Some(i) => vec![all.remove(i)],
            None => Vec::new(),
        }
    };
    let mut sections = Vec::new();
    for (title, svg, table) in charts(&s) {
        let mut tables = take(table);
        if table == "table-follow" {
            tables.insert(0, take("table-answers").pop().expect("answers table"));
            tables.extend(take("table-items"));
        }
        sections.push(Section { title, svg, tables });
    }
    let this_year = i64::from(state.this_year());
    let mut months = vec![Choice {
        value: String::new(),
        label: "全年".into(),
        selected: req.month.is_none(),
    }];
    months.extend((1..=12).map(|m| Choice {
        value: m.to_string(),
        label: format!("{m}月"),
        selected: req.month == Some(m),
    }));
    let page = DashboardPage {
        chrome: Chrome::new(&session, "statistics"),
        years: super::plans::year_choices(this_year, req.year),
        months,
        units: unit_choices(&state, p, req.scope.unit_id).await?,
        may_rollup: req.scope.level != UnitLevel::County,
        rollup: req.scope.rollup,
        heading: format!(
            "{}{} {}",
            s.unit_name,
            if s.rollup {
                "（含下级）"
            } else {
                "（本单位）"
            },
            match s.month {
                Some(m) => format!("{}年{}月", s.year, m),
                None => format!("{}年度", s.year),
            }
        ),
        export_href: format!("/statistics/export.xlsx?{}", query_string(&req)),
        kpis: kpis(&s),
        sections,
        rest: all,
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "statistics/tasks.html")]
struct DrillPage {
    chrome: Chrome,
    heading: String,
    back: String,
    rows: Vec<yici_store::statistics::DrillRow>,
    max: i64,
}

/// The tasks behind a figure.
pub async fn tasks(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<StatsQuery>,
) -> PageResult<axum::response::Response> {
    use axum::response::IntoResponse;
    // Opened without a figure (a bookmark, the address typed): the
    // dashboard, where every number links here with its figure.
    if q.figure.trim().is_empty() {
        return Ok(axum::response::Redirect::to("/statistics").into_response());
    }
    let p = &session.principal;
    let req = q.request(&state, p).await?;
    let figure = parse_figure(q.figure.trim()).ok_or_else(|| {
        AppError::from(DomainError::invalid("invalid_figure", "统计项不存在").on("figure"))
    })?;
    let group = number(&q.group, "group")?;
    let mut rows = stats::drill(&state.db, &req, figure, group).await?;
    for r in &mut rows {
        if let Some(s) = yici_domain::draw::task::TaskStatus::parse(&r.status) {
            r.status = s.label().to_string();
        }
    }
    let group_name = match group {
        Some(g) => {
            let s_names = stats::group_name(&state.db, &req.scope, g).await?;
            format!(" · {s_names}")
        }
        None => String::new(),
    };
    let page = DrillPage {
        chrome: Chrome::new(&session, "statistics"),
        heading: format!(
            "{}{} {}{}{} · {}",
            req.scope.unit_name,
            if req.scope.rollup {
                "（含下级）"
            } else {
                ""
            },
            req.year,
            match req.month {
                Some(m) => format!("年{m}月"),
                None => "年".into(),
            },
            group_name,
            figure.label()
        ),
        back: format!("/statistics?{}", query_string(&req)),
        rows,
        max: yici_store::statistics::DRILL_MAX,
    };
    Ok(Html(page.render()?).into_response())
}

/// The dashboard's tables as a workbook: one sheet per table, numbers as
/// numbers.
pub fn workbook(s: &Statistics, req: &Request) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let xl = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet_names = [
        "检查与联合检查",
        "各月情况",
        "参与确认",
        "结果与整改",
        "事项使用",
        "频次上限",
    ];
    for (t, name) in tables(s, req).iter().zip(sheet_names) {
        let sheet = book.add_worksheet();
        sheet.set_name(name).map_err(xl)?;
        sheet
            .write_string_with_format(0, 0, &t.title, &bold)
            .map_err(xl)?;
        for (c, h) in t.headers.iter().enumerate() {
            sheet
                .write_string_with_format(1, c as u16, *h, &bold)
                .map_err(xl)?;
            sheet
                .set_column_width(c as u16, if c == 0 { 24 } else { 14 })
                .map_err(xl)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 2;
            for (c, cell) in row.iter().enumerate() {
                match cell.value {
                    Some(v) => sheet.write_number(r, c as u16, v).map_err(xl)?,
                    None if cell.text == "—" => {
                        sheet.write_blank(r, c as u16, &Format::new()).map_err(xl)?
                    }
                    None => sheet.write_string(r, c as u16, &cell.text).map_err(xl)?,
                };
            }
        }
    }
    book.save_to_buffer().map_err(xl)
}

pub async fn export(
    State(state): State<AppState>,
    WebUser(session): WebUser,
    Query(q): Query<StatsQuery>,
) -> PageResult<Response> {
    let req = q.request(&state, &session.principal).await?;
    let s = stats::compute(&state.db, &req).await?;
    let bytes = workbook(&s, &req)?;
    Ok(crate::registry_files::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("统计分析-{}.xlsx", req.year),
    ))
}
