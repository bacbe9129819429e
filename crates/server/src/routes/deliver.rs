//! Recipients' link choices ("independent selection mode") and delivery: each user chooses
//! how external links reach them, and a verdict is rendered for each recipient of a message
//! (the people of a chat, or a group's members), as `menshen deliver` does.

use std::sync::Arc;

use axum::{Json, extract::State};
use menshen_policy::{
    Verdict,
    deliver::{Delivery, Preferences, deliver as render},
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    app::App,
    auth::{Authorized, ServiceOrReviewer, ServiceRole},
    error::{ApiError, Body, ErrorBody, PathParams},
};

/// The most recipients one delivery renders for (a large group's members).
pub const MAX_RECIPIENTS: usize = 10_000;

/// Set a user's link choices (the platform's service, for its user).
#[utoipa::path(put, operation_id = "deliver_put", path = "/v1/preferences/{recipient}", params(("recipient" = String, Path)),
    request_body = Object,
    responses((status = 200, description = "the answer", body = Object), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 400, description = "the body is not a JSON object, or not JSON", body = ErrorBody), (status = 413, description = "the body is over the limit", body = ErrorBody), (status = 415, description = "the body is not application/json", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody), (status = 404, description = "no such thing", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put(
    State(app): State<Arc<App>>,
    _: Authorized<ServiceRole>,
    PathParams(recipient): PathParams<String>,
    Body(preferences): Body<Preferences>,
) -> Result<Json<Preferences>, ApiError> {
    if recipient.trim().is_empty() {
        return Err(ApiError::field(
            "recipient",
            "name the user whose choices these are",
        ));
    }
    let now = app.now();
    let stored = preferences.clone();
    app.write(move |store, _| store.set_preferences(&recipient, &stored, now))
        .await?;
    Ok(Json(preferences))
}

/// A user's link choices (the defaults when they made none).
#[utoipa::path(get, operation_id = "deliver_get", path = "/v1/preferences/{recipient}", params(("recipient" = String, Path)),
    responses((status = 200, description = "the answer", body = Object), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody), (status = 400, description = "a path or query parameter, or the body, does not parse", body = ErrorBody), (status = 422, description = "a field or parameter is missing or wrong (`field` names it)", body = ErrorBody), (status = 404, description = "no such thing", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(app): State<Arc<App>>,
    _: Authorized<ServiceOrReviewer>,
    PathParams(recipient): PathParams<String>,
) -> Result<Json<Preferences>, ApiError> {
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
    /// A verdict as `POST /v1/check` answers it (its `enforcement` may be left in).
    #[schema(value_type = Object)]
    pub verdict: serde_json::Value,
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
    let verdict: Verdict = serde_json::from_value(request.verdict).map_err(|e| {
        ApiError::field(
            "verdict",
            format!("{e}; send the verdict as POST /v1/check answers it"),
        )
    })?;
    let engine = app.engine();
    let profile = engine
        .policy
        .select(Some(&verdict.policy.profile), None)
        .map_err(|e| ApiError::field("verdict.policy.profile", e))?;
    let recipients = request.recipients.clone();
    let stored = app
        .read(move |store| store.preferences(&recipients))
        .await?;
    let defaults = Preferences::default();
    let chosen: std::collections::HashMap<&str, &Preferences> =
        stored.iter().map(|(id, p)| (id.as_str(), p)).collect();
    let deliveries = render(
        &verdict,
        &profile.user_choice,
        request.recipients.iter().map(|id| {
            (
                id.as_str(),
                chosen.get(id.as_str()).copied().unwrap_or(&defaults),
            )
        }),
    );
    Ok(Json(deliveries))
}
