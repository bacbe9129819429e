//! `GET /v1/subjects/{kind}/{id}`: a subject's standing, sanctions and audit history.

use std::sync::Arc;

use axum::{Json, extract::State};
use menshen_state::{
    audit::{AuditRecord, Subject, SubjectKind},
    sanction::Sanction,
    token::Role,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    app::App,
    auth::{Authorized, Caller, ReviewerRole},
    enforce::StandingView,
    error::{ApiError, ErrorBody, PathParams, QueryParams},
};

/// Parse a subject kind from a path or body.
pub fn subject_kind(kind: &str, field: &str) -> Result<SubjectKind, ApiError> {
    SubjectKind::parse(kind).ok_or_else(|| {
        ApiError::field(
            field,
            format!("`{kind}` is not a subject kind; use account, device, domain, ip, app, message, group, report, appeal or case"),
        )
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SubjectPath {
    /// What the subject is.
    #[param(schema_with = crate::schema::subject_kind)]
    pub kind: String,
    /// Its id: the account, the device, the host, the address…
    #[param(schema_with = crate::schema::id)]
    pub id: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Most audit records to return, newest last. Default 100, at most 1000.
    #[param(minimum = 0, maximum = 1000)]
    pub limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct SubjectReport {
    #[schema(value_type = Object)]
    pub subject: Subject,
    pub standing: StandingView,
    /// Every sanction ever given, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub sanctions: Vec<Sanction>,
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<AuditRecord>,
}

/// A subject's standing and history (reviewers).
#[utoipa::path(get, operation_id = "subjects_subject", path = "/v1/subjects/{kind}/{id}", params(SubjectPath, HistoryQuery),
    responses((status = 200, description = "the answer", body = SubjectReport), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody), (status = 400, description = "a path or query parameter, or the body, does not parse", body = ErrorBody), (status = 404, description = "no such thing", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn subject(
    State(app): State<Arc<App>>,
    Authorized(caller, _): Authorized<ReviewerRole>,
    PathParams(SubjectPath { kind, id }): PathParams<SubjectPath>,
    QueryParams(query): QueryParams<HistoryQuery>,
) -> Result<Json<SubjectReport>, ApiError> {
    ApiError::check_id("id", &id)?;
    let subject = Subject {
        kind: subject_kind(&kind, "kind")?,
        id,
    };
    let limit = super::page_limit(query.limit)?;
    Ok(Json(subject_report(&app, &caller, subject, limit).await?))
}

/// A subject's standing, sanctions and latest `limit` audit records (reviewers).
pub async fn subject_report(
    app: &Arc<App>,
    caller: &Caller,
    subject: Subject,
    limit: usize,
) -> Result<SubjectReport, ApiError> {
    caller.require(&[Role::Reviewer])?;
    let now = app.now();
    let ladders = app.engine().ladders.clone();
    let mut report = app
        .read(move |store| {
            let standing = store.standing(&subject, &ladders, now)?;
            Ok(SubjectReport {
                standing: StandingView::from(&standing),
                sanctions: store.sanctions_of(&subject)?,
                history: store.history(&subject, limit)?,
                subject,
            })
        })
        .await?;
    crate::routes::cases::mask_reporters(&mut report.history, caller, &Default::default());
    Ok(report)
}
