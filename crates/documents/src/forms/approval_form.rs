//! 行政检查审批表（仅用于内部审批）: a bordered grid, approved by the
//! 承办机构负责人 and the 行政执法主体负责人; the seal goes over the last date.

use yici_domain::documents::forms::{ApprovalForm, Frequency, Signature};
use yici_domain::draw::caps::TaskSource;

use crate::fields::{
    blank_date, checks, date_plain, fill, gap, officer_slots, running_text, t, value,
};
use crate::layout::{Align, Block, Cell, Inline, Para, Part, Row, Table};

pub const NOTES: &[&str] = &[
    "1. 凡检查必审批。原则上一事一批，高频、量大的可以批量审批，但应当在审批时附详细清单；原则上应当事前审批，情况紧急、需要当场实施的，应当及时报告并补办手续。",
    "2. 检查事项根据实际情况填写。对检查事项有编码的，也可以只填写编码。",
    "3. 检查方式主要分为现场检查和非现场检查。现场检查方式包括查阅复制资料、询问、抽样（采样）、现场检查（勘验）等；非现场检查方式包括视频连线等，非现场不用填写行政检查审批表。",
    "4. 根据投诉举报、转办交办、数据监测等线索确需实施行政检查，或者应被检查人申请实施行政检查的，不受年度检查频次上限限制，检查频次一栏可不填写具体内容。",
    "5. 检查人员数量要填写是否有执法辅助人员等，以及具体人数。",
    "6. 行政检查审批表由主要负责人或者分管负责人批准，不得仅由内设机构负责人批准。法律、法规或者规章规定应当由上级行政机关批准的，依照其规定。",
];

pub fn parts(f: &ApprovalForm, seal: Option<String>) -> Vec<Part> {
    let ticked = |s: TaskSource| f.sources.contains(&s);
    let source_lines = [
        vec![TaskSource::Routine, TaskSource::Special],
        vec![
            TaskSource::Complaint,
            TaskSource::Referral,
            TaskSource::DataMonitoring,
            TaskSource::OnRequest,
        ],
        vec![TaskSource::MediaReport, TaskSource::Other],
    ];
    let mut sources: Vec<Para> = source_lines
        .iter()
        .map(|line| Para::new(checks(line.iter().map(|&s| (ticked(s), s.label())))))
        .collect();
    if let Some(last) = sources.last_mut() {
        last.line.push(t("（可多选）"));
    }

    let officers: Vec<_> = officer_slots(&f.inspectors).collect();
    let mut rows = vec![
        Row {
            cells: vec![
                Cell::label("被检查人名称"),
                Cell::line(vec![value(&f.enterprise_name)]),
                Cell::label("统一社会信用代码"),
                Cell::line(vec![value(&f.uscc)]),
            ],
            min_height: Some(1.2),
        },
        Row {
            cells: vec![Cell::label("任务来源"), Cell::paras(sources).span(3)],
            min_height: None,
        },
        text_row("检查事项", &f.items, 1.6),
        text_row("检查时间", &f.time, 0.9),
        text_row("检查地点", &f.place, 0.9),
        Row {
            cells: vec![
                Cell::label("检查频次"),
                Cell::line(frequency_line(f.frequency)).span(3),
            ],
            min_height: Some(1.2),
        },
    ];
    for (i, officer) in officers.iter().enumerate() {
        let (name, number) = officer.map_or(("", ""), |o| (&o.name, &o.certificate_no));
        let mut cells = Vec::new();
        if i == 0 {
            cells.push(Cell::label("检查人员").rows(officers.len() + 1));
        }
        cells.push(Cell::line(vec![t("检查人："), value(name)]));
        cells.push(Cell::line(vec![t("执法证号："), value(number)]).span(2));
        rows.push(Row {
            cells,
            min_height: Some(0.9),
        });
    }
    rows.push(Row {
        cells: vec![Cell::line(vec![t("执法辅助人员及数量："), value(&f.assistants)]).span(3)],
        min_height: Some(0.9),
    });
    rows.push(opinion_row(
        "承办机构负责人审批意见",
        f.department_head.as_ref(),
        None,
    ));
    rows.push(opinion_row(
        "行政执法主体负责人审批意见",
        f.unit_head.as_ref(),
        seal,
    ));

    vec![Part {
        blocks: vec![
            Block::Title("行政检查审批表"),
            Block::Aside("（仅用于内部审批）"),
            Block::Table(Table {
                columns: vec![2.9, 5.3, 2.1, 5.7],
                rows,
            }),
            Block::Notes(NOTES),
        ],
        footer: None,
        loose: false,
        // The form and its 注意事项 on one sheet, however many inspectors
        // the joint group has.
        one_page: true,
    }]
}

/// 年度行政检查频次上限：_次，本次为第_次。（不受年度检查频次上限限制的除外）
/// — filled from the cap ledger, blank for uncapped sources.
pub fn frequency_line(frequency: Option<Frequency>) -> Vec<Inline> {
    let (cap, ordinal) = frequency.map_or((String::new(), String::new()), |f| {
        (f.cap.to_string(), f.ordinal.to_string())
    });
    vec![
        t("年度行政检查频次上限："),
        fill(&cap, 2.0),
        t("次，本次为第"),
        fill(&ordinal, 2.0),
        t("次。（不受年度检查频次上限限制的除外）"),
    ]
}

fn text_row(label: &'static str, text: &str, height: f32) -> Row {
    let paras = if text.trim().is_empty() {
        vec![Para::new(vec![])]
    } else {
        running_text(text)
            .into_iter()
            .map(|mut p| {
                p.indent = false;
                p
            })
            .collect()
    };
    Row {
        cells: vec![Cell::label(label), Cell::paras(paras).span(3).top()],
        min_height: Some(height),
    }
}

/// An approval cell: the opinion, then 签名：… and the date at the bottom
/// right, with the seal over the date on the unit head's.
fn opinion_row(label: &'static str, signature: Option<&Signature>, seal: Option<String>) -> Row {
    let mut paras = Vec::new();
    match signature {
        Some(s) if !s.opinion.trim().is_empty() => paras.extend(running_text(&s.opinion)),
        _ => paras.push(Para::new(vec![])),
    }
    let mut sign = vec![
        t("签名："),
        fill(signature.map_or("", |s| &s.name), 5.0),
        gap(2.0),
    ];
    if let Some(seal) = seal {
        sign.push(Inline::Seal(seal));
    }
    sign.extend(match signature {
        Some(s) => date_plain(Some(s.signed_on)),
        None => blank_date(),
    });
    // Keep the date (and the seal over it) clear of the table's edge.
    sign.push(gap(2.0));
    paras.push(Para {
        line: sign,
        align: Align::Right,
        space_before: 1.8,
        ..Para::default()
    });
    Row {
        cells: vec![Cell::label(label), Cell::paras(paras).span(3).top()],
        min_height: Some(2.6),
    }
}
