//! Schemas of string fields whose values are a closed list, for the OpenAPI document: each is
//! built from the list the code itself checks against, so the document cannot drift from it.

use menshen_policy::Scene;
use menshen_state::{
    audit::SubjectKind,
    report::{CaseState, Reason},
};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

fn one_of(values: impl IntoIterator<Item = &'static str>, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .build()
}

/// Where a message is posted.
pub fn scene() -> Object {
    one_of(
        Scene::ALL.map(Scene::as_str),
        "where the message is posted; default `direct`",
    )
}

/// What a sanction can fall on.
pub fn target_kind() -> Object {
    one_of(
        menshen_state::sanction::SANCTIONABLE.map(SubjectKind::as_str),
        "what the sanction falls on",
    )
}

/// What a user can report.
pub fn reportable_kind() -> Object {
    one_of(
        crate::routes::reports::REPORTABLE.map(SubjectKind::as_str),
        "what is reported",
    )
}

/// The report reasons of the catalogue (`GET /v1/reports/reasons`).
pub fn report_reason() -> Object {
    one_of(Reason::ALL.map(Reason::as_str), "why, from the catalogue")
}

/// Where a case stands.
pub fn case_state() -> Object {
    one_of(
        CaseState::ALL.map(CaseState::as_str),
        "where the case stands",
    )
}
