//! The API document's error responses follow from [`ErrorKind`]: each
//! operation's documented 4xx statuses are described by the kind that answers
//! with that status, every secured operation documents 401, and every
//! operation documents 500. A handler's `responses(...)` then only lists which
//! statuses it can produce; what they mean is said once, here.

use utoipa::openapi::path::Operation;
use utoipa::openapi::{RefOr, Response};
use utoipa::Modify;
use yici_domain::ErrorKind;

pub struct ErrorResponses;

/// The kind answered with `status`, if any.
fn kind_of(status: &str) -> Option<ErrorKind> {
    ErrorKind::ALL
        .into_iter()
        .find(|k| k.http_status().to_string() == status)
}

fn described(operation: &mut Operation) {
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let responses = &mut operation.responses.responses;
    if secured {
        let unauthenticated = ErrorKind::Unauthenticated.http_status().to_string();
        responses
            .entry(unauthenticated)
            .or_insert_with(|| RefOr::T(Response::new(ErrorKind::Unauthenticated.description())));
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

/// Every operation of a document.
pub(crate) fn operations_mut(
    openapi: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = &mut Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}

/// The internal routes refuse enterprise accounts (`staff_only`): each says
/// so under 403, in the kind's words first like any other 403.
pub(crate) fn refuses_enterprises(openapi: &mut utoipa::openapi::OpenApi) {
    for operation in operations_mut(openapi) {
        let forbidden = ErrorKind::Forbidden.http_status().to_string();
        let note = "企业账号不能使用本接口（staff_only）";
        match operation
            .responses
            .responses
            .entry(forbidden)
            .or_insert_with(|| RefOr::T(Response::new("")))
        {
            RefOr::T(r) if r.description.is_empty() => r.description = note.to_string(),
            RefOr::T(r) => r.description = format!("{}；{note}", r.description),
            RefOr::Ref(_) => {}
        }
    }
}

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        operations_mut(openapi).for_each(described);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::OpenApi;

    fn document() -> OpenApi {
        let (_, mut openapi) = crate::api::router().split_for_parts();
        ErrorResponses.modify(&mut openapi);
        openapi
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
    fn every_secured_operation_documents_401_and_every_operation_500() {
        let openapi = document();
        let mut secured = 0;
        for (path, item) in &openapi.paths.paths {
            for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch]
                .into_iter()
                .flatten()
            {
                let statuses = &op.responses.responses;
                assert!(statuses.contains_key("500"), "{path}");
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    secured += 1;
                    assert!(statuses.contains_key("401"), "{path}");
                }
            }
        }
        assert!(secured > 40, "only {secured} secured operations found");
    }
}
