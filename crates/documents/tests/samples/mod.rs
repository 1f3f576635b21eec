//! Filled sample sheets of all six kinds, as an office in 玉田县 would issue
//! them to a steel works. Shared by the tests and `examples/bench_pdf.rs`.
#![allow(dead_code)]

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use yici_domain::documents::forms::*;
use yici_domain::documents::{Form, Sheet};
use yici_domain::draw::caps::TaskSource;
use yici_domain::registry::uscc::check_char;

pub const ENTERPRISE: &str = "唐山市玉田县恒泰钢铁有限公司";
pub const UNIT: &str = "唐山市生态环境局玉田县分局";
pub const OFFICER_1: (&str, &str) = ("张伟", "13020123001");
pub const OFFICER_2: (&str, &str) = ("李强", "13020123017");
pub const APPROVAL_NO: &str = "唐环行检批〔2025〕11-1号";
pub const NOTICE_NO: &str = "唐环行检通知〔2025〕11-1号";
pub const SAMPLING_NO: &str = "唐环抽（采）〔2025〕11-1号";
pub const RECORD_SHEET_NO: &str = "唐环行检记录〔2025〕11-1号";

pub fn uscc() -> String {
    let first17 = "91130229MA0CXK8L7";
    format!("{first17}{}", check_char(first17).unwrap())
}

pub fn officers() -> Vec<Officer> {
    [OFFICER_1, OFFICER_2]
        .iter()
        .map(|(name, no)| Officer {
            name: (*name).into(),
            certificate_no: (*no).into(),
        })
        .collect()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, d).unwrap()
}

fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
    day(d).and_hms_opt(h, m, 0).unwrap()
}

fn sheet(number: Option<&str>, seal: bool, form: Form) -> Sheet {
    Sheet {
        number: number.map(Into::into),
        seal: seal.then(|| UNIT.to_owned()),
        voided: false,
        form,
    }
}

pub fn approval_form() -> Sheet {
    sheet(
        Some(APPROVAL_NO),
        true,
        Form::ApprovalForm(ApprovalForm {
            enterprise_name: ENTERPRISE.into(),
            uscc: uscc(),
            sources: vec![TaskSource::Routine],
            items: "大气污染防治（有组织排放、无组织排放、超低排放改造）；固体废物污染环境防治；排污许可执行情况".into(),
            time: "2025年6月5日".into(),
            place: "玉田县鸦鸿桥镇工业园区恒泰路8号".into(),
            frequency: Some(Frequency { cap: 2, ordinal: 1 }),
            inspectors: officers(),
            assistants: "2人（唐山市玉田县生态环境监控中心）".into(),
            department_head: Some(Signature {
                opinion: "同意开展现场检查，请按“双随机、一公开”要求实施，一次进门查多项。".into(),
                name: "王建国".into(),
                signed_on: day(3),
            }),
            unit_head: Some(Signature {
                opinion: "同意。".into(),
                name: "刘振华".into(),
                signed_on: day(3),
            }),
        }),
    )
}

pub fn inspection_notice(source: TaskSource) -> Sheet {
    sheet(
        Some(NOTICE_NO),
        true,
        Form::InspectionNotice(InspectionNotice {
            enterprise_name: ENTERPRISE.into(),
            uscc: uscc(),
            legal_basis: "《中华人民共和国环境保护法》《中华人民共和国大气污染防治法》".into(),
            inspectors: officers(),
            inspection_date: Some(day(5)),
            legal_provisions: "《中华人民共和国环境保护法》第二十四条；《中华人民共和国大气污染防治法》第二十九条。".into(),
            content_and_method: "大气污染防治设施运行、超低排放改造及排污许可执行情况；现场检查、查阅复制资料、询问。".into(),
            materials: "排污许可证副本、自行监测报告、除尘设施运行台账".into(),
            attendees: "环保负责人".into(),
            other_requirements: "无".into(),
            source,
            source_other: String::new(),
            frequency: source.is_capped().then_some(Frequency { cap: 2, ordinal: 1 }),
            other_rights: "无".into(),
            unit_name: UNIT.into(),
            issued_on: Some(day(3)),
            contact: "张伟 0315-6112345".into(),
            recording_note: "本次检查全程使用执法记录仪同步录音录像。".into(),
            service: Some(Service {
                recipient: "赵立新".into(),
                served_on: day(5),
                method_and_address: "直接送达；玉田县鸦鸿桥镇工业园区恒泰路8号".into(),
            }),
        }),
    )
}

pub fn sampling_notice() -> Sheet {
    sheet(
        Some(SAMPLING_NO),
        true,
        Form::SamplingNotice(SamplingNotice {
            enterprise_name: ENTERPRISE.into(),
            uscc: uscc(),
            legal_basis: "《中华人民共和国大气污染防治法》第二十九条".into(),
            objects: "烧结机头烟气、除尘灰".into(),
            inspectors: officers(),
            samplers: "唐山市玉田县生态环境监控中心 孙悦、周明".into(),
            unit_name: UNIT.into(),
            issued_on: Some(day(5)),
            service: Some(Service {
                recipient: "赵立新".into(),
                served_on: day(5),
                method_and_address: "直接送达".into(),
            }),
            samples: vec![
                SampleItem {
                    name: "烧结机头烟气".into(),
                    quantity: "3个".into(),
                    specification: "气袋 3 L".into(),
                    model: "—".into(),
                    batch: "YT-20250605-01".into(),
                },
                SampleItem {
                    name: "除尘灰".into(),
                    quantity: "2袋".into(),
                    specification: "500 g/袋".into(),
                    model: "—".into(),
                    batch: "YT-20250605-02".into(),
                },
            ],
        }),
    )
}

/// 现场情况 long enough to run over a page.
pub fn long_findings() -> String {
    let mut text = String::new();
    let items = [
        "检查时该企业正常生产，1号、2号烧结机及配套脱硫脱硝、除尘设施同步运行，在线监控数据显示颗粒物、二氧化硫、氮氧化物小时均值分别为6.2、18.5、32.7毫克/立方米，符合超低排放限值要求。",
        "原料场全封闭料棚大门处于关闭状态，料棚内雾炮及喷淋设施正常开启，场内道路已硬化并保持湿润，未见明显扬尘。",
        "查阅2025年5月除尘设施运行台账，记录完整，布袋更换记录与现场核对一致；自行监测报告按排污许可证要求按季度开展。",
        "现场发现3号转运站顶部密闭罩有一处破损，存在无组织排放现象，已当场拍照取证（照片编号P001至P004），企业现场负责人表示立即组织维修。",
        "危险废物贮存库设置了标识标牌，台账记录与实际贮存量基本一致，废矿物油转移联单齐全。",
    ];
    for round in 0..4 {
        for (i, item) in items.iter().enumerate() {
            text.push_str(&format!("{}. {}\n", round * items.len() + i + 1, item));
        }
    }
    text
}

pub fn onsite_record() -> Sheet {
    sheet(
        None,
        false,
        Form::OnsiteRecord(OnsiteRecord {
            started_at: Some(at(5, 9, 30)),
            ended_at: NaiveTime::from_hms_opt(11, 20, 0),
            place: "玉田县鸦鸿桥镇工业园区恒泰路8号厂区".into(),
            enterprise_name: ENTERPRISE.into(),
            legal_representative: "赵立国".into(),
            uscc: uscc(),
            parties_notified: Some(true),
            subject: PartyPerson {
                name: "赵立新".into(),
                sex: "男".into(),
                id_number: "130229198203150012".into(),
                employer: ENTERPRISE.into(),
                position: "环保部部长".into(),
                phone: "13903151234".into(),
                address: "河北省唐山市玉田县玉田镇光明路12号".into(),
                postcode: "064100".into(),
            },
            witness: None,
            inspectors: officers(),
            recorder: "李强".into(),
            unit_name: UNIT.into(),
            matter: "唐山市玉田县恒泰钢铁有限公司大气污染防治情况".into(),
            findings: long_findings(),
            confirmation: "以上记录属实。".into(),
        }),
    )
}

pub fn inquiry_record() -> Sheet {
    let qa = |q: &str, a: &str| QuestionAnswer {
        question: q.into(),
        answer: a.into(),
    };
    sheet(
        None,
        false,
        Form::InquiryRecord(InquiryRecord {
            started_at: Some(at(5, 11, 30)),
            ended_at: NaiveTime::from_hms_opt(12, 10, 0),
            place: "唐山市玉田县恒泰钢铁有限公司办公楼二楼会议室".into(),
            interviewee: PartyPerson {
                name: "赵立新".into(),
                sex: "男".into(),
                id_number: "130229198203150012".into(),
                employer: ENTERPRISE.into(),
                position: "环保部部长".into(),
                phone: "13903151234".into(),
                address: "河北省唐山市玉田县玉田镇光明路12号".into(),
                postcode: "064100".into(),
            },
            age: "43".into(),
            relation: Some(Relation::Staff),
            inspectors: officers(),
            unit_name: UNIT.into(),
            recusal_answer: "不申请回避。".into(),
            matter: "唐山市玉田县恒泰钢铁有限公司3号转运站无组织排放".into(),
            questions: vec![
                qa("请介绍一下你公司的基本情况。", "我公司主要从事钢铁冶炼，现有烧结机2台、高炉2座、转炉2座，2019年完成超低排放改造。"),
                qa("3号转运站密闭罩破损是什么时候发现的？", "今天检查时才发现，平时巡检没有注意到顶部。"),
                qa("你公司对除尘设施的巡检制度是怎样的？", "每班巡检一次，填写巡检记录，每月由环保部汇总检查。"),
                qa("对于破损问题你公司打算如何整改？", "今天下午组织检修人员更换密闭罩，三日内完成，整改完成后报送整改报告和照片。"),
                qa("你还有什么要补充的吗？", "没有了。"),
            ],
            recorder: "李强".into(),
            participants: "孙悦".into(),
        }),
    )
}

pub fn inspection_record_sheet() -> Sheet {
    sheet(
        Some(RECORD_SHEET_NO),
        true,
        Form::InspectionRecordSheet(InspectionRecordSheet {
            enterprise_name: ENTERPRISE.into(),
            uscc: uscc(),
            contact: "赵立新".into(),
            contact_phone: "13903151234".into(),
            inspectors: officers(),
            started_at: Some(at(5, 9, 30)),
            ended_at: Some(at(5, 12, 10)),
            place: "玉田县鸦鸿桥镇工业园区恒泰路8号".into(),
            findings: "1. 检查事项：大气污染防治设施运行情况。标准：《钢铁企业超低排放改造工作方案》。方式：现场检查、查阅在线监控数据。结果：烧结机头烟气在线数据达标。\n2. 检查事项：无组织排放管控。方式：现场检查。问题：3号转运站顶部密闭罩破损，存在无组织排放。\n3. 检查事项：危险废物规范化管理。方式：查阅台账、现场核对。结果：未发现问题。".into(),
            outcome: Some(Outcome::NotPassed),
            outcome_other: String::new(),
        }),
    )
}

/// One filled sheet of each kind, in the template's order.
pub fn all() -> Vec<Sheet> {
    vec![
        approval_form(),
        inspection_notice(TaskSource::Routine),
        sampling_notice(),
        onsite_record(),
        inquiry_record(),
        inspection_record_sheet(),
    ]
}

/// A sheet of `like`'s kind with every field left blank (not numbered,
/// not stamped), as the paper form before anyone writes on it.
pub fn blank(like: &Sheet) -> Sheet {
    let empty = PartyPerson::default();
    let form = match &like.form {
        Form::ApprovalForm(_) => Form::ApprovalForm(ApprovalForm {
            enterprise_name: String::new(),
            uscc: String::new(),
            sources: vec![],
            items: String::new(),
            time: String::new(),
            place: String::new(),
            frequency: None,
            inspectors: vec![],
            assistants: String::new(),
            department_head: None,
            unit_head: None,
        }),
        Form::InspectionNotice(_) => Form::InspectionNotice(InspectionNotice {
            enterprise_name: String::new(),
            uscc: String::new(),
            legal_basis: String::new(),
            inspectors: vec![],
            inspection_date: None,
            legal_provisions: String::new(),
            content_and_method: String::new(),
            materials: String::new(),
            attendees: String::new(),
            other_requirements: String::new(),
            source: TaskSource::Other,
            source_other: String::new(),
            frequency: None,
            other_rights: String::new(),
            unit_name: String::new(),
            issued_on: None,
            contact: String::new(),
            recording_note: String::new(),
            service: None,
        }),
        Form::SamplingNotice(_) => Form::SamplingNotice(SamplingNotice {
            enterprise_name: String::new(),
            uscc: String::new(),
            legal_basis: String::new(),
            objects: String::new(),
            inspectors: vec![],
            samplers: String::new(),
            unit_name: String::new(),
            issued_on: None,
            service: None,
            samples: vec![],
        }),
        Form::OnsiteRecord(_) => Form::OnsiteRecord(OnsiteRecord {
            started_at: None,
            ended_at: None,
            place: String::new(),
            enterprise_name: String::new(),
            legal_representative: String::new(),
            uscc: String::new(),
            parties_notified: None,
            subject: empty.clone(),
            witness: None,
            inspectors: vec![],
            recorder: String::new(),
            unit_name: String::new(),
            matter: String::new(),
            findings: String::new(),
            confirmation: String::new(),
        }),
        Form::InquiryRecord(_) => Form::InquiryRecord(InquiryRecord {
            started_at: None,
            ended_at: None,
            place: String::new(),
            interviewee: empty,
            age: String::new(),
            relation: None,
            inspectors: vec![],
            unit_name: String::new(),
            recusal_answer: String::new(),
            matter: String::new(),
            questions: vec![],
            recorder: String::new(),
            participants: String::new(),
        }),
        Form::InspectionRecordSheet(_) => Form::InspectionRecordSheet(InspectionRecordSheet {
            enterprise_name: String::new(),
            uscc: String::new(),
            contact: String::new(),
            contact_phone: String::new(),
            inspectors: vec![],
            started_at: None,
            ended_at: None,
            place: String::new(),
            findings: String::new(),
            outcome: None,
            outcome_other: String::new(),
        }),
    };
    Sheet {
        number: None,
        seal: None,
        voided: false,
        form,
    }
}

/// `sheet` marked 作废.
pub fn voided(mut sheet: Sheet) -> Sheet {
    sheet.voided = true;
    sheet
}
