//! Real answers against the schemas the OpenAPI document gives them: the
//! document is the field app's contract, so what the server writes must fit
//! it, and every field it writes must be documented. (The document's own
//! consistency is checked by the unit tests in `api::document_tests`.)

use std::collections::BTreeSet;

use chrono::Duration;
use serde_json::{json, Value};

use crate::common::{enterprise_token, secretary_token, TestApp, YUTIAN};
use crate::rectifications::visited;

both_databases!(
    answers_fit_their_documented_schemas,
    an_oversized_json_body_is_a_documented_413,
    a_malformed_path_parameter_is_a_documented_error_everywhere,
    refusals_the_fuzzer_met_are_documented,
);

/// Checks values against the subset of JSON Schema that utoipa writes:
/// `$ref`, `type` (one or a list), `enum`, `properties` and `required`,
/// `items`, `additionalProperties`, `oneOf` / `anyOf` / `allOf`, `nullable`.
/// Stricter than JSON Schema in one way: a field of an object that its schema
/// does not name is an error (an undocumented field), unless the schema takes
/// additional properties or is a union whose options decide.
struct Checker<'a> {
    doc: &'a Value,
}

impl<'a> Checker<'a> {
    /// The schema a `$ref` names (followed until it is not a reference).
    fn resolve(&self, mut schema: &'a Value) -> &'a Value {
        while let Some(target) = schema["$ref"].as_str() {
            let name = target
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected reference {target}"));
            schema = &self.doc["components"]["schemas"][name];
            assert!(!schema.is_null(), "{target} points to nothing");
        }
        schema
    }

    /// The field names an object of `schema` may have; `None` if any.
    fn names(&self, schema: &'a Value) -> Option<BTreeSet<&'a str>> {
        let schema = self.resolve(schema);
        if schema
            .get("additionalProperties")
            .is_some_and(|a| a != &Value::Bool(false))
        {
            return None;
        }
        let own = schema["properties"].as_object();
        let parts = schema["allOf"].as_array();
        if own.is_none() && parts.is_none() {
            return None;
        }
        let mut names: BTreeSet<&str> =
            own.into_iter().flatten().map(|(k, _)| k.as_str()).collect();
        for part in parts.into_iter().flatten() {
            names.extend(self.names(part)?);
        }
        Some(names)
    }

    fn check(&self, schema: &'a Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        self.shape(schema, value, at, errors, true);
    }

    /// `closed`: whether fields `schema` does not name are errors (not for
    /// one part of an `allOf`, whose other parts name other fields).
    fn shape(
        &self,
        schema: &'a Value,
        value: &Value,
        at: &str,
        errors: &mut Vec<String>,
        closed: bool,
    ) {
        let schema = self.resolve(schema);
        if value.is_null() && schema["nullable"] == Value::Bool(true) {
            return;
        }
        for part in schema["allOf"].as_array().into_iter().flatten() {
            self.shape(part, value, at, errors, false);
        }
        for union in ["oneOf", "anyOf"] {
            let Some(options) = schema[union].as_array() else {
                continue;
            };
            let fitting = options
                .iter()
                .filter(|option| {
                    let mut wrong = Vec::new();
                    self.shape(option, value, at, &mut wrong, closed);
                    wrong.is_empty()
                })
                .count();
            let fits = if union == "oneOf" {
                fitting == 1
            } else {
                fitting > 0
            };
            if !fits {
                errors.push(format!(
                    "{at}: {fitting} of the {union} options fit {value}"
                ));
            }
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !types.is_empty() && !types.iter().any(|t| is(t, value)) {
            errors.push(format!("{at}: {value} is not {types:?}"));
            return;
        }
        if let Some(allowed) = schema["enum"].as_array() {
            if !allowed.contains(value) {
                errors.push(format!("{at}: {value} is not one of {allowed:?}"));
            }
        }
        match value {
            Value::Object(fields) => {
                for name in schema["required"].as_array().into_iter().flatten() {
                    let name = name.as_str().unwrap();
                    if !fields.contains_key(name) {
                        errors.push(format!("{at}: required {name} missing"));
                    }
                }
                let named = if closed { self.names(schema) } else { None };
                for (name, field) in fields {
                    let at = format!("{at}.{name}");
                    if let Some(field_schema) = schema["properties"].get(name) {
                        self.check(field_schema, field, &at, errors);
                    } else if let Some(extra) =
                        schema.get("additionalProperties").filter(|a| a.is_object())
                    {
                        self.check(extra, field, &at, errors);
                    } else if named.as_ref().is_some_and(|n| !n.contains(name.as_str())) {
                        errors.push(format!("{at}: not documented"));
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &format!("{at}[{i}]"), errors);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether `value` is of the JSON Schema type `t`.
fn is(t: &str, value: &Value) -> bool {
    match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        other => panic!("unknown type {other}"),
    }
}

/// GETs `path` and checks the answer against what the document gives
/// `template` for that status.
async fn fits(app: &TestApp, doc: &Value, token: &str, path: &str, template: &str, status: u16) {
    let (s, body) = app.get(token, path).await;
    assert_eq!(s, status, "{path}: {body}");
    let schema = &doc["paths"][template]["get"]["responses"][status.to_string()]["content"]
        ["application/json"]["schema"];
    assert!(!schema.is_null(), "{template} documents no {status} body");
    let mut errors = Vec::new();
    Checker { doc }.check(schema, &body, "$", &mut errors);
    assert!(errors.is_empty(), "{path}: {errors:#?}\n{body:#}");
}

async fn answers_fit_their_documented_schemas(app: TestApp) {
    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // A visited task with its results and a rectification.
    let (v, air, _water, id) = visited(&app).await;
    // Sent, so that the enterprise sees it.
    let issue = format!("/api/v1/rectifications/{id}/issue");
    let deadline = (app.today() + Duration::days(15)).to_string();
    let draft = json!({"legal_basis": "《中华人民共和国大气污染防治法》第四十八条",
                       "requirement": "更换破损布袋", "deadline": deadline});
    let (s, b) = app.send("POST", &air, &issue, draft).await;
    assert_eq!(s, 200, "{b}");
    let secretary = secretary_token(&app, YUTIAN, "大气股").await;
    let enterprise = enterprise_token(&app, v.enterprise).await;
    let task = v.task;
    let rectification = format!("/api/v1/rectifications/{id}");
    let field_task = format!("/api/v1/field/tasks/{task}");
    let results = format!("/api/v1/field/tasks/{task}/results");
    let theirs = format!("/api/v1/enterprise/rectifications/{id}");
    let history = format!("/api/v1/enterprises/{}/history", v.enterprise);
    let credit = format!("/api/v1/enterprises/{}/credit", v.enterprise);
    for (token, path, template) in [
        (
            &secretary,
            credit.as_str(),
            "/api/v1/enterprises/{id}/credit",
        ),
        (
            &secretary,
            "/api/v1/credit/proposals",
            "/api/v1/credit/proposals",
        ),
        (&secretary, "/api/v1/tasks", "/api/v1/tasks"),
        (&secretary, "/api/v1/enterprises", "/api/v1/enterprises"),
        (&secretary, &history, "/api/v1/enterprises/{id}/history"),
        (&air, "/api/v1/field/tasks", "/api/v1/field/tasks"),
        (&air, &field_task, "/api/v1/field/tasks/{id}"),
        (&air, &results, "/api/v1/field/tasks/{id}/results"),
        (&air, "/api/v1/rectifications", "/api/v1/rectifications"),
        (&air, &rectification, "/api/v1/rectifications/{id}"),
        (&air, "/api/v1/me", "/api/v1/me"),
        (
            &enterprise,
            &theirs,
            "/api/v1/enterprise/rectifications/{id}",
        ),
    ] {
        fits(&app, &doc, token, path, template, 200).await;
    }
    // An error is written as documented too.
    let missing = "/api/v1/rectifications/999999";
    fits(
        &app,
        &doc,
        &air,
        missing,
        "/api/v1/rectifications/{id}",
        404,
    )
    .await;
}

/// A JSON body over the router's limit (2 MB) was answered 422 with axum's
/// English words ("length limit exceeded"): the body is not wrong, it is too
/// large, and the document promises 413 on every operation with a body.
async fn an_oversized_json_body_is_a_documented_413(app: TestApp) {
    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secretary = secretary_token(&app, YUTIAN, "大气股").await;
    let before = app.count("SELECT COUNT(*) FROM enterprises").await;
    let audited = app.count("SELECT COUNT(*) FROM audit_log").await;
    let huge = "企".repeat(yici_web::MAX_BODY_BYTES / 3 + 1);
    let body = json!({"uscc": "91130229MA0A1B2C3D", "name": huge, "region_code": "130229"});
    let (s, answer) = app
        .send("POST", &secretary, "/api/v1/enterprises", body)
        .await;
    assert_eq!(s, 413, "{answer}");
    assert_eq!(
        answer,
        json!({"code": "body_too_large", "message": "请求体不能超过2 MB", "field": null})
    );
    let schema = &doc["paths"]["/api/v1/enterprises"]["post"]["responses"]["413"]["content"]
        ["application/json"]["schema"];
    let mut errors = Vec::new();
    Checker { doc: &doc }.check(schema, &answer, "$", &mut errors);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM enterprises").await, before);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audited);
    // A body under the limit is still read and judged on its content.
    let (s, answer) = app
        .send(
            "POST",
            &secretary,
            "/api/v1/enterprises",
            json!({"name": 1}),
        )
        .await;
    assert_eq!(
        (s, &answer["code"]),
        (422, &json!("invalid_body")),
        "{answer}"
    );
}

/// The schema fuzzer found the public result and its release answering a
/// task id that is not a number with axum's plain-text 400, which the
/// document does not list: every route must use the API's own extractors.
/// Each operation with a path parameter is called with `abc` in it.
async fn a_malformed_path_parameter_is_a_documented_error_everywhere(app: TestApp) {
    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secretary = secretary_token(&app, YUTIAN, "大气股").await;
    let mut called = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        if !template.contains('{') {
            continue;
        }
        let path: String = template
            .split('/')
            .map(|s| if s.starts_with('{') { "abc" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        for (method, op) in item.as_object().unwrap() {
            let (status, answer) = app
                .send(&method.to_uppercase(), &secretary, &path, json!({}))
                .await;
            let documented = &op["responses"][status.to_string()];
            assert!(
                !documented.is_null(),
                "{method} {path}: {status} is not documented: {answer}"
            );
            let schema = &documented["content"]["application/json"]["schema"];
            let mut errors = Vec::new();
            Checker { doc: &doc }.check(schema, &answer, "$", &mut errors);
            assert!(errors.is_empty(), "{method} {path}: {errors:#?} {answer}");
            called += 1;
        }
    }
    assert!(
        called > 60,
        "only {called} operations with a path parameter"
    );
}

/// Refusals the schema fuzzer met that the document did not list for their
/// operation (its `status_code_conformance` check): each is answered as
/// before, and the document now lists its status with the error body.
async fn refusals_the_fuzzer_met_are_documented(app: TestApp) {
    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let admin = app.token("admin").await;
    let air = secretary_token(&app, YUTIAN, "大气股").await;
    let (_, me) = app.get(&air, "/api/v1/me").await;
    let unit = me["principal"]["unit_id"].as_i64().unwrap();
    let (_, units) = app.get(&admin, "/api/v1/units").await;
    let county = units
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == json!(unit))
        .unwrap();
    let taken = json!({"parent_id": county["parent_id"], "name": county["name"],
                       "level": "county", "region_code": county["region_code"]});
    let orphan = json!({"parent_id": 999999, "name": "某县生态环境分局",
                        "level": "county", "region_code": "130283"});
    let department = json!({"name": "大气股", "kind": "office", "business_line": "air"});
    let not_numbered = json!({"kind": "inquiry_record", "pattern": "{year}-{n}"});
    let departments = format!("/api/v1/units/{unit}/departments");
    let patterns = format!("/api/v1/units/{unit}/document-patterns");
    let plan = |extra: Value| {
        let mut body = json!({"department_id": 999999, "year": 2026});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let item = plan(json!({"code": "DQ-99", "name": "排污许可执行情况"}));
    let row = plan(json!({"item_id": 1, "content": "持证排污情况"}));
    for (token, method, path, template, body, status, code) in [
        (
            &admin,
            "POST",
            "/api/v1/units",
            "/api/v1/units",
            taken,
            409,
            "duplicate",
        ),
        (
            &admin,
            "POST",
            "/api/v1/units",
            "/api/v1/units",
            orphan,
            404,
            "not_found",
        ),
        (
            &admin,
            "POST",
            departments.as_str(),
            "/api/v1/units/{id}/departments",
            department,
            409,
            "duplicate",
        ),
        (
            &admin,
            "PUT",
            patterns.as_str(),
            "/api/v1/units/{id}/document-patterns",
            not_numbered,
            409,
            "not_numbered",
        ),
        (
            &admin,
            "GET",
            "/api/v1/statistics?unit=999999",
            "/api/v1/statistics",
            Value::Null,
            404,
            "not_found",
        ),
        (
            &admin,
            "GET",
            "/api/v1/statistics/tasks?unit=999999&figure=visits",
            "/api/v1/statistics/tasks",
            Value::Null,
            404,
            "not_found",
        ),
        (
            &air,
            "POST",
            "/api/v1/plans/items",
            "/api/v1/plans/items",
            item,
            404,
            "not_found",
        ),
        (
            &air,
            "POST",
            "/api/v1/plans/rows",
            "/api/v1/plans/rows",
            row,
            404,
            "not_found",
        ),
        (
            &air,
            "POST",
            "/api/v1/plans/copy",
            "/api/v1/plans/copy",
            plan(json!({})),
            404,
            "not_found",
        ),
        (
            &air,
            "POST",
            "/api/v1/plans/template",
            "/api/v1/plans/template",
            plan(json!({})),
            404,
            "not_found",
        ),
    ] {
        let (s, answer) = if method == "GET" {
            app.get(token, path).await
        } else {
            app.send(method, token, path, body).await
        };
        assert_eq!(
            (s, answer["code"].as_str()),
            (status, Some(code)),
            "{method} {path}: {answer}"
        );
        let documented =
            &doc["paths"][template][method.to_lowercase()]["responses"][status.to_string()];
        assert_eq!(
            documented["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody",
            "{method} {template} {status}"
        );
    }
}

/// The checker is not blind: each kind of misfit is found.
#[test]
fn the_checker_finds_what_does_not_fit() {
    let doc = json!({"components": {"schemas": {
        "Step": {"type": "object", "required": ["kind"], "properties": {
            "kind": {"type": "string", "enum": ["raised"]},
            "note": {"type": ["string", "null"]}}},
        "Wrap": {"type": "object", "properties": {
            "steps": {"type": "array", "items": {"$ref": "#/components/schemas/Step"}},
            "last": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Step"}]}}}
    }}});
    let wrap = json!({"$ref": "#/components/schemas/Wrap"});
    let errors = |value: Value| {
        let mut errors = Vec::new();
        Checker { doc: &doc }.check(&wrap, &value, "$", &mut errors);
        errors
    };
    let fitting = json!({"steps": [{"kind": "raised", "note": null}], "last": null});
    assert_eq!(errors(fitting), Vec::<String>::new());
    let misfits = json!({"steps": [{"kind": "edited"}, {"note": 1}, {"kind": "raised", "extra": 1}],
                         "last": {"kind": 2}});
    assert_eq!(
        errors(misfits),
        [
            "$.last: 0 of the oneOf options fit {\"kind\":2}",
            "$.steps[0].kind: \"edited\" is not one of [String(\"raised\")]",
            "$.steps[1]: required kind missing",
            "$.steps[1].note: 1 is not [\"string\", \"null\"]",
            "$.steps[2].extra: not documented",
        ]
    );
}
