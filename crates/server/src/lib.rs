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

use axum::{Router, extract::DefaultBodyLimit, routing::get};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

pub use app::{App, Clock, ManualClock, SystemClock};
pub use config::ServerConfig;

use routes::{appeals, cases, check, deliver, events, front, ops, reports, sanctions, subjects};

/// The document's frame; its paths come from the routes themselves ([`api`]).
#[derive(OpenApi)]
#[openapi(
    info(title = "menshen", description = "A policy gate for chat and social platforms."),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// The API's routes, each declared once: the router serves them and the OpenAPI document
/// describes them from the same declaration (`#[utoipa::path]` on each handler).
fn api() -> utoipa_axum::router::OpenApiRouter<Arc<App>> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(check::check))
        .routes(routes!(check::batch))
        .routes(routes!(events::events))
        .routes(routes!(subjects::subject))
        .routes(routes!(sanctions::issue))
        .routes(routes!(sanctions::get))
        .routes(routes!(sanctions::lift))
        .routes(routes!(appeals::file, appeals::list))
        .routes(routes!(appeals::get))
        .routes(routes!(appeals::decide))
        .routes(routes!(reports::file))
        .routes(routes!(reports::reasons))
        .routes(routes!(reports::get))
        .routes(routes!(cases::list))
        .routes(routes!(cases::next))
        .routes(routes!(cases::get))
        .routes(routes!(cases::assign))
        .routes(routes!(cases::escalate))
        .routes(routes!(cases::resolve))
        .routes(routes!(deliver::get, deliver::put))
        .routes(routes!(deliver::deliver))
        .routes(routes!(ops::reload_model))
        .routes(routes!(ops::reload))
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::metrics))
}

/// The OpenAPI document, built once from the routes.
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut document = api().split_for_parts().1;
        require_path_parameters(&mut document);
        document
    })
}

/// A path parameter is always required (OpenAPI 3.1 §4.8.12.1), but utoipa leaves one declared
/// with its own schema (`schema_with`) optional when its Rust type is a plain `String`.
fn require_path_parameters(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{Required, path::ParameterIn};
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let parameters = operation.parameters.iter_mut().flatten();
            for parameter in parameters {
                if let utoipa::openapi::RefOr::T(parameter) = parameter
                    && parameter.parameter_in == ParameterIn::Path
                {
                    parameter.required = Required::True;
                }
            }
        }
    }
}

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
    let (routes, _) = api().split_for_parts();
    Router::new()
        .route("/", get(front::front))
        .route("/v1/openapi.json", get(ops::openapi))
        .merge(routes)
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
