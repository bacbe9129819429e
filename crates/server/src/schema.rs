//! Schemas of string fields whose values are a closed list, for the OpenAPI document: each is
//! built from the list the code itself checks against, so the document cannot drift from it.

use menshen_policy::Scene;
use menshen_state::{
    audit::SubjectKind,
    report::{CaseState, Reason},
};
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

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

/// Where an appeal stands.
pub fn appeal_state() -> Object {
    one_of(
        menshen_state::appeal::AppealState::ALL.map(menshen_state::appeal::AppealState::as_str),
        "where the appeal stands",
    )
}

/// The languages menshen speaks.
pub fn locale() -> Object {
    one_of(
        menshen_i18n::Locale::ALL.map(menshen_i18n::Locale::tag),
        "the language of the texts people read",
    )
}

/// An id: not blank, at most `MAX_ID_CHARS` (`menshen_state::sanction::check_id`).
pub fn id() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(menshen_state::sanction::MAX_ID_CHARS))
        .pattern(Some(
            r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$",
        ))
        .description(Some("an id: printable, not blank, at most 256 characters"))
        .build()
}

/// A reason or statement people read: not blank, at most `MAX_TEXT_CHARS`.
pub fn reason() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(menshen_state::sanction::MAX_TEXT_CHARS))
        .pattern(Some(r"\S"))
        .description(Some(
            "why, in words people read: not blank, at most 1,024 characters",
        ))
        .build()
}

/// How a case can end.
pub fn outcome() -> Object {
    one_of(
        crate::routes::cases::OUTCOMES.map(|(name, _)| name),
        "`verify` upholds the reports (and may sanction), `dismiss` closes the case",
    )
}

/// The same schema, also allowing `null` (an optional field sent as `null`).
fn or_null(mut object: Object) -> Object {
    object.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
    if let Some(values) = &mut object.enum_values {
        values.push(serde_json::Value::Null);
    }
    object
}

/// An optional [`id`].
pub fn optional_id() -> Object {
    or_null(id())
}

/// An optional [`scene`].
pub fn optional_scene() -> Object {
    or_null(scene())
}

/// An optional [`locale`].
pub fn optional_locale() -> Object {
    or_null(locale())
}

/// An optional [`report_reason`].
pub fn optional_report_reason() -> Object {
    or_null(report_reason())
}
