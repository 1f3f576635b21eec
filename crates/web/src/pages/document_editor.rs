//! One editor for the six forms. Each kind lists its editable fields with a
//! Chinese label and a widget; the page is generated from that list and the
//! form's JSON, and a submission is folded back into the JSON and read as the
//! kind's struct again — so a field is added in one place, not six templates.
//! Fields the platform fills from its records (频次, signatures, 送达, the
//! issue date) are not editable here; the workflow sets them.

use std::collections::BTreeMap;

use super::forms;
use serde_json::{Map, Value};
use yici_domain::documents::forms::{Outcome, Relation};
use yici_domain::documents::{DocumentKind, Form};
use yici_domain::draw::caps::TaskSource;
use yici_domain::DomainError;

#[derive(Clone, Copy)]
enum Widget {
    Text,
    Area,
    Date,
    DateTime,
    Time,
    /// Option<bool> as 是 / 否 / 未填.
    YesNo,
    Source,
    Sources,
    Relation,
    Outcome,
    Officers,
    Person,
    /// A person who may be absent (见证人).
    OptionalPerson,
    Questions,
    Samples,
}

use Widget::*;

/// The editable fields of a kind, in the template's order.
fn fields(kind: DocumentKind) -> &'static [(&'static str, &'static str, Widget)] {
    match kind {
        DocumentKind::ApprovalForm => &[
            ("enterprise_name", "被检查人名称", Text),
            ("uscc", "统一社会信用代码", Text),
            ("sources", "任务来源（可多选）", Sources),
            ("items", "检查事项", Area),
            ("time", "检查时间", Text),
            ("place", "检查地点", Text),
            ("inspectors", "检查人员", Officers),
            ("assistants", "执法辅助人员及数量", Text),
        ],
        DocumentKind::InspectionNotice => &[
            ("enterprise_name", "被检查人名称", Text),
            ("uscc", "统一社会信用代码", Text),
            ("legal_basis", "根据（法律依据名称）", Area),
            ("inspectors", "一、行政执法人员", Officers),
            ("inspection_date", "二、行政检查时间", Date),
            ("legal_provisions", "三、行政检查法律依据", Area),
            ("content_and_method", "四、行政检查内容及方式", Area),
            ("materials", "（一）材料、物品清单", Area),
            ("attendees", "（二）到场配合行政检查的人员", Text),
            ("other_requirements", "（三）其他", Text),
            ("source", "五、本次检查来源", Source),
            ("source_other", "来源为“其他”时的说明", Text),
            ("other_rights", "六、权利告知（三）其他", Text),
            ("unit_name", "行政执法主体", Text),
            ("contact", "联系人、联系方式", Text),
            ("recording_note", "同步音像记录的说明", Text),
        ],
        DocumentKind::SamplingNotice => &[
            ("enterprise_name", "被检查人名称", Text),
            ("uscc", "统一社会信用代码", Text),
            ("legal_basis", "根据（法律依据名称）", Area),
            ("objects", "抽样（采样）对象", Area),
            ("inspectors", "行政执法人员", Officers),
            ("samplers", "采样人员", Text),
            ("unit_name", "行政执法主体", Text),
            ("samples", "抽样（采样）物品清单", Samples),
        ],
        DocumentKind::OnsiteRecord => &[
            ("started_at", "检查开始时间", DateTime),
            ("ended_at", "检查结束时间", Time),
            ("place", "地点", Text),
            ("enterprise_name", "被检查（勘验）名称", Text),
            ("legal_representative", "法定代表人（负责人）", Text),
            ("uscc", "统一社会信用代码", Text),
            ("parties_notified", "是否通知相关人员到场", YesNo),
            ("subject", "被检查（勘察）人", Person),
            ("witness", "见证人", OptionalPerson),
            ("inspectors", "检查（勘察）人", Officers),
            ("recorder", "记录人", Text),
            ("unit_name", "执法单位", Text),
            ("matter", "检查事由（被检查人、具体事由）", Area),
            ("findings", "现场情况", Area),
            ("confirmation", "被检查人对笔录内容确认", Text),
        ],
        DocumentKind::InquiryRecord => &[
            ("started_at", "询问开始时间", DateTime),
            ("ended_at", "询问结束时间", Time),
            ("place", "询问地点", Text),
            ("interviewee", "被询问人", Person),
            ("age", "年龄", Text),
            ("relation", "与被检查人关系", Relation),
            ("inspectors", "行政执法人员", Officers),
            ("unit_name", "执法单位", Text),
            ("recusal_answer", "是否申请回避（答）", Text),
            ("matter", "询问事由（被检查人、具体事由）", Area),
            ("questions", "询问内容", Questions),
            ("recorder", "记录人", Text),
            ("participants", "参加人", Text),
        ],
        DocumentKind::InspectionRecordSheet => &[
            ("enterprise_name", "被检查人名称", Text),
            ("uscc", "统一社会信用代码", Text),
            ("contact", "联系人", Text),
            ("contact_phone", "联系电话", Text),
            ("inspectors", "行政执法人员", Officers),
            ("started_at", "检查开始时间", DateTime),
            ("ended_at", "检查结束时间", DateTime),
            ("place", "检查地点", Text),
            (
                "findings",
                "检查情况（检查事项、标准、方式、内容和存在的问题）",
                Area,
            ),
            ("outcome", "结果告知", Outcome),
            ("outcome_other", "结果为“其他”时的说明", Text),
        ],
    }
}

const PERSON: [(&str, &str); 8] = [
    ("name", "姓名"),
    ("sex", "性别"),
    ("id_number", "身份证号码"),
    ("employer", "工作单位"),
    ("position", "职务"),
    ("phone", "电话"),
    ("address", "住址"),
    ("postcode", "邮编"),
];
const OFFICER: [(&str, &str); 2] = [("name", "姓名"), ("certificate_no", "行政执法证号")];
const QUESTION: [(&str, &str); 2] = [("question", "问"), ("answer", "答")];
const SAMPLE: [(&str, &str); 5] = [
    ("name", "名称"),
    ("quantity", "数量"),
    ("specification", "规格"),
    ("model", "型号"),
    ("batch", "批号"),
];

/// Empty rows offered under a list for new entries.
const SPARE_ROWS: usize = 2;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn str_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn input(name: &str, value: &str, kind: &str) -> String {
    format!(
        "<input type=\"{kind}\" name=\"{}\" value=\"{}\">",
        escape(name),
        escape(value)
    )
}

/// A date, date-and-time or time as a text input showing the platform's
/// format (2026-12-07, 2026-12-07 09:30, 09:30) whatever the browser's
/// locale; the server reads what is typed (`forms::parse_date` …).
fn typed_input(name: &str, value: &str, placeholder: &str, size: usize) -> String {
    format!(
        "<input type=\"text\" class=\"date-input\" name=\"{}\" value=\"{}\" placeholder=\"{placeholder}\" maxlength=\"{size}\" autocomplete=\"off\">",
        escape(name),
        escape(value)
    )
}

fn select(name: &str, current: &str, options: &[(&str, &str)]) -> String {
    let mut s = format!(
        "<select name=\"{}\"><option value=\"\">未填</option>",
        escape(name)
    );
    for (code, label) in options {
        let sel = if *code == current { " selected" } else { "" };
        s.push_str(&format!("<option value=\"{code}\"{sel}>{label}</option>"));
    }
    s.push_str("</select>");
    s
}

/// A table of rows with the given columns; existing rows and spare ones.
fn rows(name: &str, value: Option<&Value>, columns: &[(&str, &str)]) -> String {
    let existing = value.and_then(Value::as_array).cloned().unwrap_or_default();
    let mut s = String::from("<table class=\"grid sub\"><thead><tr><th class=\"n\">序号</th>");
    for (_, label) in columns {
        s.push_str(&format!("<th>{label}</th>"));
    }
    s.push_str("</tr></thead><tbody>");
    for i in 0..existing.len() + SPARE_ROWS {
        s.push_str(&format!("<tr><td class=\"n\">{}</td>", i + 1));
        for (key, _) in columns {
            let v = str_of(existing.get(i).and_then(|r| r.get(*key)));
            let field = format!("{name}.{i}.{key}");
            if *key == "answer" || *key == "question" {
                s.push_str(&format!(
                    "<td><textarea name=\"{}\" rows=\"2\">{}</textarea></td>",
                    escape(&field),
                    escape(&v)
                ));
            } else {
                s.push_str(&format!("<td>{}</td>", input(&field, &v, "text")));
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

fn person(name: &str, value: Option<&Value>) -> String {
    let mut s = String::from("<div class=\"person-grid\">");
    for (key, label) in PERSON {
        let v = str_of(value.and_then(|p| p.get(key)));
        s.push_str(&format!(
            "<label>{label}{}</label>",
            input(&format!("{name}.{key}"), &v, "text")
        ));
    }
    s.push_str("</div>");
    s
}

/// The editor's rows for a form: (label, control HTML, whether it spans wide).
pub fn controls(form: &Form) -> Vec<(&'static str, String, bool)> {
    let json = serde_json::to_value(form).unwrap_or(Value::Null);
    let sources: Vec<(&str, &str)> = TaskSource::ALL
        .iter()
        .map(|s| (s.as_str(), s.label()))
        .collect();
    let mut out = Vec::new();
    for &(key, label, widget) in fields(form.kind()) {
        let v = json.get(key);
        let html = match widget {
            Text => input(key, &str_of(v), "text"),
            Area => format!(
                "<textarea name=\"{key}\" rows=\"{}\">{}</textarea>",
                if key == "findings" { 10 } else { 3 },
                escape(&str_of(v))
            ),
            Date => typed_input(key, &str_of(v), "2026-12-07", 10),
            DateTime => typed_input(
                key,
                &str_of(v)
                    .chars()
                    .take(16)
                    .collect::<String>()
                    .replace('T', " "),
                "2026-12-07 09:30",
                16,
            ),
            Time => typed_input(
                key,
                &str_of(v).chars().take(5).collect::<String>(),
                "09:30",
                5,
            ),
            YesNo => {
                let cur = match v {
                    Some(Value::Bool(true)) => "true",
                    Some(Value::Bool(false)) => "false",
                    _ => "",
                };
                select(key, cur, &[("true", "是"), ("false", "否")])
            }
            Source => select(key, &str_of(v), &sources),
            Sources => {
                let ticked: Vec<String> = v
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(|x| str_of(Some(x))).collect())
                    .unwrap_or_default();
                sources
                    .iter()
                    .map(|(code, label)| {
                        let c = if ticked.iter().any(|t| t == code) { " checked" } else { "" };
                        format!("<label class=\"check-label\"><input type=\"checkbox\" name=\"{key}\" value=\"{code}\"{c}> {label}</label>")
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            Relation => select(
                key,
                &str_of(v),
                &Relation::ALL.map(|r| (relation_code(r), r.label())),
            ),
            Outcome => select(
                key,
                &str_of(v),
                &Outcome::ALL.map(|o| (o.as_str(), o.label())),
            ),
            Officers => rows(key, v, &OFFICER),
            Questions => rows(key, v, &QUESTION),
            Samples => rows(key, v, &SAMPLE),
            Person | OptionalPerson => person(key, v),
        };
        let wide = matches!(
            widget,
            Area | Officers | Questions | Samples | Person | OptionalPerson | Sources
        );
        out.push((label, html, wide));
    }
    out
}

fn relation_code(r: Relation) -> &'static str {
    match r {
        Relation::LegalRepresentative => "legal_representative",
        Relation::Principal => "principal",
        Relation::Staff => "staff",
        Relation::Other => "other",
    }
}

/// Folds a submission into the form: every editable field takes its posted
/// value; empty list rows are dropped; the result must read as the kind.
pub fn apply(form: &Form, posted: &[(String, String)]) -> Result<Form, DomainError> {
    let mut json = serde_json::to_value(form)
        .map_err(|e| DomainError::invalid("invalid_form", e.to_string()))?;
    let obj = json
        .as_object_mut()
        .ok_or_else(|| DomainError::invalid("invalid_form", "表单数据有误"))?;
    let get = |name: &str| {
        posted
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
    };
    for &(key, label, widget) in fields(form.kind()) {
        let value = match widget {
            Text | Area => Value::String(get(key).unwrap_or_default()),
            // The source is never blank on the paper: an empty choice keeps it.
            Source if get(key).is_none_or(|s| s.is_empty()) => continue,
            Date | Time | DateTime => match get(key) {
                Some(s) if !s.is_empty() => {
                    let (read, example) = match widget {
                        Date => (forms::parse_date(&s).map(|d| d.to_string()), "2026-12-07"),
                        Time => (forms::parse_time(&s).map(|t| format!("{t}:00")), "09:30"),
                        _ => (forms::parse_date_time(&s), "2026-12-07 09:30"),
                    };
                    Value::String(read.ok_or_else(|| {
                        DomainError::field(
                            key,
                            "invalid",
                            format!("{label}格式有误，请按 {example} 的格式填写"),
                        )
                    })?)
                }
                _ => Value::Null,
            },
            Source | Relation | Outcome => match get(key) {
                Some(s) if !s.is_empty() => Value::String(s),
                _ => Value::Null,
            },
            YesNo => match get(key).as_deref() {
                Some("true") => Value::Bool(true),
                Some("false") => Value::Bool(false),
                _ => Value::Null,
            },
            Sources => Value::Array(
                posted
                    .iter()
                    .filter(|(k, v)| k == key && !v.is_empty())
                    .map(|(_, v)| Value::String(v.clone()))
                    .collect(),
            ),
            Officers => list(posted, key, &OFFICER),
            Questions => list(posted, key, &QUESTION),
            Samples => list(posted, key, &SAMPLE),
            Person | OptionalPerson => {
                let mut p = Map::new();
                for (k, _) in PERSON {
                    p.insert(
                        k.into(),
                        Value::String(get(&format!("{key}.{k}")).unwrap_or_default()),
                    );
                }
                let empty = p.values().all(|v| v.as_str() == Some(""));
                if matches!(widget, OptionalPerson) && empty {
                    Value::Null
                } else {
                    Value::Object(p)
                }
            }
        };
        if matches!(widget, Sources) && value.as_array().is_some_and(Vec::is_empty) {
            return Err(DomainError::field(
                key,
                "required",
                format!("请选择{label}"),
            ));
        }
        obj.insert(key.to_string(), value);
    }
    serde_json::from_value(json).map_err(|e| {
        DomainError::invalid(
            "invalid_form",
            format!("文书内容有误，请检查日期和时间的格式（{e}）"),
        )
    })
}

/// Rows `name.i.column` of a list, in order, without the empty ones.
fn list(posted: &[(String, String)], name: &str, columns: &[(&str, &str)]) -> Value {
    let mut rows: BTreeMap<usize, Map<String, Value>> = BTreeMap::new();
    let prefix = format!("{name}.");
    for (k, v) in posted {
        let Some(rest) = k.strip_prefix(&prefix) else {
            continue;
        };
        let Some((i, col)) = rest.split_once('.') else {
            continue;
        };
        let (Ok(i), true) = (i.parse::<usize>(), columns.iter().any(|(c, _)| *c == col)) else {
            continue;
        };
        rows.entry(i)
            .or_default()
            .insert(col.to_string(), Value::String(v.trim().to_string()));
    }
    Value::Array(
        rows.into_values()
            .filter(|r| {
                r.values()
                    .any(|v| v.as_str().is_some_and(|s| !s.is_empty()))
            })
            .map(|mut r| {
                for (c, _) in columns {
                    r.entry(c.to_string())
                        .or_insert(Value::String(String::new()));
                }
                Value::Object(r)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use yici_domain::documents::forms::{ApprovalForm, Officer};

    fn approval() -> Form {
        Form::ApprovalForm(ApprovalForm {
            enterprise_name: "玉田县某钢铁有限公司".into(),
            uscc: "91130229MA0000000X".into(),
            sources: vec![TaskSource::Routine],
            items: String::new(),
            time: String::new(),
            place: String::new(),
            frequency: None,
            inspectors: vec![Officer {
                name: "周明".into(),
                certificate_no: "13022290056".into(),
            }],
            assistants: "无".into(),
            department_head: None,
            unit_head: None,
        })
    }

    fn posted(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_submission_folds_into_the_form_and_drops_empty_rows() {
        let form = approval();
        let out = apply(
            &form,
            &posted(&[
                ("enterprise_name", " 玉田县某钢铁有限公司 "),
                ("uscc", "91130229MA0000000X"),
                ("sources", "routine"),
                ("sources", "complaint"),
                ("items", "排污许可执行情况"),
                ("inspectors.0.name", "周明"),
                ("inspectors.0.certificate_no", "13022290056"),
                ("inspectors.1.name", ""),
                ("inspectors.1.certificate_no", ""),
                ("inspectors.2.name", "林雪梅"),
                ("inspectors.2.certificate_no", "13022290057"),
            ]),
        )
        .unwrap();
        let Form::ApprovalForm(f) = out else {
            panic!("kind kept")
        };
        assert_eq!(f.enterprise_name, "玉田县某钢铁有限公司");
        assert_eq!(f.sources, vec![TaskSource::Routine, TaskSource::Complaint]);
        assert_eq!(f.items, "排污许可执行情况");
        let names: Vec<_> = f.inspectors.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["周明", "林雪梅"]);
        // Not editable here: a forged field does not reach the form.
        assert_eq!(f.frequency, None);
    }

    #[test]
    fn no_source_ticked_is_refused_beside_the_field() {
        let err = apply(
            &approval(),
            &posted(&[("enterprise_name", "x"), ("uscc", "y")]),
        )
        .unwrap_err();
        assert_eq!(err.field, Some("sources"));
    }

    #[test]
    fn the_editor_escapes_what_it_shows() {
        let mut form = approval();
        if let Form::ApprovalForm(f) = &mut form {
            f.items = "<script>alert(1)</script>".into();
        }
        let html: String = controls(&form).into_iter().map(|(_, h, _)| h).collect();
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
    }
}
