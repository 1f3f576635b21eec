//! One module per template of 《生态环境行政检查文书基本格式文本（试行）》, each
//! turning its form's data into the printed layout, in the template's order
//! and wording.

mod approval_form;
mod inquiry_record;
mod inspection_notice;
mod inspection_record_sheet;
mod onsite_record;
mod sampling_notice;

use yici_domain::documents::{Form, Sheet};

use crate::fields::{fill, t};
use crate::layout::{Block, Doc, Inline, Para, Part};

/// The printed layout of a sheet: its form's content plus the number line,
/// the seal and the 作废 mark.
pub fn layout(sheet: &Sheet) -> Doc {
    let kind = sheet.form.kind();
    let seal = sheet.seal.clone().filter(|s| !s.trim().is_empty());
    let parts = match &sheet.form {
        Form::ApprovalForm(f) => approval_form::parts(f, seal),
        Form::InspectionNotice(f) => inspection_notice::parts(f, seal),
        Form::SamplingNotice(f) => sampling_notice::parts(f, seal),
        Form::OnsiteRecord(f) => onsite_record::parts(f),
        Form::InquiryRecord(f) => inquiry_record::parts(f),
        Form::InspectionRecordSheet(f) => inspection_record_sheet::parts(f, seal),
    };
    Doc {
        name: kind.label(),
        number: kind
            .is_numbered()
            .then(|| sheet.number.clone().filter(|n| !n.trim().is_empty())),
        page_numbers: !kind.is_numbered(),
        voided: sheet.voided,
        parts,
    }
}

/// A single part without a per-page footer.
fn single(blocks: Vec<Block>) -> Vec<Part> {
    vec![Part {
        blocks,
        footer: None,
        loose: false,
        one_page: false,
    }]
}

/// 受送达：＿＿（签名或者盖章） ____年__月__日 / 送达方式和地址：＿＿ — the
/// service lines of both notices.
fn service_lines(service: Option<&yici_domain::documents::forms::Service>) -> Vec<Block> {
    let (recipient, served_on, method) = match service {
        Some(s) => (
            s.recipient.as_str(),
            Some(s.served_on),
            s.method_and_address.as_str(),
        ),
        None => ("", None, ""),
    };
    let mut line = vec![
        t("受送达："),
        crate::fields::fill_hint(recipient, 8.0, "签名或者盖章"),
        crate::fields::gap(2.0),
    ];
    line.extend(crate::fields::date(served_on));
    vec![
        Block::Para(Para::new(line)),
        Block::Para(Para::new(vec![
            t("送达方式和地址："),
            crate::fields::fill_rest(method),
        ])),
    ]
}

/// name（统一社会信用代码：uscc）： — the addressee line of both notices; the
/// template's hint (被检查人名称、统一社会信用代码) while both are blank.
fn addressee(name: &str, uscc: &str) -> Block {
    let line = if name.trim().is_empty() && uscc.trim().is_empty() {
        vec![fill("", 14.0), t("（被检查人名称、统一社会信用代码）：")]
    } else {
        vec![
            fill(name, 12.0),
            t("（统一社会信用代码："),
            fill(uscc, 10.0),
            t("）："),
        ]
    };
    Block::Para(Para::new(line))
}

/// A labelled field on one line: 地点：＿＿＿＿.
fn field(label: &'static str, value: &str) -> Block {
    Block::Para(Para::new(vec![t(label), crate::fields::fill_rest(value)]))
}

/// Several labelled blanks on one line: 工作单位：＿＿ 职务：＿＿ 电话：＿＿.
fn fields_line(items: &[(&'static str, &str, f32)]) -> Block {
    let mut line: Vec<Inline> = Vec::new();
    for (i, (label, value, em)) in items.iter().enumerate() {
        if i > 0 {
            line.push(crate::fields::gap(1.0));
        }
        line.push(t(label));
        line.push(fill(value, *em));
    }
    Block::Para(Para::new(line))
}
