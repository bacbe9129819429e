//! Fuzz request bodies through the router: every route that takes a body answers any bytes
//! with a response (a JSON error for bad input), never a panic or a 500.
//! Run: `bash scripts/fuzz.sh request 60`.
#![no_main]

use std::sync::{Arc, OnceLock};

use axum::{body::Body, http::Request};
use libfuzzer_sys::fuzz_target;
use menshen_server::{app::App, config::ServerConfig};
use tower::ServiceExt;

struct Harness {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    tokens: [String; 2],
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("menshen-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut store = menshen_state::store::SqliteStore::open(&dir).unwrap();
        use menshen_state::store::Store;
        let service = store.create_token("fuzz", menshen_state::token::Role::Service, 0).unwrap();
        let reviewer = store.create_token("fuzz-r", menshen_state::token::Role::Reviewer, 0).unwrap();
        drop(store);
        let config = ServerConfig { data_dir: dir, ..ServerConfig::default() };
        let app = App::open(config).unwrap();
        Harness {
            runtime: tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap(),
            router: menshen_server::router(Arc::clone(&app)),
            tokens: [service, reviewer],
        }
    })
}

const ROUTES: [(&str, usize); 8] = [
    ("/v1/check", 0),
    ("/v1/check/batch", 0),
    ("/v1/events", 0),
    ("/v1/deliver", 0),
    ("/v1/reports", 0),
    ("/v1/appeals", 0),
    ("/v1/sanctions", 1),
    ("/v1/cases/next", 1),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let (path, token) = ROUTES[selector as usize % ROUTES.len()];
    let harness = harness();
    let request = Request::builder()
        .method("POST")
        .uri(path)
        .header("authorization", format!("Bearer {}", harness.tokens[token]))
        .header("content-type", "application/json")
        .body(Body::from(body.to_vec()))
        .unwrap();
    let response = harness
        .runtime
        .block_on(harness.router.clone().oneshot(request))
        .unwrap();
    assert!(!response.status().is_server_error(), "{path}: {}", response.status());
});
