//! 现场检查（勘验）笔录: a first page of who and what, signed; then the
//! 现场情况 as long as it runs, 以下空白, and the closing signatures. Every page
//! carries the signatures and 第 N 页 共 M 页 at its foot.

use yici_domain::documents::forms::{OnsiteRecord, PartyPerson};

use super::{field, fields_line};
use crate::fields::{
    blank_date, checks, fill, fill_hint, gap, labelled_text, officer_lines, officer_list, t,
    time_range,
};
use crate::layout::{Block, Inline, Line, Para, Part};

pub const NOTES: &[&str] = &[
    "1. 检查（勘验）过程同步音像记录的，相关音像资料应当一并归档。",
    "2. 记录完成后页面有空白的，应当注明“以下空白”。",
    "3. 现场检查（勘验）不得刻意要求法定代表人到场。",
];

pub fn parts(f: &OnsiteRecord) -> Vec<Part> {
    let para = |line: Line| Block::Para(Para::new(line));
    let mut when = vec![t("时间：")];
    when.extend(time_range(f.started_at, f.ended_at));

    let mut first = vec![
        Block::Title("现场检查（勘验）笔录"),
        para(when),
        field("地点：", &f.place),
        fields_line(&[
            ("被检查（勘验）名称：", &f.enterprise_name, 12.0),
            ("法定代表人（负责人）：", &f.legal_representative, 4.0),
        ]),
        field("被检查（勘察）单位统一社会信用代码：", &f.uscc),
        para({
            let mut l = vec![t("是否通知相关人员到场：")];
            l.extend(checks([
                (f.parties_notified == Some(true), "是"),
                (f.parties_notified == Some(false), "否"),
            ]));
            l
        }),
    ];
    first.extend(person_lines(&f.subject));
    let witness = f.witness.clone().unwrap_or_default();
    first.push(fields_line(&[
        ("见证人：", &witness.name, 5.0),
        ("身份证号码：", &witness.id_number, 10.0),
    ]));
    first.push(fields_line(&[
        ("单位或住址：", witness_place(&witness), 10.0),
        ("职务：", &witness.position, 4.0),
        ("电话：", &witness.phone, 6.0),
    ]));
    first.extend(
        officer_lines(&f.inspectors, "检查（勘察）人：", "行政执法证号：")
            .into_iter()
            .map(Block::Para),
    );
    first.push(field("记录人：", &f.recorder));

    let mut identity = vec![
        t("表明身份、出示证件：您好！我们是"),
        fill(&f.unit_name, 10.0),
        t("的行政执法人员"),
    ];
    identity.extend(officer_list(&f.inspectors, false));
    identity.push(t("，这是我们的执法证件（执法证号："));
    identity.extend(officer_list(&f.inspectors, true));
    identity.push(t("），请您查验：“执法证件我已查验，没有疑问。”（按手印）"));
    first.push(Block::Para(Para::indented(identity).space_before(0.5)));
    first.push(Block::Para(Para::indented(vec![
        t("告知权利：现依法就"),
        fill_hint(&f.matter, 10.0, "被检查人、具体事由"),
        // The template prints 厉害 here, a misprint of 利害 (the inquiry
        // record's same sentence, and the law, say 利害).
        t("进行现场检查（勘验），请协助做好检查（勘验）。针对检查（勘验）中的有关情况，您有权进行陈述和申辩。（有音像记录的，应当告知音像记录的情况）根据相关法律规定，如果认为我们与本案有直接利害关系，可能影响公正办案的，您有权申请回避，并说明理由："),
        fill("", 6.0),
    ])));

    let mut rest = labelled_text("现场情况：", &f.findings);
    if f.findings.trim().is_empty() {
        rest[0].line.insert(
            1,
            t("（如实记录检查或者勘验经过、查明的事实等情况，可附照片、勘验图等）"),
        );
    }
    let mut record: Vec<Block> = rest.into_iter().map(Block::Para).collect();
    record.push(Block::EndMark);
    record.push(Block::Para(Para::indented(vec![t(
        "以上是本次检查（勘验）记录，核对无误后请签名或者盖章。",
    )])));
    record.push(Block::Para(Para::new(vec![
        t("被检查（勘验）人或现场负责人对笔录内容确认："),
        crate::fields::fill_rest(&f.confirmation),
    ])));
    record.extend(
        [
            vec![t("被检查（勘验）人或现场负责人签名："), fill("", 6.0)],
            vec![t("见证人签名："), fill("", 6.0)],
            {
                let mut l = vec![t("检查（勘验）人签名：")];
                l.extend(blank_names());
                l
            },
            vec![t("记录人签名："), fill("", 6.0)],
        ]
        .into_iter()
        .enumerate()
        .map(|(i, mut line)| {
            line.push(gap(2.0));
            line.extend(blank_date());
            Block::Para(Para::right(line).space_before(if i == 0 { 1.0 } else { 0.3 }))
        }),
    );
    record.push(Block::Notes(NOTES));

    let footer = {
        let mut l = vec![
            t("被检查（勘验）人或现场负责人签名："),
            fill("", 5.0),
            gap(2.0),
            t("检查（勘验）人签名："),
        ];
        l.extend(blank_names());
        l
    };
    vec![
        Part {
            blocks: first,
            footer: Some(footer.clone()),
            loose: true,
            one_page: false,
        },
        Part {
            blocks: record,
            footer: Some(footer),
            loose: false,
            one_page: false,
        },
    ]
}

/// ＿＿、＿＿: two officers sign by hand.
fn blank_names() -> Vec<Inline> {
    vec![fill("", 4.0), t("、"), fill("", 4.0)]
}

/// 被检查（勘察）人姓名 … 住址 … 邮编: three lines about a person.
fn person_lines(p: &PartyPerson) -> Vec<Block> {
    vec![
        fields_line(&[
            ("被检查（勘察）人姓名：", &p.name, 4.0),
            ("性别：", &p.sex, 1.5),
            ("身份证号码：", &p.id_number, 10.0),
        ]),
        fields_line(&[
            ("工作单位：", &p.employer, 10.0),
            ("职务：", &p.position, 4.0),
            ("电话：", &p.phone, 6.0),
        ]),
        fields_line(&[
            ("住　　址：", &p.address, 16.0),
            ("邮编：", &p.postcode, 4.0),
        ]),
    ]
}

/// The witness's 单位或住址: the employer, or the address when there is none.
fn witness_place(p: &PartyPerson) -> &str {
    if p.employer.trim().is_empty() {
        &p.address
    } else {
        &p.employer
    }
}
