//! Webhooks: sanctions, lifts and appeal outcomes reach receivers signed, and a receiver
//! that fails gets them later (at least once).

mod common;

use std::sync::{Arc, Mutex};

use axum::{Router, http::HeaderMap, http::StatusCode, routing::post};
use common::*;
use menshen_server::{config::WebhookConfig, webhooks};
use serde_json::{Value, json};

type Received = Arc<Mutex<Vec<(String, String, Value)>>>;

/// A receiver on a free loopback port that answers `status` and records what it got.
async fn receiver(status: Arc<Mutex<StatusCode>>) -> (String, Received) {
    let received: Received = Arc::default();
    let store = Arc::clone(&received);
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let store = Arc::clone(&store);
            let status = Arc::clone(&status);
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let value: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                // Keep the raw body's signature check for the test.
                let valid =
                    header("x-menshen-signature") == webhooks::signature("s3cret", body.as_bytes());
                store
                    .lock()
                    .unwrap()
                    .push((header("x-menshen-topic"), valid.to_string(), value));
                *status.lock().unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/hook"), received)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_are_signed_retried_and_delivered_once_the_receiver_is_back() {
    let status = Arc::new(Mutex::new(StatusCode::SERVICE_UNAVAILABLE));
    let (url, received) = receiver(Arc::clone(&status)).await;
    let server = server_with("webhooks", |c| {
        c.webhooks = vec![WebhookConfig {
            url,
            secret: "s3cret".into(),
        }];
    });
    server
        .check(json!({"scene": "moment", "sender": "u1", "text": SHARE}))
        .await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();

    // The receiver is down: nothing leaves the outbox.
    assert_eq!(webhooks::deliver_due(&server.app, &client).await, 0);
    assert_eq!(received.lock().unwrap().len(), 1, "one attempt was made");

    // Back up: the retry waits for its backoff, so make it due by asking again later.
    *status.lock().unwrap() = StatusCode::OK;
    let due_later = server
        .app
        .read(|store| store.due_notifications(i64::MAX / 2, 10))
        .await
        .unwrap();
    assert_eq!(due_later.len(), 1);
    assert_eq!(due_later[0].attempts, 1);
    // Deliver as if the backoff had passed.
    let id = due_later[0].id;
    server
        .app
        .write(move |store, _| store.notification_failed(id, "test: due now", -10))
        .await
        .unwrap();
    assert_eq!(webhooks::deliver_due(&server.app, &client).await, 1);
    let got = received.lock().unwrap().clone();
    let (topic, valid, body) = got.last().unwrap();
    assert_eq!(topic, "sanction.issue");
    assert_eq!(valid, "true", "the signature is HMAC-SHA256 of the body");
    assert_eq!(body["payload"]["target"]["id"], "u1");
    assert_eq!(
        webhooks::deliver_due(&server.app, &client).await,
        0,
        "delivered once, then gone"
    );
}
