//! Delivering the outbox: each notification is POSTed to every configured receiver, signed
//! with HMAC-SHA256 over the body (`X-Menshen-Signature: sha256=<hex>`), and removed only once
//! every receiver answered 2xx. Failures wait with a doubling backoff, so a receiver that is
//! down gets everything when it comes back, at least once, across restarts.

use std::{sync::Arc, time::Duration};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::{app::App, config::WebhookConfig};

/// The signature header's value for a body.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    format!("sha256={}", hex::encode(digest))
}

async fn deliver(
    client: &reqwest::Client,
    hook: &WebhookConfig,
    id: u64,
    topic: &str,
    body: &[u8],
) -> Result<(), String> {
    let response = client
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("x-menshen-topic", topic)
        .header("x-menshen-delivery", id.to_string())
        .header("x-menshen-signature", signature(&hook.secret, body))
        .body(body.to_vec())
        .send()
        .await
        .map_err(|e| format!("{}: {e}", hook.url))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("{}: answered {}", hook.url, response.status()))
    }
}

/// Deliver what is due, once. Returns how many notifications left the outbox.
pub async fn deliver_due(app: &Arc<App>, client: &reqwest::Client) -> usize {
    let now = app.now();
    // Claimed for a minute: another instance's worker leaves them alone meanwhile.
    let due = match app
        .write(move |store, _| store.claim_notifications(now, 100, 60))
        .await
    {
        Ok(due) => due,
        Err(_) => return 0,
    };
    let mut delivered = 0;
    for notification in due {
        let body = serde_json::json!({
            "id": notification.id,
            "topic": notification.topic,
            "payload": notification.payload,
        })
        .to_string();
        let mut failure = None;
        for hook in &app.config.webhooks {
            if let Err(error) = deliver(
                client,
                hook,
                notification.id,
                &notification.topic,
                body.as_bytes(),
            )
            .await
            {
                failure = Some(error);
            }
        }
        let id = notification.id;
        let outcome = match failure {
            None => {
                delivered += 1;
                app.write(move |store, _| store.notification_delivered(id))
                    .await
            }
            Some(error) => {
                app.metrics.webhook_failures.inc();
                let now = app.now();
                app.write(move |store, _| store.notification_failed(id, &error, now))
                    .await
            }
        };
        if outcome.is_err() {
            break;
        }
    }
    delivered
}

/// The delivery loop: every second until shutdown.
pub async fn run(app: Arc<App>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            eprintln!("menshen: webhooks disabled: cannot build an HTTP client: {error}");
            return;
        }
    };
    loop {
        deliver_due(&app, &client).await;
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn signatures_are_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
