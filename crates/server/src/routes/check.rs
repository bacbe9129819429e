//! `POST /v1/check` and `POST /v1/check/batch`: verdicts and their enforcement.

use std::sync::Arc;

use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    app::App,
    auth::{Authorized, ServiceRole},
    enforce::{Checked, MessageEvent, check_all},
    error::{ApiError, Body, ErrorBody},
    locale::RequestLocale,
};

/// Check one message: the verdict (DESIGN.md §3) plus `enforcement`, the sanction it earned
/// and the sender's standing.
#[utoipa::path(post, operation_id = "check_check", path = "/v1/check", request_body = MessageEvent,
    responses((status = 200, description = "the answer", body = Checked), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 400, description = "the body is not a JSON object, or not JSON", body = ErrorBody), (status = 413, description = "the body is over the limit", body = ErrorBody), (status = 415, description = "the body is not application/json", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn check(
    State(app): State<Arc<App>>,
    _: Authorized<ServiceRole>,
    locale: RequestLocale,
    Body(mut event): Body<MessageEvent>,
) -> Result<Json<Checked>, ApiError> {
    event.locale = Some(locale.or_body(event.locale));
    let started = std::time::Instant::now();
    let mut checked = check_all(&app, vec![event], app.now()).await?;
    app.metrics
        .check_seconds
        .observe(started.elapsed().as_secs_f64());
    checked
        .pop()
        .map(Json)
        .ok_or_else(|| ApiError::internal("no verdict"))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    pub messages: Vec<MessageEvent>,
}

#[derive(Serialize, ToSchema)]
pub struct BatchResult {
    /// One per message, in order.
    pub verdicts: Vec<Checked>,
}

/// Check many messages at once, on every core; offences and audit records are written
/// together.
#[utoipa::path(post, operation_id = "check_batch", path = "/v1/check/batch", request_body = Batch,
    responses((status = 200, description = "the answer", body = BatchResult), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 400, description = "the body is not a JSON object, or not JSON", body = ErrorBody), (status = 413, description = "the body is over the limit", body = ErrorBody), (status = 415, description = "the body is not application/json", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn batch(
    State(app): State<Arc<App>>,
    _: Authorized<ServiceRole>,
    locale: RequestLocale,
    Body(mut batch): Body<Batch>,
) -> Result<Json<BatchResult>, ApiError> {
    for event in &mut batch.messages {
        event.locale = Some(locale.or_body(event.locale));
    }
    if batch.messages.len() > app.config.max_batch {
        return Err(ApiError::field(
            "messages",
            format!(
                "{} messages is more than the batch limit of {}; split the batch",
                batch.messages.len(),
                app.config.max_batch
            ),
        ));
    }
    let verdicts = check_all(&app, batch.messages, app.now()).await?;
    Ok(Json(BatchResult { verdicts }))
}
