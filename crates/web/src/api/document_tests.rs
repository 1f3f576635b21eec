//! The API document says what the server does: every reference resolves, no
//! two types share a schema name, every enum lists the codes serde writes,
//! and the statuses that follow from an operation's shape are documented.

use std::collections::{BTreeMap, BTreeSet};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// The served document, as JSON.
fn document() -> Value {
    serde_json::to_value(super::split().1).unwrap()
}

/// Every operation of the document: (method, path, operation).
fn operations(doc: &Value) -> Vec<(&str, &str, &Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                all.push((method.as_str(), path.as_str(), op));
            }
        }
    }
    all
}

fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                found.push(target);
            }
            map.values().for_each(|v| refs(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
        _ => {}
    }
}

#[test]
fn every_reference_points_to_a_schema() {
    let doc = document();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 100, "only {} references", found.len());
    let dangling: BTreeSet<&str> = found
        .into_iter()
        .filter(|target| {
            let name = target.strip_prefix("#/components/schemas/");
            name.is_none_or(|name| doc["components"]["schemas"].get(name).is_none())
        })
        .collect();
    assert!(dangling.is_empty(), "references to nothing: {dangling:?}");
}

/// The document's schemas are a map by name: a second type of the same name
/// replaces the first without a word. Each route carries the schemas its
/// operations use, so two different schemas under one name show the loss.
#[test]
fn no_two_types_share_a_schema_name() {
    let doc = document();
    // Each name with the distinct schemas given under it.
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (schemas, _, _) in super::routes() {
        for (name, schema) in schemas {
            let schema = serde_json::to_string(&schema).unwrap();
            seen.entry(name).or_default().insert(schema);
        }
    }
    let shared: Vec<&String> = seen
        .iter()
        .filter(|(_, schemas)| schemas.len() > 1)
        .map(|(name, _)| name)
        .collect();
    assert!(shared.is_empty(), "names of several types: {shared:?}");
    for name in seen.keys() {
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{name} missing"
        );
    }
}

/// Checks one enum: its schema lists exactly the codes serde writes for
/// `variants`, in order, and each listed code reads back as its variant.
/// Returns the schema's name.
fn read_and_written<T: ToSchema + Serialize + DeserializeOwned>(
    doc: &Value,
    variants: &[T],
) -> String {
    let name = T::name().to_string();
    let codes: Vec<Value> = variants
        .iter()
        .map(|v| serde_json::to_value(v).unwrap())
        .collect();
    assert_eq!(
        doc["components"]["schemas"][&name]["enum"],
        Value::Array(codes.clone()),
        "{name}"
    );
    for code in codes {
        let read: T = serde_json::from_value(code.clone()).unwrap();
        assert_eq!(serde_json::to_value(read).unwrap(), code, "{name}");
    }
    name
}

#[test]
fn every_enum_lists_the_codes_the_server_writes() {
    use yici_domain::documents::{forms, workflow, DocumentKind};
    use yici_domain::draw::{caps, task};
    use yici_domain::org::{
        BusinessLine, DepartmentKind, Gender, PersonStatus, Role, Sector, UnitLevel,
    };
    use yici_domain::{joint, rectification, registry};
    use yici_store::file_jobs::{FileJobKind, FileJobPhase, FileJobStatus};

    let doc = document();
    let checked: BTreeSet<String> = [
        read_and_written(&doc, workflow::Action::ALL),
        read_and_written(&doc, workflow::DocumentStatus::ALL),
        read_and_written(&doc, DocumentKind::ALL),
        read_and_written(&doc, &forms::Outcome::ALL),
        read_and_written(&doc, &forms::Relation::ALL),
        read_and_written(&doc, yici_domain::publication::RectificationProgress::ALL),
        read_and_written(&doc, caps::TaskSource::ALL),
        read_and_written(&doc, task::TaskStatus::ALL),
        read_and_written(&doc, task::Method::ALL),
        read_and_written(&doc, task::Emergency::ALL),
        read_and_written(&doc, joint::ParticipantKind::ALL),
        read_and_written(&doc, joint::Decision::ALL),
        read_and_written(&doc, joint::JointStatus::ALL),
        read_and_written(&doc, UnitLevel::ALL),
        read_and_written(&doc, DepartmentKind::ALL),
        read_and_written(&doc, BusinessLine::ALL),
        read_and_written(&doc, Sector::ALL),
        read_and_written(&doc, &Role::ALL),
        read_and_written(&doc, &[Gender::Male, Gender::Female]),
        read_and_written(&doc, &[PersonStatus::Enabled, PersonStatus::Disabled]),
        read_and_written(&doc, registry::enterprise::SupervisionCategory::ALL),
        read_and_written(&doc, registry::enterprise::CreditGrade::ALL),
        read_and_written(&doc, registry::enterprise::EnterpriseStatus::ALL),
        read_and_written(&doc, registry::history::EditVia::ALL),
        read_and_written(&doc, registry::history::EditAction::ALL),
        read_and_written(&doc, registry::facility::FacilityKind::ALL),
        read_and_written(&doc, rectification::Status::ALL),
        read_and_written(&doc, rectification::Referral::ALL),
        read_and_written(&doc, rectification::StepKind::ALL),
        read_and_written(&doc, yici_domain::credit::ProposalStatus::ALL),
        read_and_written(&doc, yici_domain::credit::ChangeSource::ALL),
        read_and_written(&doc, yici_domain::warnings::WarningKind::ALL),
        read_and_written(&doc, yici_domain::warnings::WarningState::ALL),
        read_and_written(&doc, yici_domain::field::sign_up::ActivationStatus::ALL),
        read_and_written(
            &doc,
            &[FileJobKind::RegistryImport, FileJobKind::RegistryExport],
        ),
        read_and_written(
            &doc,
            &[
                FileJobStatus::Running,
                FileJobStatus::Done,
                FileJobStatus::Failed,
                FileJobStatus::Interrupted,
            ],
        ),
        read_and_written(
            &doc,
            &[
                FileJobPhase::Reading,
                FileJobPhase::Checking,
                FileJobPhase::Writing,
                FileJobPhase::Done,
            ],
        ),
    ]
    .into_iter()
    .collect();
    // Every enum of the document is one of those checked.
    let enums: BTreeSet<String> = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, schema)| schema.get("enum").is_some())
        .map(|(name, _)| name.clone())
        .collect();
    assert_eq!(enums, checked);
}

#[test]
fn path_parameters_document_404_input_422_and_bodies_413() {
    let doc = document();
    for (method, path, op) in operations(&doc) {
        let statuses = op["responses"].as_object().unwrap();
        let params: Vec<&str> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| p["in"].as_str().unwrap())
            .collect();
        if params.contains(&"path") {
            assert!(statuses.contains_key("404"), "{method} {path}");
        }
        if op.get("requestBody").is_some() || !params.is_empty() {
            assert!(statuses.contains_key("422"), "{method} {path}");
        }
        // Every body has a size limit (JSON the router's, uploads their own).
        if op.get("requestBody").is_some() {
            assert!(statuses.contains_key("413"), "{method} {path}");
        }
        // Every error response says how the error is written.
        for (status, response) in statuses {
            if status.starts_with('4') {
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{method} {path} {status}"
                );
            }
        }
    }
}

#[test]
fn operation_ids_are_unique() {
    let doc = document();
    let mut ids = BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap();
        assert!(ids.insert(id), "{method} {path}: {id} used twice");
    }
}

/// A parameter documented `in: path` that the path does not hold (a query
/// struct without `parameter_in = Query`) tells clients to put it nowhere,
/// and marks it required; each `{name}` of a path must be documented too.
#[test]
fn path_parameters_are_the_paths_own() {
    let doc = document();
    for (method, path, op) in operations(&doc) {
        let documented: BTreeSet<&str> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "path")
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        let in_path: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        assert_eq!(documented, in_path, "{method} {path}");
    }
}
