//! Appeals: the platform files one for a user (one per sanction, within the window), a
//! reviewer upholds or reverses it, and the appellant reads the outcome and its reason.

use std::sync::Arc;

use axum::{Json, extract::State};
use menshen_state::{
    appeal::{Appeal, AppealDecision, AppealState},
    core::Appellant,
    token::Role,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::{
    app::App,
    auth::{Authorized, Caller, ReviewerRole, ServiceOrReviewer},
    error::{ApiError, Body, ErrorBody, PathParams, QueryParams},
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileAppeal {
    pub sanction: u64,
    /// The account appealing.
    #[schema(schema_with = crate::schema::id)]
    pub appellant: String,
    /// In the appellant's words.
    #[schema(schema_with = crate::schema::text)]
    pub statement: String,
}

/// File an appeal (the platform's service, for its user; or a reviewer).
#[utoipa::path(post, operation_id = "appeals_file", path = "/v1/appeals", request_body = FileAppeal,
    responses((status = 200, description = "the answer", body = Object), (status = 404, description = "no such sanction", body = ErrorBody), (status = 409, description = "it conflicts with the state of things", body = ErrorBody), (status = 400, description = "the body is not a JSON object, or not JSON", body = ErrorBody), (status = 413, description = "the body is over the limit", body = ErrorBody), (status = 415, description = "the body is not application/json", body = ErrorBody), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn file(
    State(app): State<Arc<App>>,
    Authorized(caller, _): Authorized<ServiceOrReviewer>,
    Body(request): Body<FileAppeal>,
) -> Result<Json<Appeal>, ApiError> {
    ApiError::check_id("appellant", &request.appellant)?;
    ApiError::check_text("statement", &request.statement)?;
    let window = i64::from(app.config.appeal_window_days) * 86_400;
    // The platform's service files for the sanctioned account itself; a reviewer may file for
    // any sanctioned party (a domain's or an app's owner, say), as themselves.
    let appellant = if caller.role == Role::Service {
        Appellant::ServiceFor(request.appellant)
    } else {
        Appellant::Person(caller.actor())
    };
    let now = app.now();
    let appeal = app
        .write(move |store, _| {
            let appeal =
                store.file_appeal(request.sanction, appellant, &request.statement, now, window)?;
            Ok(appeal)
        })
        .await?;
    Ok(Json(appeal))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decide {
    /// True to reverse the sanction, false to uphold it.
    pub reverse: bool,
    /// Why, in words the appellant reads.
    #[schema(schema_with = crate::schema::reason)]
    pub reason: String,
}

/// Decide an appeal (reviewers).
#[utoipa::path(post, operation_id = "appeals_decide", path = "/v1/appeals/{id}/decision", request_body = Decide, params(("id" = u64, Path)),
    responses((status = 200, description = "the answer", body = Object), (status = 409, description = "it conflicts with the state of things", body = ErrorBody), (status = 400, description = "the body is not a JSON object, or not JSON", body = ErrorBody), (status = 413, description = "the body is over the limit", body = ErrorBody), (status = 415, description = "the body is not application/json", body = ErrorBody), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody), (status = 404, description = "no such thing", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn decide(
    State(app): State<Arc<App>>,
    Authorized(caller, _): Authorized<ReviewerRole>,
    PathParams(id): PathParams<u64>,
    Body(request): Body<Decide>,
) -> Result<Json<Appeal>, ApiError> {
    Ok(Json(
        decide_appeal(&app, &caller, id, request.reverse, request.reason).await?,
    ))
}

/// Uphold or reverse an appeal (the API's and the console's one way to do it).
pub async fn decide_appeal(
    app: &Arc<App>,
    caller: &Caller,
    id: u64,
    reverse: bool,
    reason: String,
) -> Result<Appeal, ApiError> {
    caller.require(&[Role::Reviewer])?;
    if reason.trim().is_empty() {
        return Err(ApiError::field("reason", "say why: the appellant reads it"));
    }
    ApiError::check_text("reason", &reason)?;
    let decision = AppealDecision {
        actor: caller.actor(),
        reverse,
        reason,
        at: app.now(),
    };
    app.write(move |store, ladders| store.decide_appeal(id, decision, ladders))
        .await
}

/// One appeal with its outcome (the platform shows the appellant the reason).
#[utoipa::path(get, operation_id = "appeals_get", path = "/v1/appeals/{id}", params(("id" = u64, Path)),
    responses((status = 200, description = "the answer", body = Object), (status = 404, description = "no such thing", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody), (status = 400, description = "a path or query parameter, or the body, does not parse", body = ErrorBody), (status = 422, description = "a field or parameter is missing or wrong (`field` names it)", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(app): State<Arc<App>>,
    _: Authorized<ServiceOrReviewer>,
    PathParams(id): PathParams<u64>,
) -> Result<Json<Appeal>, ApiError> {
    app.read(move |store| store.appeal(id))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no appeal {id}")))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppealQuery {
    /// `open`, `upheld` or `reversed`; all when absent.
    #[param(schema_with = crate::schema::appeal_state)]
    pub state: Option<String>,
    /// Most rows to return. Default 100, at most 1000.
    #[param(minimum = 0, maximum = 1000)]
    pub limit: Option<usize>,
}

/// Appeals in a state, oldest first (reviewers' queue).
#[utoipa::path(get, operation_id = "appeals_list", path = "/v1/appeals", params(AppealQuery),
    responses((status = 200, description = "the answer", body = Vec<Object>), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody), (status = 400, description = "a path or query parameter, or the body, does not parse", body = ErrorBody), (status = 422, description = "a field or parameter is missing or wrong (`field` names it)", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(app): State<Arc<App>>,
    _: Authorized<ReviewerRole>,
    QueryParams(query): QueryParams<AppealQuery>,
) -> Result<Json<Vec<Appeal>>, ApiError> {
    let state = match query.state.as_deref() {
        None => None,
        Some("open") => Some(AppealState::Open),
        Some("upheld") => Some(AppealState::Upheld),
        Some("reversed") => Some(AppealState::Reversed),
        Some(other) => {
            return Err(ApiError::field(
                "state",
                format!("`{other}` is not open, upheld or reversed"),
            ));
        }
    };
    let limit = super::page_limit(query.limit)?;
    Ok(Json(
        app.read(move |store| store.appeals(state, limit)).await?,
    ))
}
