//! 调查询问笔录: who is asked, the identity and rights said aloud, the 问/答
//! as long as they run, 以下空白, then the 尾页 with the signatures. Every
//! page carries the signatures and 第 N 页 共 M 页 at its foot.

use yici_domain::documents::forms::{InquiryRecord, Relation};

use super::{field, fields_line};
use crate::fields::{
    blank_date, checks, fill, fill_hint, gap, officer_lines, officer_list, running_text, t,
    time_range,
};
use crate::layout::{Block, Inline, Para, Part};

pub const NOTES: &[&str] = &[
    "1. 被询问人拒绝签名的，行政执法人员应当在笔录中注明有关情况。见证人到场见证的，由见证人签名或者盖章。",
    "2. 记录完成后页面有空白的，应当注明“以下空白”。",
];

pub fn parts(f: &InquiryRecord) -> Vec<Part> {
    let p = &f.interviewee;
    let mut when = vec![t("询问时间：")];
    when.extend(time_range(f.started_at, f.ended_at));
    let mut relation = vec![t("与被检查人关系：")];
    relation.extend(checks(
        Relation::ALL
            .iter()
            .map(|&r| (f.relation == Some(r), r.label())),
    ));

    let mut blocks = vec![
        Block::Title("调查询问笔录"),
        Block::Para(Para::new(when)),
        field("询问地点：", &f.place),
        fields_line(&[
            ("被询问人：", &p.name, 4.0),
            ("性别：", &p.sex, 1.5),
            ("年龄：", &f.age, 1.5),
            ("身份证号码：", &p.id_number, 9.0),
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
        Block::Para(Para::new(relation)),
    ];
    blocks.extend(
        officer_lines(&f.inspectors, "行政执法人员：", "行政执法证号：")
            .into_iter()
            .map(Block::Para),
    );

    let mut identity = vec![
        t("表明身份：您好！我们是"),
        fill(&f.unit_name, 10.0),
        t("的行政执法人员"),
    ];
    identity.extend(officer_list(&f.inspectors, false));
    identity.push(t(
        "，这是我们的行政执法证件（向被询问人出示执法证件，执法证编号：",
    ));
    identity.extend(officer_list(&f.inspectors, true));
    identity.push(t("），请您查验。"));
    blocks.push(Block::Para(Para::indented(identity).space_before(0.5)));
    blocks.push(answer(vec![t("执法证件我已查验，没有疑问。")]));
    blocks.push(Block::Para(Para::indented(vec![t(
        "告知权利：根据《中华人民共和国行政处罚法》（2021年修正）第四十三条第二款之规定，如果您认为我们与本案有直接利害关系，可能影响公正办案的，您有权申请回避，并说明理由，您是否申请回避？",
    )])));
    blocks.push(answer(vec![fill(&f.recusal_answer, 8.0)]));
    blocks.push(Block::Para(Para::indented(vec![
        t("告知义务：现我们就"),
        fill_hint(&f.matter, 10.0, "被检查人、具体事由"),
        t("有关情况对你进行询问，请如实回答问题，积极配合，如不如实回答问题，将承担相应的法律责任，您有权进行陈述和申辩。你听清楚了吗？"),
    ])));
    blocks.push(answer(vec![t("听清楚了。")]));

    blocks.push(Block::Para(Para::indented(vec![t("询问内容：")])));
    if f.questions.is_empty() {
        blocks.push(Block::Para(Para::indented(vec![
            t("1. 问："),
            crate::fields::fill_rest(""),
        ])));
        blocks.push(answer(vec![crate::fields::fill_rest("")]));
    }
    for (i, qa) in f.questions.iter().enumerate() {
        // A question or an answer may run to several paragraphs; only the
        // first carries 问：/答：.
        blocks.extend(prefixed(format!("{}. 问：", i + 1), &qa.question));
        blocks.extend(prefixed("答：".to_owned(), &qa.answer));
    }
    blocks.push(Block::EndMark);

    let signature_line = |label: &'static str, name: &str| {
        let mut l = vec![t(label), fill(name, 6.0), gap(2.0)];
        l.extend(blank_date());
        Block::Para(Para::new(l).space_before(0.8))
    };
    let tail = vec![
        Block::Title("调查询问笔录（尾页）"),
        Block::Para(Para::indented(vec![t(
            "以上是本次询问情况记录，核对无误后请签名或者盖章确认。",
        )])),
        Block::Para(Para::indented(vec![t(
            "被询问人对笔录的内容确认：（上述内容我已阅，属实。）",
        )])),
        signature_line("被询问人签名：", ""),
        signature_line("询问人签名：", ""),
        signature_line("记录人签名：", &f.recorder),
        signature_line("参加人签字：", &f.participants),
        Block::Notes(NOTES),
    ];

    let footer = {
        let mut l = vec![
            t("被询问人签名："),
            fill("", 5.0),
            gap(2.0),
            t("询问人签名："),
        ];
        l.extend([fill("", 4.0), t("、"), fill("", 4.0)]);
        l
    };
    vec![
        Part {
            blocks,
            footer: Some(footer),
            loose: false,
            one_page: false,
        },
        Part {
            blocks: tail,
            footer: None,
            loose: false,
            one_page: false,
        },
    ]
}

/// 答：… indented like the questions.
fn answer(line: Vec<Inline>) -> Block {
    let mut l = vec![t("答：")];
    l.extend(line);
    Block::Para(Para::indented(l))
}

/// Running text whose first paragraph starts with `prefix` (1. 问： / 答：).
fn prefixed(prefix: String, text: &str) -> Vec<Block> {
    let mut paras = running_text(text);
    paras[0].line.insert(0, Inline::Text(prefix.into()));
    paras[0].indent = true;
    paras.into_iter().map(Block::Para).collect()
}
