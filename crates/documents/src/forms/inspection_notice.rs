//! 行政检查通知书: the notice served on the enterprise, with 「五个严禁」「八个不得」
//! printed on its back (注意事项 4).

use yici_domain::documents::forms::InspectionNotice;
use yici_domain::draw::caps::TaskSource;

use super::{addressee, service_lines};
use crate::fields::{check, date, fill, fill_hint, fill_rest, gap, officer_lines, running_text, t};
use crate::layout::{Block, Inline, Para, Part};

pub const NOTES: &[&str] = &[
    "1. 凡检查必通知。实施行政检查前，应当出具行政检查通知书。情况紧急、需要当场实施检查的，应当口头通知，并及时向行政执法主体负责人报告和补办手续。",
    "2. 行政检查的法律依据，可与已公开的行政执法事项目录等配合填写，以简化文书填写内容。",
    "3. 行政检查同步开展音像记录的，应当在文书中予以说明。",
    "4. 文书背面应当印制涉企行政检查的“五个严禁”“八个不得”。",
];

/// 五个严禁: the lead in bold, then its sentence, verbatim.
pub const FIVE_PROHIBITIONS: &[(&str, &str)] = &[
    (
        "严禁逐利检查：",
        "不得接受被检查企业的任何馈赠、报酬、福利待遇，不得参加被检查企业提供的宴请、娱乐、旅游等活动，不得由被检查企业支付消费开支或者将检查费用转嫁给企业，不得强制企业接受指定的中介机构提供服务。",
    ),
    ("严禁干扰企业正常生产经营：", "不得刻意要求法定代表人到场。"),
    ("严禁任性处罚企业：", "不得乱查封、乱扣押、乱冻结、动辄责令停产停业。"),
    ("严禁下达检查指标：", "不得将考核考评、预算项目绩效与检查频次、罚款数额挂钩。"),
    ("严禁变相检查：", "不得以观摩、督导、考察等名义行检查之实。"),
];

/// 八个不得, verbatim.
pub const EIGHT_DONTS: &[&str] = &[
    "不得接受被检查企业的任何馈赠、报酬、福利待遇。",
    "不得参加被检查企业提供的宴请、娱乐、旅游等活动。",
    "不得由被检查企业支付消费开支或者将检查费用转嫁给企业。",
    "不得强制企业接受指定的中介机构提供服务。",
    "不得刻意要求法定代表人到场。",
    "不得乱查封、乱扣押、乱冻结、动辄责令停产停业。",
    "不得将考核考评、预算项目绩效与检查频次、罚款数额挂钩。",
    "不得以观摩、督导、考察等名义行检查之实。",
];

pub fn parts(f: &InspectionNotice, seal: Option<String>) -> Vec<Part> {
    let para = |line: Vec<Inline>| Block::Para(Para::new(line));
    let indented = |line: Vec<Inline>| Block::Para(Para::indented(line));

    let mut front = vec![
        Block::Title("行政检查通知书"),
        addressee(&f.enterprise_name, &f.uscc),
        indented(vec![
            t("根据"),
            fill_hint(&f.legal_basis, 10.0, "法律依据名称"),
            t("，决定对你单位实施行政检查。现将相关事项通知如下："),
        ]),
        Block::Heading("一、行政执法人员信息"),
    ];
    front.extend(
        officer_lines(&f.inspectors, "姓名：", "行政执法证号：")
            .into_iter()
            .map(Block::Para),
    );
    front.push(Block::Heading("二、行政检查时间"));
    let mut when = vec![t("时间：")];
    when.extend(date(f.inspection_date));
    front.push(para(when));
    front.push(Block::Heading("三、行政检查法律依据"));
    front.extend(
        running_text(&f.legal_provisions)
            .into_iter()
            .map(Block::Para),
    );
    front.push(Block::Heading("四、行政检查内容及方式"));
    front.extend(
        running_text(&f.content_and_method)
            .into_iter()
            .map(Block::Para),
    );
    front.push(indented(vec![t(
        "请提供下列材料、物品和必要的工作条件，配合行政执法人员依法开展各项检查活动。如拒不配合检查，将依法承担法律责任。",
    )]));
    front.push(indented(vec![
        t("（一）材料、物品清单："),
        fill(&f.materials, 12.0),
        t("。"),
    ]));
    front.push(indented(vec![
        t("（二）到场配合行政检查的人员："),
        fill(&f.attendees, 10.0),
        t("。"),
    ]));
    front.push(indented(vec![
        t("（三）其他："),
        fill(&f.other_requirements, 12.0),
        t("。"),
    ]));
    front.push(Block::Heading("五、行政检查频次"));
    front.extend(frequency_lines(f));
    front.push(Block::Heading("六、权利告知"));
    front.push(indented(vec![t(
        "（一）如你单位发现存在行政执法人员不出示行政执法证件等违反规定实施行政检查的情形，有权拒绝接受检查。",
    )]));
    front.push(indented(vec![t(
        "（二）你单位有权监督行政检查工作全过程，如认为行政检查侵犯你单位合法权益，有权投诉举报、依法获得救济。",
    )]));
    front.push(indented(vec![
        t("（三）其他"),
        fill(&f.other_rights, 12.0),
        t("。"),
    ]));
    if !f.recording_note.trim().is_empty() {
        // 注意事项 3: a check recorded on video says so on the notice.
        front.push(indented(vec![
            t("音像记录说明："),
            crate::fields::value(&f.recording_note),
        ]));
    }
    front.push(Block::Issuer {
        unit: f.unit_name.trim().to_owned(),
        date: f.issued_on,
        seal,
    });
    front.push(para(vec![t("联系人、联系方式："), fill_rest(&f.contact)]));
    front.extend(service_lines(f.service.as_ref()));

    let mut back = vec![Block::Subtitle("五个严禁")];
    back.extend(
        FIVE_PROHIBITIONS
            .iter()
            .map(|(lead, text)| Block::Para(Para::indented(vec![Inline::Bold(lead), t(text)]))),
    );
    back.push(Block::Subtitle("八个不得"));
    back.extend(EIGHT_DONTS.iter().map(|text| indented(vec![t(text)])));
    back.push(Block::Notes(NOTES));

    vec![
        Part {
            blocks: front,
            footer: None,
            loose: false,
            one_page: false,
        },
        Part {
            blocks: back,
            footer: None,
            loose: false,
            one_page: false,
        },
    ]
}

/// 五、行政检查频次: the line of the task's source is ticked; the capped line
/// carries the cap ledger's numbers, the uncapped line says it is not capped.
fn frequency_lines(f: &InspectionNotice) -> Vec<Block> {
    let is = |s: TaskSource| f.source == s;
    let (cap, ordinal) = match f.frequency {
        Some(fr) if f.source.is_capped() => (fr.cap.to_string(), fr.ordinal.to_string()),
        _ => (String::new(), String::new()),
    };
    let mut capped = vec![t("本次检查系")];
    capped.extend(check(is(TaskSource::Routine), "日常检查"));
    capped.push(gap(0.5));
    capped.extend(check(is(TaskSource::Special), "专项检查"));
    capped.extend([
        t("，年度行政检查频次上限："),
        fill(&cap, 2.0),
        t("次，本次为第"),
        fill(&ordinal, 2.0),
        t("次。"),
    ]);

    let mut uncapped = vec![t("本次检查系根据")];
    for (i, s) in [
        TaskSource::Complaint,
        TaskSource::Referral,
        TaskSource::DataMonitoring,
        TaskSource::OnRequest,
        TaskSource::MediaReport,
        TaskSource::Other,
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            uncapped.push(gap(0.5));
        }
        uncapped.extend(check(is(s), s.label()));
    }
    let other = if is(TaskSource::Other) {
        f.source_other.as_str()
    } else {
        ""
    };
    uncapped.push(fill(other, 4.0));
    uncapped.push(t("发起的行政检查，不受年度检查频次上限限制。"));

    vec![
        Block::Para(Para::indented(capped)),
        Block::Para(Para::indented(uncapped)),
    ]
}
