//! Operations: health, metrics, the OpenAPI document.

use std::sync::Arc;

use axum::{Json, extract::State, http::header, response::IntoResponse};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::app::App;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
}

/// Liveness and readiness: answers once the store is open.
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, path = "/metrics", responses((status = 200, body = String)))]
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
    Json(crate::ApiDoc::openapi())
}

/// Read the configured model file again and swap it in atomically (admins): checks under way
/// finish with the model they started with. Retrain with `menshen train --from-store`.
#[utoipa::path(post, path = "/v1/model/reload",
    responses((status = 200, body = Object), (status = 409, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn reload_model(
    State(app): State<Arc<App>>,
    caller: crate::auth::Caller,
) -> Result<Json<serde_json::Value>, crate::error::ApiError> {
    caller.require(&[menshen_state::token::Role::Admin])?;
    let reloaded = {
        let app = Arc::clone(&app);
        tokio::task::spawn_blocking(move || app.reload_model())
            .await
            .map_err(crate::error::ApiError::internal)?
    };
    match reloaded {
        Ok(Some(provenance)) => Ok(Json(serde_json::json!({ "model": provenance }))),
        Ok(None) => Err(crate::error::ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "conflict",
            "no model is configured; set `model = \"PATH\"` in the server's config",
        )),
        Err(error) => Err(crate::error::ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "conflict",
            format!("{error:#}; the model in force stays"),
        )),
    }
}
