//! An enterprise's edit history (ENT-1, 变更记录): what each change did to
//! the registry record, field by field, and how it was made. Pure rules; the
//! store writes the entries in the transaction of the change itself.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::enterprise::{CreditGrade, EnterpriseStatus, SupervisionCategory};

labelled_enum!(
    /// How a change reached the registry.
    EditVia {
        Form = "form" / "网页表单",
        Api = "api" / "接口",
        Import = "import" / "批量导入",
        System = "system" / "系统",
    }
);

labelled_enum!(
    /// What a change did.
    EditAction {
        Create = "create" / "新增企业",
        Update = "update" / "修改企业信息",
        OutletAdd = "outlet_add" / "新增排口",
        OutletUpdate = "outlet_update" / "修改排口",
        OutletRemove = "outlet_remove" / "删除排口",
        TreatmentAdd = "treatment_add" / "新增治理设施",
        TreatmentUpdate = "treatment_update" / "修改治理设施",
        TreatmentRemove = "treatment_remove" / "删除治理设施",
        ProductionAdd = "production_add" / "新增生产设施",
        ProductionUpdate = "production_update" / "修改生产设施",
        ProductionRemove = "production_remove" / "删除生产设施",
    }
);

/// One field's value before and after a change, as text (`None`: empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldChange {
    /// The field's name in the API (`address`, `industry_code`, `pollutants` …).
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The fields whose values differ between two JSON objects of the same
/// record, in the order of [`FIELDS`] (the form's), others after them by
/// name; a field missing on one side is empty there. `id` is not a field of
/// the record's content.
pub fn changes(before: &Value, after: &Value) -> Vec<FieldChange> {
    let empty = Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).filter(|k| *k != "id").collect();
    keys.sort_by_key(|k| (position(k), k.as_str()));
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (was, is) = (text(b.get(k)), text(a.get(k)));
            (was != is).then(|| FieldChange {
                field: k.clone(),
                before: was,
                after: is,
            })
        })
        .collect()
}

fn position(field: &str) -> usize {
    FIELDS
        .iter()
        .position(|(f, _)| *f == field)
        .unwrap_or(FIELDS.len())
}

/// A JSON value as the history keeps it: strings as they are, other values
/// in their JSON form; null and absent are empty.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The fields of the registry and of its installations, in the order of
/// the form, with their Chinese names (the labels of the 一企一档 screen and
/// the import template).
pub const FIELDS: &[(&str, &str)] = &[
    ("name", "排污单位名称"),
    ("source_name", "固定源名称"),
    ("uscc", "统一社会信用代码"),
    ("uscc_exception_reason", "校验位例外原因"),
    ("permit_code", "排污许可证代码"),
    ("address", "地址"),
    ("industry_code", "行业代码"),
    ("postal_code", "邮政编码"),
    ("longitude", "中心经度"),
    ("latitude", "中心纬度"),
    ("region_code", "行政区划代码"),
    ("industrial_park", "工业园区"),
    ("contact_name", "环保联系人"),
    ("contact_phone", "联系方式"),
    ("status", "状态"),
    ("category", "监管类别"),
    ("credit_grade", "信用等级"),
    ("positive_list", "正面清单"),
    ("code", "编号"),
    ("kind", "类型"),
    ("pollutants", "污染物及排放限值"),
    ("process", "工艺/规格"),
];

/// The Chinese name of a field, or the field's own name when unknown.
pub fn field_label(field: &str) -> &str {
    FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(field, |(_, label)| label)
}

/// A stored value as a reader reads it: codes of the enumerations by their
/// Chinese labels, the positive-list flag as 是/否; anything else unchanged.
pub fn value_label(field: &str, value: &str) -> String {
    let label = match field {
        "status" => EnterpriseStatus::parse(value).map(EnterpriseStatus::label),
        "category" => SupervisionCategory::parse(value).map(SupervisionCategory::label),
        "credit_grade" => CreditGrade::parse(value).map(CreditGrade::label),
        "positive_list" => match value {
            "true" => Some("是"),
            "false" => Some("否"),
            _ => None,
        },
        _ => None,
    };
    label.map_or_else(|| value.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_fields_that_differ_are_changes() {
        let before = json!({"id": 1, "name": "甲", "address": "一路", "longitude": 117.5,
                            "contact_name": "张三", "positive_list": false});
        let after = json!({"id": 1, "name": "乙", "address": "一路", "longitude": 117.75,
                           "industrial_park": "园区", "positive_list": false});
        let c = changes(&before, &after);
        let fields: Vec<&str> = c.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            ["name", "longitude", "industrial_park", "contact_name"]
        );
        assert_eq!(c[0].before.as_deref(), Some("甲"));
        assert_eq!(c[0].after.as_deref(), Some("乙"));
        assert_eq!(c[1].after.as_deref(), Some("117.75"));
        assert_eq!(
            (c[2].before.as_deref(), c[2].after.as_deref()),
            (None, Some("园区"))
        );
        assert_eq!(
            (c[3].before.as_deref(), c[3].after.as_deref()),
            (Some("张三"), None)
        );
        assert!(changes(&before, &before).is_empty());
        // Null and absent are both empty.
        assert!(changes(&json!({"a": null}), &json!({})).is_empty());
    }

    #[test]
    fn fields_and_codes_read_in_chinese() {
        assert_eq!(field_label("address"), "地址");
        assert_eq!(field_label("unknown"), "unknown");
        assert_eq!(value_label("status", "suspended"), "停产");
        assert_eq!(value_label("category", "key"), "重点排污单位");
        assert_eq!(value_label("positive_list", "true"), "是");
        assert_eq!(value_label("address", "key"), "key");
        assert_eq!(EditVia::parse("import"), Some(EditVia::Import));
        assert_eq!(EditAction::OutletRemove.label(), "删除排口");
    }
}
