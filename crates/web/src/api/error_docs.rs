//! The API document's error responses follow from [`ErrorKind`]: each
//! operation's documented 4xx statuses are described by the kind that answers
//! with that status, and every operation documents 500. A handler's
//! `responses(...)` lists the statuses particular to it (409 and its reasons,
//! a 404 without a path id); what they mean is said once, here. The statuses
//! that follow from an operation's shape (secured, path id, input) are added
//! here rather than in each annotation, so none is forgotten: see [`implied`].

use utoipa::openapi::content::Content;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{Ref, RefOr, Response};
use utoipa::Modify;
use yici_domain::ErrorKind;

pub struct ErrorResponses;

/// Secured operations that take any bearer session ([`crate::session::AnyApiUser`]),
/// even one that must change its password first: they cannot answer 403.
/// (Ids are handler names here: [`super::split`] makes shared ones unique after.)
const ANY_SESSION: [&str; 3] = ["logout", "change_password", "me"];

/// The error kinds an operation can answer with because of its shape:
/// - secured: 401 (no or a bad token), 403 (a session that must change its
///   password first; handlers also check the role or scope);
/// - a path or query parameter: 422 (the extractors refuse a malformed value);
/// - a path parameter: 404 (it names a record that may not exist or be hidden);
/// - a request body: 422 (unreadable or wrong), 413 (over the size limit: the
///   router's [`crate::MAX_BODY_BYTES`] for JSON, refused by our `Json`; an
///   upload's or import's own limit otherwise);
/// - any operation: 429, since [`crate::rate_limit`] counts every request
///   without a session (before a secured operation would answer 401), and
///   searches and exports with one too.
fn implied(operation: &Operation) -> Vec<ErrorKind> {
    let mut kinds = vec![ErrorKind::RateLimited];
    if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
        kinds.push(ErrorKind::Unauthenticated);
        let any_session = operation
            .operation_id
            .as_deref()
            .is_some_and(|id| ANY_SESSION.contains(&id));
        if !any_session {
            kinds.push(ErrorKind::Forbidden);
        }
    }
    let (mut in_path, mut in_query) = (false, false);
    for parameter in operation.parameters.iter().flatten() {
        in_path |= parameter.parameter_in == ParameterIn::Path;
        in_query |= parameter.parameter_in == ParameterIn::Query;
    }
    if in_path {
        kinds.push(ErrorKind::NotFound);
    }
    if operation.request_body.is_some() {
        kinds.push(ErrorKind::Invalid);
        kinds.push(ErrorKind::TooLarge);
    } else if in_path || in_query {
        kinds.push(ErrorKind::Invalid);
    }
    kinds
}

/// An error response written as [`crate::error::ErrorBody`]; its description
/// is the kind's, filled in by [`described`].
fn error_response() -> RefOr<Response> {
    let mut response = Response::new("");
    response.content.insert(
        "application/json".into(),
        Content::new(Some(Ref::from_schema_name("ErrorBody"))),
    );
    RefOr::T(response)
}

/// The kind answered with `status`, if any.
fn kind_of(status: &str) -> Option<ErrorKind> {
    ErrorKind::ALL
        .into_iter()
        .find(|k| k.http_status().to_string() == status)
}

fn described(operation: &mut Operation) {
    let implied = implied(operation);
    let responses = &mut operation.responses.responses;
    for kind in implied {
        responses
            .entry(kind.http_status().to_string())
            .or_insert_with(error_response);
    }
    responses
        .entry("500".into())
        .or_insert_with(|| RefOr::T(Response::new("系统内部错误（详情只记入日志）")));
    for (status, response) in responses.iter_mut() {
        let (Some(kind), RefOr::T(response)) = (kind_of(status), response) else {
            continue;
        };
        // A handler's own words (which field, which state) follow the kind's.
        response.description = if response.description.is_empty() {
            kind.description().to_string()
        } else {
            format!("{}。{}", kind.description(), response.description)
        };
    }
}

/// The internal routes refuse enterprise accounts (`staff_only`): each says
/// so under 403, in the kind's words first like any other 403.
pub(crate) fn refuses_enterprises(openapi: &mut utoipa::openapi::OpenApi) {
    for operation in super::operations_mut(openapi) {
        let forbidden = ErrorKind::Forbidden.http_status().to_string();
        let note = "企业账号不能使用本接口（staff_only）";
        match operation
            .responses
            .responses
            .entry(forbidden)
            .or_insert_with(error_response)
        {
            RefOr::T(r) if r.description.is_empty() => r.description = note.to_string(),
            RefOr::T(r) => r.description = format!("{}；{note}", r.description),
            RefOr::Ref(_) => {}
        }
    }
}

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        super::operations_mut(openapi).for_each(described);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::OpenApi;

    fn document() -> OpenApi {
        crate::api::split().1
    }

    fn description(openapi: &OpenApi, path: &str, status: &str) -> String {
        let item = &openapi.paths.paths[path];
        let op = item.delete.as_ref().or(item.post.as_ref()).unwrap();
        match &op.responses.responses[status] {
            RefOr::T(r) => r.description.clone(),
            RefOr::Ref(_) => panic!("{path} {status} is a reference"),
        }
    }

    #[test]
    fn an_error_status_is_described_by_its_kind_and_keeps_the_handlers_words() {
        let openapi = document();
        let conflict = description(&openapi, "/api/v1/plans/items/{id}", "409");
        assert!(
            conflict.starts_with(ErrorKind::Conflict.description()),
            "{conflict}"
        );
        assert!(conflict.contains("item_in_use"), "{conflict}");
    }

    #[test]
    fn every_secured_operation_documents_401_and_every_operation_429_and_500() {
        let openapi = document();
        let mut secured = 0;
        for (path, item) in &openapi.paths.paths {
            for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch]
                .into_iter()
                .flatten()
            {
                let statuses = &op.responses.responses;
                assert!(statuses.contains_key("500"), "{path}");
                assert!(statuses.contains_key("429"), "{path}");
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    secured += 1;
                    assert!(statuses.contains_key("401"), "{path}");
                }
            }
        }
        assert!(secured > 40, "only {secured} secured operations found");
    }
}
