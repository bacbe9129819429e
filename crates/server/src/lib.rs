//! menshen's HTTP API (DESIGN.md §5–6): checks with enforcement, behaviour events,
//! subjects, sanctions, appeals, metrics and an OpenAPI document generated from the code.
//!
//! [`router`] builds the routes over an [`App`]; [`serve`] runs them with the embedded store
//! until Ctrl-C or SIGTERM, finishing the requests in flight.

pub mod app;
pub mod auth;
pub mod behaviour;
pub mod clock;
pub mod config;
pub mod console;
pub mod enforce;
pub mod engine;
pub mod error;
pub mod ledger;
pub mod limit;
pub mod listen;
pub mod locale;
pub mod metrics;
pub mod routes;
pub mod schema;
pub mod webhooks;

use std::sync::Arc;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    routing::{get, post},
};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

pub use app::{App, Clock, ManualClock, SystemClock};
pub use config::ServerConfig;

use routes::{appeals, cases, check, deliver, events, front, ops, reports, sanctions, subjects};

#[derive(OpenApi)]
#[openapi(
    info(title = "menshen", description = "A policy gate for chat and social platforms."),
    paths(
        check::check, check::batch, events::events, subjects::subject,
        sanctions::issue, sanctions::lift, sanctions::get,
        appeals::file, appeals::decide, appeals::get, appeals::list,
        reports::file, reports::get, reports::reasons,
        cases::list, cases::get, cases::next, cases::assign, cases::escalate, cases::resolve,
        ops::healthz, ops::metrics, ops::reload, ops::reload_model,
        deliver::put, deliver::get, deliver::deliver,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every route.
pub fn router(app: Arc<App>) -> Router {
    let limit = app.config.max_body_bytes;
    Router::new()
        .route("/", get(front::front))
        .route("/v1/check", post(check::check))
        .route("/v1/check/batch", post(check::batch))
        .route("/v1/events", post(events::events))
        .route("/v1/subjects/{kind}/{id}", get(subjects::subject))
        .route("/v1/sanctions", post(sanctions::issue))
        .route("/v1/sanctions/{id}", get(sanctions::get))
        .route("/v1/sanctions/{id}/lift", post(sanctions::lift))
        .route("/v1/appeals", post(appeals::file).get(appeals::list))
        .route("/v1/appeals/{id}", get(appeals::get))
        .route("/v1/appeals/{id}/decision", post(appeals::decide))
        .route("/v1/reports", post(reports::file))
        .route("/v1/reports/reasons", get(reports::reasons))
        .route("/v1/reports/{id}", get(reports::get))
        .route("/v1/cases", get(cases::list))
        .route("/v1/cases/next", post(cases::next))
        .route("/v1/cases/{id}", get(cases::get))
        .route("/v1/cases/{id}/assign", post(cases::assign))
        .route("/v1/cases/{id}/escalate", post(cases::escalate))
        .route("/v1/cases/{id}/resolve", post(cases::resolve))
        .route(
            "/v1/preferences/{recipient}",
            get(deliver::get).put(deliver::put),
        )
        .route("/v1/deliver", post(deliver::deliver))
        .route("/v1/model/reload", post(ops::reload_model))
        .route("/v1/policy/reload", post(ops::reload))
        .route("/v1/openapi.json", get(ops::openapi))
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .merge(console::router())
        .fallback(|| async {
            error::ApiError::not_found("no such route; the routes are listed in /v1/openapi.json")
        })
        .method_not_allowed_fallback(|method: axum::http::Method| async move {
            error::ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                error::ErrorCode::MethodNotAllowed,
                format!(
                    "this route does not take {method}; the `Allow` header and /v1/openapi.json list the methods it takes"
                ),
            )
        })
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn(listen::refuse_oversized))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            std::time::Duration::from_secs(app.config.body_timeout_seconds.max(1)),
        ))
        .with_state(app)
}

/// Serve until Ctrl-C or SIGTERM; requests in flight finish, the webhook worker stops.
pub async fn serve(config: ServerConfig) -> anyhow::Result<()> {
    let listen = config.listen;
    let app = App::open(config)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    let address = listener.local_addr()?;
    eprintln!(
        "menshen: listening on http://{address} (store in {})\nmenshen: review console at http://{address}/console, API description at http://{address}/v1/openapi.json",
        app.config.data_dir.display()
    );
    if let Some(secret) = app
        .bootstrap_admin()
        .await
        .map_err(|e| anyhow::anyhow!("cannot create the first admin token: {}", e.body.message))?
    {
        eprintln!(
            "menshen: first start: created an admin token, shown this once (sign in to the console with it):\n\n    {secret}\n\nmenshen: `menshen token create --role service|reviewer|admin` makes more"
        );
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(webhooks::run(Arc::clone(&app), stopped));
    #[cfg(unix)]
    tokio::spawn(reload_on_hangup(Arc::clone(&app)));
    let limits = listen::Limits {
        max_connections: app.config.max_connections,
        header_timeout: std::time::Duration::from_secs(app.config.header_timeout_seconds.max(1)),
    };
    listen::serve(listener, router(app), limits, shutdown_signal()).await?;
    let _ = stop.send(true);
    let _ = worker.await;
    eprintln!("menshen: stopped");
    Ok(())
}

/// `SIGHUP` rebuilds the engine from the configured files; a broken file keeps the old one.
#[cfg(unix)]
async fn reload_on_hangup(app: Arc<App>) {
    let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
    else {
        return;
    };
    while hangups.recv().await.is_some() {
        let app = Arc::clone(&app);
        let outcome = tokio::task::spawn_blocking(move || app.reload_engine()).await;
        match outcome {
            Ok(Ok(engine)) => eprintln!(
                "menshen: reloaded: {} profiles",
                engine.policy.profiles().len()
            ),
            Ok(Err(error)) => {
                eprintln!("menshen: reload refused, the engine in force stays:\n{error}")
            }
            Err(error) => eprintln!("menshen: reload failed: {error}"),
        }
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}
