//! Recipients' link choices ("independent selection mode") and delivery: each user chooses
//! how external links reach them, and a verdict is rendered for each recipient of a message
//! (the people of a chat, or a group's members), as `menshen deliver` does.

use std::sync::Arc;

use axum::{Json, extract::State};
use menshen_policy::deliver::{Deliverable, Delivery, Preferences, deliver as render};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::{
    app::App,
    auth::{Authorized, ServiceOrReviewer, ServiceRole},
    error::{ApiError, Body, ErrorBody, PathParams},
};

/// The most recipients one delivery renders for (a large group's members).
pub const MAX_RECIPIENTS: usize = 10_000;

/// Whose link choices.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RecipientPath {
    /// The user (an account id).
    #[param(schema_with = crate::schema::id)]
    pub recipient: String,
}

/// Set a user's link choices (the platform's service, for its user).
#[utoipa::path(put, operation_id = "deliver_put", path = "/v1/preferences/{recipient}", params(RecipientPath),
    request_body = crate::schema::Preferences,
    responses((status = 200, description = "the answer", body = crate::schema::Preferences), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 400, description = "the body is not a JSON object, or not JSON", body = ErrorBody), (status = 413, description = "the body is over the limit", body = ErrorBody), (status = 415, description = "the body is not application/json", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody), (status = 404, description = "no such thing", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put(
    State(app): State<Arc<App>>,
    _: Authorized<ServiceRole>,
    PathParams(RecipientPath { recipient }): PathParams<RecipientPath>,
    Body(preferences): Body<Preferences>,
) -> Result<Json<Preferences>, ApiError> {
    ApiError::check_id("recipient", &recipient)?;
    let now = app.now();
    let stored = preferences.clone();
    app.write(move |store, _| store.set_preferences(&recipient, &stored, now))
        .await?;
    Ok(Json(preferences))
}

/// A user's link choices (the defaults when they made none).
#[utoipa::path(get, operation_id = "deliver_get", path = "/v1/preferences/{recipient}", params(RecipientPath),
    responses((status = 200, description = "the answer", body = crate::schema::Preferences), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody), (status = 400, description = "a path or query parameter, or the body, does not parse", body = ErrorBody), (status = 422, description = "a field or parameter is missing or wrong (`field` names it)", body = ErrorBody), (status = 404, description = "no such thing", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(app): State<Arc<App>>,
    _: Authorized<ServiceOrReviewer>,
    PathParams(RecipientPath { recipient }): PathParams<RecipientPath>,
) -> Result<Json<Preferences>, ApiError> {
    ApiError::check_id("recipient", &recipient)?;
    let found = app
        .read(move |store| store.preferences(&[recipient]))
        .await?;
    Ok(Json(
        found.into_iter().next().map(|(_, p)| p).unwrap_or_default(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliverRequest {
    /// A verdict as `POST /v1/check` answers it (its `enforcement` may be left in), or just
    /// the fields rendering reads.
    #[schema(schema_with = crate::schema::deliverable)]
    pub verdict: Deliverable,
    /// Who receives the message: the other party of a chat, or a group's members.
    pub recipients: Vec<String>,
}

/// Render a verdict for each recipient with their stored link choices.
#[utoipa::path(post, operation_id = "deliver_deliver", path = "/v1/deliver", request_body = DeliverRequest,
    responses((status = 200, description = "the answer", body = Vec<Object>), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 400, description = "the body is not a JSON object, or not JSON", body = ErrorBody), (status = 413, description = "the body is over the limit", body = ErrorBody), (status = 415, description = "the body is not application/json", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn deliver(
    State(app): State<Arc<App>>,
    _: Authorized<ServiceRole>,
    Body(request): Body<DeliverRequest>,
) -> Result<Json<Vec<Delivery>>, ApiError> {
    if request.recipients.len() > MAX_RECIPIENTS {
        return Err(ApiError::field(
            "recipients",
            format!("more than {MAX_RECIPIENTS} recipients; split the delivery"),
        ));
    }
    let verdict = &request.verdict;
    let engine = app.engine();
    // A verdict of a profile no longer loaded (renamed, or reloaded away while the message
    // was in flight) is still delivered; its recipients' choices can only make it stricter.
    let no_choice = std::collections::HashSet::new();
    let user_choice = verdict
        .policy
        .as_ref()
        .and_then(|p| engine.policy.profile(&p.profile))
        .map_or(&no_choice, |profile| &profile.user_choice);
    let recipients = request.recipients.clone();
    let stored = app
        .read(move |store| store.preferences(&recipients))
        .await?;
    let defaults = Preferences::default();
    let chosen: std::collections::HashMap<&str, &Preferences> =
        stored.iter().map(|(id, p)| (id.as_str(), p)).collect();
    let deliveries = render(
        verdict,
        user_choice,
        request.recipients.iter().map(|id| {
            (
                id.as_str(),
                chosen.get(id.as_str()).copied().unwrap_or(&defaults),
            )
        }),
    );
    Ok(Json(deliveries))
}
