//! 检查结果 (RESULT-1…RESULT-5): the rules of one department's result —
//! which items it may tick, what each ticked item needs, the two required
//! texts, the client-generated id that makes a retried submission harmless,
//! what an evidence upload must be, and when a submission is late.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{DomainError, DomainResult, ErrorKind};

/// Longest 企业基本情况 / 现场检查情况 kept.
pub const MAX_TEXT_CHARS: usize = 2000;
/// Longest 问题描述 and 其他 text kept.
pub const MAX_ITEM_TEXT_CHARS: usize = 500;
/// Photos one result may carry.
pub const MAX_EVIDENCE: usize = 30;
/// Default upload limit of one evidence file (configurable).
pub const DEFAULT_MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

/// One ticked line of the form, as a client sends it: a supervision item of
/// the department's list, or 其他 with its text.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = ResultItemInput)] // a schema name of its own (the item list has an `ItemInput`)
pub struct ItemInput {
    /// A supervision item of the department's list; omitted for 其他.
    pub item_id: Option<i64>,
    /// 其他: what was checked, when it is on no list.
    pub other: Option<String>,
    /// 是否存在问题 (required for each ticked item).
    pub has_problem: Option<bool>,
    /// 问题描述: required when `has_problem` is true.
    pub problem_description: Option<String>,
}

/// What a submission says, before checks.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ResultInput {
    /// Made by the client when the draft starts (a UUID); the same id with
    /// the same body is the same submission.
    pub client_id: Option<String>,
    /// The participating department the result is for (default: the one the
    /// inspector is on the task for).
    pub department_id: Option<i64>,
    /// The ticked items (at least one).
    #[serde(default)]
    pub items: Vec<ItemInput>,
    /// 企业基本情况 (required).
    pub enterprise_situation: Option<String>,
    /// 现场检查情况 — the conclusion (required).
    pub onsite_findings: Option<String>,
    /// Evidence uploaded for this task and department before submitting.
    #[serde(default)]
    pub evidence_ids: Vec<i64>,
}

/// A checked item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedItem {
    pub item_id: Option<i64>,
    pub other: Option<String>,
    pub has_problem: bool,
    pub problem_description: Option<String>,
}

/// A checked result, texts trimmed, items in the list's order (其他 last),
/// evidence ids sorted: the body whose hash identifies a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedResult {
    pub department_id: i64,
    pub items: Vec<CheckedItem>,
    pub enterprise_situation: String,
    pub onsite_findings: String,
    pub evidence_ids: Vec<i64>,
}

impl CheckedResult {
    /// SHA-256 (hex) of the canonical JSON of the checked body: two
    /// submissions that say the same thing hash the same, whatever the order
    /// of their items or photos or the spaces around their texts.
    pub fn body_hash(&self) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        hex::encode(Sha256::digest(text.as_bytes()))
    }
}

/// A client id: 8 to 64 letters, digits, `-` or `_` (a UUID fits).
pub fn check_client_id(id: Option<&str>) -> DomainResult<String> {
    let id = id.map(str::trim).unwrap_or("");
    if id.is_empty() {
        return Err(DomainError::field(
            "client_id",
            "required",
            "缺少提交编号（client_id），请刷新页面后重试",
        ));
    }
    let ok = (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(DomainError::field(
            "client_id",
            "invalid_client_id",
            "提交编号（client_id）应为8至64位字母、数字或连字符",
        ));
    }
    Ok(id.to_string())
}

fn text(
    value: Option<&str>,
    field: &'static str,
    label: &str,
    max: usize,
) -> DomainResult<Option<String>> {
    let t = value.map(str::trim).unwrap_or("");
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().count() > max {
        return Err(DomainError::field(
            field,
            "too_long",
            format!("{label}不能超过{max}个字"),
        ));
    }
    Ok(Some(t.to_string()))
}

/// RESULT-1 and RESULT-2: checks a submission against the department's list
/// (`list`: item ids in the list's order). At least one item is ticked; each
/// says 是否存在问题, and 问题描述 when 是; an item is not on the list twice
/// and 其他 at most once; 企业基本情况 and 现场检查情况 are required.
pub fn check(input: &ResultInput, department_id: i64, list: &[i64]) -> DomainResult<CheckedResult> {
    if input.items.is_empty() {
        return Err(DomainError::field(
            "items",
            "required",
            "请至少选择一项本次检查事项",
        ));
    }
    let mut items: Vec<(usize, CheckedItem)> = Vec::with_capacity(input.items.len());
    for (n, it) in input.items.iter().enumerate() {
        let n = n + 1;
        let other = text(
            it.other.as_deref(),
            "items",
            &format!("第{n}项“其他”的内容"),
            MAX_ITEM_TEXT_CHARS,
        )?;
        let position = match (it.item_id, &other) {
            (Some(id), None) => list.iter().position(|x| *x == id).ok_or_else(|| {
                DomainError::field(
                    "items",
                    "unknown_item",
                    format!("第{n}项不是本处室监管事项清单中的事项（编号{id}）"),
                )
            })?,
            (None, Some(_)) => list.len(),
            (Some(_), Some(_)) => {
                return Err(DomainError::field(
                    "items",
                    "invalid_item",
                    format!("第{n}项不能既是清单事项又是“其他”"),
                ))
            }
            (None, None) => {
                return Err(DomainError::field(
                    "items",
                    "required",
                    format!("第{n}项请选择监管事项，或填写“其他”的检查内容"),
                ))
            }
        };
        if items.iter().any(|(p, _)| *p == position) {
            return Err(DomainError::field(
                "items",
                "duplicate_item",
                if position == list.len() {
                    "“其他”只能填写一项，请合并填写".to_string()
                } else {
                    format!("第{n}项重复选择")
                },
            ));
        }
        let has_problem = it.has_problem.ok_or_else(|| {
            DomainError::field(
                "has_problem",
                "required",
                format!("第{n}项请选择是否存在问题"),
            )
        })?;
        let description = text(
            it.problem_description.as_deref(),
            "problem_description",
            "问题描述",
            MAX_ITEM_TEXT_CHARS,
        )?;
        if has_problem && description.is_none() {
            return Err(DomainError::field(
                "problem_description",
                "required",
                format!("第{n}项存在问题，请填写问题描述"),
            ));
        }
        items.push((
            position,
            CheckedItem {
                item_id: it.item_id,
                other,
                has_problem,
                // A description of an item without problems is not kept.
                problem_description: if has_problem { description } else { None },
            },
        ));
    }
    items.sort_by_key(|(p, _)| *p);
    let situation = text(
        input.enterprise_situation.as_deref(),
        "enterprise_situation",
        "企业基本情况",
        MAX_TEXT_CHARS,
    )?
    .ok_or_else(|| DomainError::required("enterprise_situation", "企业基本情况"))?;
    let findings = text(
        input.onsite_findings.as_deref(),
        "onsite_findings",
        "现场检查情况",
        MAX_TEXT_CHARS,
    )?
    .ok_or_else(|| DomainError::required("onsite_findings", "现场检查情况"))?;
    let mut evidence = input.evidence_ids.clone();
    evidence.sort_unstable();
    evidence.dedup();
    if evidence.len() > MAX_EVIDENCE {
        return Err(DomainError::field(
            "evidence_ids",
            "too_many",
            format!("影像资料最多{MAX_EVIDENCE}张"),
        ));
    }
    Ok(CheckedResult {
        department_id,
        items: items.into_iter().map(|(_, i)| i).collect(),
        enterprise_situation: situation,
        onsite_findings: findings,
        evidence_ids: evidence,
    })
}

labelled_enum!(
    /// What an evidence file is, told by its first bytes (never its name).
    ImageKind {
        Jpeg = "image/jpeg" / "JPEG",
        Png = "image/png" / "PNG",
        Webp = "image/webp" / "WebP",
    }
);

impl ImageKind {
    /// Sniffs the magic bytes: JPEG `FF D8 FF`, PNG's 8-byte signature,
    /// WebP `RIFF….WEBP`.
    pub fn sniff(bytes: &[u8]) -> Option<ImageKind> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageKind::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageKind::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(ImageKind::Webp)
        } else {
            None
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "jpg",
            ImageKind::Png => "png",
            ImageKind::Webp => "webp",
        }
    }
}

/// An evidence upload: not empty, at most `max_bytes`, and a photo by its
/// content.
pub fn check_upload(bytes: &[u8], max_bytes: usize) -> DomainResult<ImageKind> {
    if bytes.is_empty() {
        return Err(DomainError::field("file", "required", "请选择要上传的照片"));
    }
    if bytes.len() > max_bytes {
        return Err(too_large(max_bytes));
    }
    ImageKind::sniff(bytes).ok_or_else(|| {
        DomainError::field(
            "file",
            "not_image",
            "只能上传JPEG、PNG或WebP格式的照片（按文件内容判断，不看文件名）",
        )
    })
}

pub fn too_large(max_bytes: usize) -> DomainError {
    DomainError::new(
        ErrorKind::TooLarge,
        "too_large",
        format!("照片不能超过{:.1} MB", max_bytes as f64 / (1024.0 * 1024.0)),
    )
    .on("file")
}

/// RESULT-4 (当日办理当日提交): the visit day is the business day
/// (Asia/Shanghai) of the check-in — by code or skipped with a reason, both
/// record the moment —, and a submission on a later business day is late.
pub fn visit_day(checked_in_at: DateTime<Utc>) -> NaiveDate {
    crate::time::business_date(checked_in_at)
}

pub fn is_late(submitted_at: DateTime<Utc>, due_on: NaiveDate) -> bool {
    crate::time::business_date(submitted_at) > due_on
}

/// RESULT-3: why a result is corrected (required, at most 500 characters).
pub fn check_correction_reason(reason: Option<&str>) -> DomainResult<String> {
    text(reason, "reason", "更正原因", MAX_ITEM_TEXT_CHARS)?
        .ok_or_else(|| DomainError::required("reason", "更正原因"))
}

/// The body hash of a correction: the reason is part of what was said, so a
/// retry with another reason under the same client id is refused.
pub fn correction_hash(body: &CheckedResult, reason: &str) -> String {
    hex::encode(Sha256::digest(
        format!("{}\n{reason}", body.body_hash()).as_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn item(id: i64, problem: Option<bool>, desc: Option<&str>) -> ItemInput {
        ItemInput {
            item_id: Some(id),
            other: None,
            has_problem: problem,
            problem_description: desc.map(str::to_string),
        }
    }

    fn input(items: Vec<ItemInput>) -> ResultInput {
        ResultInput {
            client_id: Some("0b6a3c9e-1111-4a2b-9c3d-123456789abc".into()),
            department_id: None,
            items,
            enterprise_situation: Some(" 某企业，法人代表张三 ".into()),
            onsite_findings: Some("企业未落实重污染天气应急减排措施。".into()),
            evidence_ids: vec![3, 1],
        }
    }

    #[test]
    fn a_problem_needs_its_description() {
        let list = [10, 11, 12];
        let e = check(&input(vec![item(11, Some(true), None)]), 1, &list).unwrap_err();
        assert_eq!((e.code, e.field), ("required", Some("problem_description")));
        let e = check(&input(vec![item(11, None, None)]), 1, &list).unwrap_err();
        assert_eq!((e.code, e.field), ("required", Some("has_problem")));
        let ok = check(
            &input(vec![
                item(11, Some(true), Some(" 未停产 ")),
                item(10, Some(false), Some("x")),
            ]),
            1,
            &list,
        )
        .unwrap();
        assert_eq!(ok.items[0].item_id, Some(10), "in the list's order");
        assert_eq!(ok.items[0].problem_description, None);
        assert_eq!(ok.items[1].problem_description.as_deref(), Some("未停产"));
        assert_eq!(ok.enterprise_situation, "某企业，法人代表张三");
        assert_eq!(ok.evidence_ids, vec![1, 3]);
    }

    #[test]
    fn only_the_departments_items_and_one_other() {
        let list = [10, 11];
        let e = check(&input(vec![item(99, Some(false), None)]), 1, &list).unwrap_err();
        assert_eq!(e.code, "unknown_item");
        let e = check(
            &input(vec![
                item(10, Some(false), None),
                item(10, Some(false), None),
            ]),
            1,
            &list,
        )
        .unwrap_err();
        assert_eq!(e.code, "duplicate_item");
        let other = |t: &str| ItemInput {
            other: Some(t.into()),
            has_problem: Some(false),
            ..Default::default()
        };
        let ok = check(
            &input(vec![other("危化品仓库"), item(11, Some(false), None)]),
            1,
            &list,
        )
        .unwrap();
        assert_eq!(
            ok.items[1].other.as_deref(),
            Some("危化品仓库"),
            "其他 last"
        );
        let e = check(&input(vec![other("a"), other("b")]), 1, &list).unwrap_err();
        assert_eq!(e.code, "duplicate_item");
        let e = check(&input(vec![]), 1, &list).unwrap_err();
        assert_eq!((e.code, e.field), ("required", Some("items")));
    }

    #[test]
    fn both_texts_are_required() {
        let mut i = input(vec![item(10, Some(false), None)]);
        i.enterprise_situation = Some("   ".into());
        assert_eq!(
            check(&i, 1, &[10]).unwrap_err().field,
            Some("enterprise_situation")
        );
        i.enterprise_situation = Some("x".into());
        i.onsite_findings = None;
        assert_eq!(
            check(&i, 1, &[10]).unwrap_err().field,
            Some("onsite_findings")
        );
    }

    #[test]
    fn the_hash_ignores_order_and_spaces_but_not_content() {
        let list = [10, 11];
        let a = check(
            &input(vec![
                item(10, Some(false), None),
                item(11, Some(true), Some("p")),
            ]),
            1,
            &list,
        )
        .unwrap();
        let mut swapped = input(vec![
            item(11, Some(true), Some(" p")),
            item(10, Some(false), None),
        ]);
        swapped.evidence_ids = vec![1, 3, 3];
        let b = check(&swapped, 1, &list).unwrap();
        assert_eq!(a.body_hash(), b.body_hash());
        let c = check(
            &input(vec![
                item(10, Some(false), None),
                item(11, Some(true), Some("q")),
            ]),
            1,
            &list,
        )
        .unwrap();
        assert_ne!(a.body_hash(), c.body_hash());
        let d = check(
            &input(vec![
                item(10, Some(false), None),
                item(11, Some(true), Some("p")),
            ]),
            2,
            &list,
        )
        .unwrap();
        assert_ne!(a.body_hash(), d.body_hash(), "the department is part of it");
    }

    #[test]
    fn client_ids_are_checked() {
        assert!(check_client_id(Some("0b6a3c9e-1111-4a2b-9c3d-123456789abc")).is_ok());
        assert_eq!(check_client_id(None).unwrap_err().code, "required");
        assert_eq!(
            check_client_id(Some("short")).unwrap_err().code,
            "invalid_client_id"
        );
        assert_eq!(
            check_client_id(Some("abc def ghi")).unwrap_err().code,
            "invalid_client_id"
        );
    }

    #[test]
    fn uploads_are_told_by_content() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(check_upload(png, 100), Ok(ImageKind::Png));
        assert_eq!(
            check_upload(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0], 100),
            Ok(ImageKind::Jpeg)
        );
        assert_eq!(
            check_upload(b"RIFF\0\0\0\0WEBPVP8 ", 100),
            Ok(ImageKind::Webp)
        );
        assert_eq!(
            check_upload(b"%PDF-1.7 ...", 100).unwrap_err().code,
            "not_image"
        );
        assert_eq!(check_upload(png, 8).unwrap_err().code, "too_large");
        assert_eq!(check_upload(b"", 8).unwrap_err().code, "required");
    }

    #[test]
    fn late_means_a_later_day_in_shanghai() {
        // Checked in 2025-06-02 09:00 Shanghai.
        let at = Utc.with_ymd_and_hms(2025, 6, 2, 1, 0, 0).unwrap();
        let due = visit_day(at);
        // 23:59 the same day in Shanghai (15:59 UTC): on time.
        assert!(!is_late(
            Utc.with_ymd_and_hms(2025, 6, 2, 15, 59, 0).unwrap(),
            due
        ));
        // 00:01 the next day in Shanghai (16:01 UTC, still 06-02 in UTC): late.
        assert!(is_late(
            Utc.with_ymd_and_hms(2025, 6, 2, 16, 1, 0).unwrap(),
            due
        ));
    }

    #[test]
    fn a_correction_needs_its_reason_and_hashes_with_it() {
        assert_eq!(
            check_correction_reason(None).unwrap_err().field,
            Some("reason")
        );
        assert_eq!(
            check_correction_reason(Some("  ")).unwrap_err().code,
            "required"
        );
        assert_eq!(
            check_correction_reason(Some(&"字".repeat(MAX_ITEM_TEXT_CHARS + 1)))
                .unwrap_err()
                .code,
            "too_long"
        );
        let body = CheckedResult {
            department_id: 1,
            items: vec![],
            enterprise_situation: "a".into(),
            onsite_findings: "b".into(),
            evidence_ids: vec![],
        };
        assert_ne!(
            correction_hash(&body, "错填事项"),
            correction_hash(&body, "漏填问题")
        );
        assert_ne!(correction_hash(&body, "错填事项"), body.body_hash());
    }
}
