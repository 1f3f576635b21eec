//! 行政检查情况记录表: a bordered grid; the 检查情况 cell holds the findings
//! and the signatures of the enterprise and the officers.

use chrono::NaiveDateTime;
use yici_domain::documents::forms::{InspectionRecordSheet, Outcome};

use super::single;
use crate::fields::{
    blank_date, check, date_text, fill, fill_hint, gap, officer_slots, running_text, t, time_text,
    value,
};
use crate::layout::{Align, Block, Cell, Inline, Para, Row, Table};

pub const NOTES: &[&str] = &[
    "1. 检查情况主要填写检查事项、标准、方式、内容和存在的问题等。各地区、各部门要结合实际，以条目化的形式规范填写内容，尽可能采用勾选框等方式，快速、便捷、准确记录检查情况，以减轻行政执法人员负担，同时使被检查人清晰知晓检查情况。",
    "2. 检查结果能当场告知的，应当当场告知。不能当场告知的，应当及时告知。实施行政检查时，要加强指导服务。",
    "3. 通过信息平台统一公示检查结果的，应当在检查时告知被检查人查询途径。",
];

pub fn parts(f: &InspectionRecordSheet, seal: Option<String>) -> Vec<crate::layout::Part> {
    let officers: Vec<_> = officer_slots(&f.inspectors).collect();
    let mut rows = vec![
        Row {
            cells: vec![
                Cell::label("被检查人基本情况").rows(2),
                Cell::label("名称"),
                Cell::line(vec![value(&f.enterprise_name)]),
                Cell::label("统一社会信用代码"),
                Cell::line(vec![value(&f.uscc)]),
            ],
            min_height: Some(1.1),
        },
        Row {
            cells: vec![
                Cell::label("联系人"),
                Cell::line(vec![value(&f.contact)]),
                Cell::label("联系电话"),
                Cell::line(vec![value(&f.contact_phone)]),
            ],
            min_height: Some(0.9),
        },
    ];
    for (i, o) in officers.iter().enumerate() {
        let (name, number) = o.map_or(("", ""), |o| (&o.name, &o.certificate_no));
        let mut cells = Vec::new();
        if i == 0 {
            cells.push(Cell::label("行政执法人员情况").rows(officers.len()));
        }
        cells.extend([
            Cell::label("姓名"),
            Cell::line(vec![value(name)]),
            Cell::label("行政执法证号"),
            Cell::line(vec![value(number)]),
        ]);
        rows.push(Row {
            cells,
            min_height: Some(0.9),
        });
    }
    let mut when = moment(f.started_at);
    when.push(t("至"));
    when.extend(moment(f.ended_at));
    rows.push(Row {
        cells: vec![Cell::label("检查时间"), Cell::line(when).span(4)],
        min_height: Some(0.9),
    });
    rows.push(Row {
        cells: vec![
            Cell::label("检查地点"),
            Cell::line(vec![value(&f.place)]).span(4),
        ],
        min_height: Some(0.9),
    });
    rows.push(Row {
        cells: vec![
            Cell::label("检查情况"),
            Cell::paras(findings(f, officers.len(), seal)).span(4).top(),
        ],
        min_height: Some(9.0),
    });
    let outcome_lines = Outcome::ALL
        .iter()
        .map(|&o| {
            let mut l = check(f.outcome == Some(o), o.label());
            if o == Outcome::Other {
                let other = if f.outcome == Some(Outcome::Other) {
                    f.outcome_other.as_str()
                } else {
                    ""
                };
                l.push(fill(other, 12.0));
            }
            Para::new(l)
        })
        .collect();
    rows.push(Row {
        cells: vec![Cell::label("结果告知"), Cell::paras(outcome_lines).span(4)],
        min_height: None,
    });

    single(vec![
        Block::Title("行政检查情况记录表"),
        Block::Table(Table {
            columns: vec![2.1, 1.7, 4.3, 2.2, 5.7],
            rows,
        }),
        Block::Notes(NOTES),
    ])
}

/// 2025年6月3日（9时30分）, or ____年__月__日（__时__分）.
fn moment(at: Option<NaiveDateTime>) -> Vec<Inline> {
    match at {
        Some(at) => vec![value(&format!(
            "{}（{}）",
            date_text(at.date()),
            time_text(at.time())
        ))],
        None => {
            let mut l = blank_date();
            l.extend([t("（"), fill("", 1.5), t("时"), fill("", 1.5), t("分）")]);
            l
        }
    }
}

/// The findings (条目化, one paragraph a line), then the signature lines of
/// the enterprise and of each officer, the seal over the last date.
fn findings(f: &InspectionRecordSheet, officers: usize, seal: Option<String>) -> Vec<Para> {
    let mut paras = vec![Para::new(vec![t("（此处仅记录检查事实情况）")])];
    if !f.findings.trim().is_empty() {
        paras.extend(running_text(&f.findings));
    }
    let sign =
        |label: &'static str, hint: Option<&'static str>, seal: Option<String>, first: bool| {
            let mut l = vec![t(label)];
            l.push(match hint {
                Some(h) => fill_hint("", 6.0, h),
                None => fill("", 6.0),
            });
            l.push(gap(2.0));
            if let Some(seal) = seal {
                l.push(Inline::Seal(seal));
            }
            l.extend(blank_date());
            Para {
                line: l,
                align: Align::Right,
                space_before: if first { 2.0 } else { 0.6 },
                ..Para::default()
            }
        };
    paras.push(sign("被检查人：", Some("签名或者盖章"), None, true));
    for i in 0..officers {
        let seal = if i + 1 == officers {
            seal.clone()
        } else {
            None
        };
        paras.push(sign("行政执法人员：", None, seal, false));
    }
    paras
}
