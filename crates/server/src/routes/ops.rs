//! Operations: health, metrics, the OpenAPI document.

use crate::error::ErrorCode;
use std::sync::Arc;

use axum::{Json, extract::State, http::header, response::IntoResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::App;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
}

/// Liveness and readiness: answers once the store is open.
#[utoipa::path(get, operation_id = "ops_healthz", path = "/healthz", responses((status = 200, description = "the answer", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, operation_id = "ops_metrics", path = "/metrics", responses((status = 200, description = "the answer", body = String)))]
pub async fn metrics(State(app): State<Arc<App>>) -> impl IntoResponse {
    if let Ok(Some(head)) = app.read(|store| store.audit_head()).await {
        app.metrics.audit_head.set(head.seq as i64);
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        app.metrics.render(),
    )
}

/// This document.
pub async fn openapi() -> impl IntoResponse {
    Json(crate::openapi())
}

/// Build the engine again from the configured files (profiles, lexicons, registry, ladders,
/// model) and swap it in atomically (admins): checks under way finish with the engine they
/// started with; a broken file leaves the engine in force, and the answer lists every
/// problem. `SIGHUP` does the same. Retrain a model with `menshen train --from-store`.
#[utoipa::path(post, operation_id = "ops_reload", path = "/v1/policy/reload",
    responses((status = 200, description = "the answer", body = Object), (status = 422, description = "a field is missing or wrong (`field` names it)", body = crate::error::ErrorBody), (status = 401, description = "no token, or an unknown one", body = crate::error::ErrorBody), (status = 403, description = "the token's role may not do this", body = crate::error::ErrorBody), (status = 429, description = "too many failed tokens from this address", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn reload(
    State(app): State<Arc<App>>,
    caller: crate::auth::Caller,
) -> Result<Json<serde_json::Value>, crate::error::ApiError> {
    caller.require(&[menshen_state::token::Role::Admin])?;
    let reloaded = {
        let app = Arc::clone(&app);
        tokio::task::spawn_blocking(move || app.reload_engine())
            .await
            .map_err(crate::error::ApiError::internal)?
    };
    match reloaded {
        Ok(engine) => Ok(Json(serde_json::json!({
            "profiles": engine
                .policy
                .profiles()
                .iter()
                .map(|p| serde_json::json!({ "name": p.name, "version": p.version }))
                .collect::<Vec<_>>(),
            "model": engine.analyzer.model().map(|m| &m.provenance),
        }))),
        Err(error) => Err(crate::error::ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidConfig,
            format!("{error}; the engine in force stays"),
        )),
    }
}

/// The same as `POST /v1/policy/reload`, under its older name.
#[utoipa::path(post, operation_id = "ops_reload_model", path = "/v1/model/reload",
    responses((status = 200, description = "the answer", body = Object), (status = 422, description = "a field is missing or wrong (`field` names it)", body = crate::error::ErrorBody), (status = 401, description = "no token, or an unknown one", body = crate::error::ErrorBody), (status = 403, description = "the token's role may not do this", body = crate::error::ErrorBody), (status = 429, description = "too many failed tokens from this address", body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn reload_model(
    state: State<Arc<App>>,
    caller: crate::auth::Caller,
) -> Result<Json<serde_json::Value>, crate::error::ApiError> {
    reload(state, caller).await
}
