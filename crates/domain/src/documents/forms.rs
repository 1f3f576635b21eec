//! The six documents of 《生态环境行政检查文书基本格式文本（试行）》 as data: one
//! struct per template, a field per blank of the template. A document's
//! contents are stored as this JSON (frozen once the document is numbered)
//! and rendered from it to HTML, DOCX and PDF by `yici-documents`.
//!
//! `None` or an empty string is a blank the renderer prints as a line to be
//! filled by hand (____), exactly as on the paper form.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use super::kind::DocumentKind;
use crate::draw::caps::TaskSource;

/// 行政执法人员: a name and the 行政执法证号.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Officer {
    pub name: String,
    pub certificate_no: String,
}

/// 年度行政检查频次上限：_次，本次为第_次 (from the cap ledger; absent for
/// sources outside the caps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Frequency {
    pub cap: u32,
    pub ordinal: u32,
}

/// A signed opinion on the 审批表 (承办机构负责人 / 行政执法主体负责人).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Signature {
    pub opinion: String,
    pub name: String,
    pub signed_on: NaiveDate,
}

/// 受送达 and 送达方式和地址 of a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Service {
    /// Who signed or stamped for the enterprise.
    pub recipient: String,
    pub served_on: NaiveDate,
    pub method_and_address: String,
}

/// A person named in a 笔录 (被检查人, 见证人, 被询问人).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PartyPerson {
    pub name: String,
    pub sex: String,
    pub id_number: String,
    pub employer: String,
    pub position: String,
    pub phone: String,
    pub address: String,
    pub postcode: String,
}

/// 行政检查审批表 (内部审批).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApprovalForm {
    pub enterprise_name: String,
    pub uscc: String,
    /// 任务来源, ticked (可多选).
    pub sources: Vec<TaskSource>,
    /// 检查事项: names or codes from the supervision item list.
    pub items: String,
    /// 检查时间 as written on the form, e.g. 2025年6月3日.
    pub time: String,
    pub place: String,
    pub frequency: Option<Frequency>,
    pub inspectors: Vec<Officer>,
    /// 执法辅助人员及数量, e.g. 无 or 2人（监测站）.
    pub assistants: String,
    pub department_head: Option<Signature>,
    pub unit_head: Option<Signature>,
}

/// 行政检查通知书 (front) with 「五个严禁」「八个不得」 on the back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InspectionNotice {
    pub enterprise_name: String,
    pub uscc: String,
    /// 根据_____(法律依据名称)
    pub legal_basis: String,
    pub inspectors: Vec<Officer>,
    pub inspection_date: Option<NaiveDate>,
    /// 三、行政检查法律依据 (articles).
    pub legal_provisions: String,
    /// 四、行政检查内容及方式 (the items and how they are checked).
    pub content_and_method: String,
    /// (一) 材料、物品清单
    pub materials: String,
    /// (二) 到场配合行政检查的人员
    pub attendees: String,
    /// (三) 其他
    pub other_requirements: String,
    /// 五、行政检查频次: the source ticked; `frequency` only for capped sources.
    pub source: TaskSource,
    /// The words after 其他 when the source is 其他.
    pub source_other: String,
    pub frequency: Option<Frequency>,
    /// 六、(三) 其他 rights.
    pub other_rights: String,
    /// 行政执法主体 (the unit's name, above its seal) and the date issued.
    pub unit_name: String,
    pub issued_on: Option<NaiveDate>,
    /// 联系人、联系方式
    pub contact: String,
    /// 行政检查同步开展音像记录的说明 (注意事项 3), empty when none.
    pub recording_note: String,
    pub service: Option<Service>,
}

/// One line of the 抽样（采样）物品清单.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SampleItem {
    pub name: String,
    pub quantity: String,
    pub specification: String,
    pub model: String,
    pub batch: String,
}

/// 抽样（采样）通知书.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SamplingNotice {
    pub enterprise_name: String,
    pub uscc: String,
    pub legal_basis: String,
    /// 现决定对你单位的_____等进行抽样（采样）
    pub objects: String,
    pub inspectors: Vec<Officer>,
    /// 采样人员
    pub samplers: String,
    pub unit_name: String,
    pub issued_on: Option<NaiveDate>,
    pub service: Option<Service>,
    /// 附抽样（采样）物品清单
    pub samples: Vec<SampleItem>,
}

/// 现场检查（勘验）笔录. Not numbered; its pages are (第_页共_页).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OnsiteRecord {
    pub started_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveTime>,
    pub place: String,
    pub enterprise_name: String,
    pub legal_representative: String,
    pub uscc: String,
    /// 是否通知相关人员到场
    pub parties_notified: Option<bool>,
    /// 被检查（勘察）人
    pub subject: PartyPerson,
    pub witness: Option<PartyPerson>,
    pub inspectors: Vec<Officer>,
    pub recorder: String,
    /// 我们是_____的行政执法人员
    pub unit_name: String,
    /// 现依法就（被检查人、具体事由）进行现场检查
    pub matter: String,
    /// 现场情况 (检查或者勘验经过、查明的事实).
    pub findings: String,
    /// 被检查（勘验）人或现场负责人对笔录内容确认
    pub confirmation: String,
}

/// 与被检查人关系.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    LegalRepresentative,
    Principal,
    Staff,
    Other,
}

impl Relation {
    pub const ALL: [Relation; 4] = [
        Relation::LegalRepresentative,
        Relation::Principal,
        Relation::Staff,
        Relation::Other,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Relation::LegalRepresentative => "法定代表人",
            Relation::Principal => "负责人",
            Relation::Staff => "工作人员",
            Relation::Other => "其他",
        }
    }
}

/// One 问/答 of an inquiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QuestionAnswer {
    pub question: String,
    pub answer: String,
}

/// 调查询问笔录, with its 尾页. Not numbered; pages are (第_页共_页).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InquiryRecord {
    pub started_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveTime>,
    pub place: String,
    pub interviewee: PartyPerson,
    pub age: String,
    pub relation: Option<Relation>,
    pub inspectors: Vec<Officer>,
    pub unit_name: String,
    /// 您是否申请回避？ 答：
    pub recusal_answer: String,
    /// 现我们就（被检查人、具体事由）有关情况对你进行询问
    pub matter: String,
    pub questions: Vec<QuestionAnswer>,
    pub recorder: String,
    /// 参加人
    pub participants: String,
}

/// 结果告知 (DOC-7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    NotPassed,
    Other,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Passed, Outcome::NotPassed, Outcome::Other];

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Passed => "通过行政检查",
            Outcome::NotPassed => "未通过行政检查",
            Outcome::Other => "其他",
        }
    }

    /// Stable code, as the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::NotPassed => "not_passed",
            Outcome::Other => "other",
        }
    }

    /// Accepts the code or the label.
    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s || o.label() == s)
    }
}

/// 行政检查情况记录表.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InspectionRecordSheet {
    pub enterprise_name: String,
    pub uscc: String,
    pub contact: String,
    pub contact_phone: String,
    pub inspectors: Vec<Officer>,
    pub started_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    pub place: String,
    /// 检查情况: 检查事项、标准、方式、内容和存在的问题 (条目化).
    pub findings: String,
    pub outcome: Option<Outcome>,
    /// The words after 其他.
    pub outcome_other: String,
}

/// The contents of one document, by kind. (Variants differ in size; a form
/// is built or rendered a few times per request, so boxing buys nothing.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Form {
    ApprovalForm(ApprovalForm),
    InspectionNotice(InspectionNotice),
    SamplingNotice(SamplingNotice),
    OnsiteRecord(OnsiteRecord),
    InquiryRecord(InquiryRecord),
    InspectionRecordSheet(InspectionRecordSheet),
}

impl Form {
    pub fn kind(&self) -> DocumentKind {
        match self {
            Form::ApprovalForm(_) => DocumentKind::ApprovalForm,
            Form::InspectionNotice(_) => DocumentKind::InspectionNotice,
            Form::SamplingNotice(_) => DocumentKind::SamplingNotice,
            Form::OnsiteRecord(_) => DocumentKind::OnsiteRecord,
            Form::InquiryRecord(_) => DocumentKind::InquiryRecord,
            Form::InspectionRecordSheet(_) => DocumentKind::InspectionRecordSheet,
        }
    }
}

/// What the renderer prints around the form: the number line, the seal, and
/// a 作废 mark on a voided document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Sheet {
    /// 编号：_____ (None: not numbered yet, printed blank).
    pub number: Option<String>,
    /// The unit whose electronic seal is printed once the office has stamped it.
    pub seal: Option<String>,
    pub voided: bool,
    pub form: Form,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_print_as_the_templates_boxes() {
        // 调查询问笔录: 与被检查人关系 □法定代表人 □负责人 □工作人员 □其他.
        let labels: Vec<_> = Relation::ALL.iter().map(|r| r.label()).collect();
        assert_eq!(labels, ["法定代表人", "负责人", "工作人员", "其他"]);
    }

    #[test]
    fn outcomes_print_as_the_templates_boxes() {
        // 行政检查情况记录表, 结果告知: □通过行政检查 □未通过行政检查 □其他.
        let labels: Vec<_> = Outcome::ALL.iter().map(|o| o.label()).collect();
        assert_eq!(labels, ["通过行政检查", "未通过行政检查", "其他"]);
    }
}
