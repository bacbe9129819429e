//! Two instances on one PostgreSQL store, as two `menshen serve` behind a load balancer: what
//! one writes is in force on the other within a bounded time, and an account's offences climb
//! one ladder whichever instance sees them. Runs with `MENSHEN_TEST_BACKEND=postgres` (as
//! `scripts/test.sh` runs the API tests a second time); on the embedded store there is only
//! one instance, and the test says so.

mod common;

use std::time::{Duration, Instant};

use common::{SHARE, Server, server};
use serde_json::{Value, json};

/// How long a write on one instance may take to be in force on the other.
const BOUND: Duration = Duration::from_secs(3);

/// Check `body` on `server` until `done` says yes, within [`BOUND`]; returns the last
/// verdict and how long it took.
async fn until(server: &Server, body: Value, done: impl Fn(&Value) -> bool) -> (Value, Duration) {
    let start = Instant::now();
    loop {
        let verdict = server.check(body.clone()).await;
        if done(&verdict) || start.elapsed() > BOUND {
            return (verdict, start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn on_postgres() -> bool {
    let yes = menshen_state::store::testing::on_postgres();
    if !yes {
        eprintln!(
            "instances: not run on the embedded store (one instance only); scripts/test.sh runs it on PostgreSQL"
        );
    }
    yes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sanction_written_on_one_instance_blocks_on_the_other() {
    if !on_postgres() {
        return;
    }
    let a = server("instances-sanction");
    let b = a.another_instance();
    let text = "便宜好货 https://shop.evil-mall.com/item";
    let before = b.check(json!({"text": text})).await;
    assert_ne!(before["action"], "block", "{before}");
    let ban = json!({
        "target": {"kind": "domain", "id": "evil-mall.com"},
        "reason": "counterfeit goods",
        "step": {"kind": "permanent"}
    });
    let (status, answer) = a
        .call("POST", "/v1/sanctions", Some(&a.reviewer), Some(ban))
        .await;
    assert_eq!(status, 200, "{answer}");
    let (verdict, took) = until(&b, json!({"text": text}), |v| v["action"] == "block").await;
    eprintln!("instances: a domain ban on A blocked on B after {took:?}");
    assert_eq!(
        verdict["action"], "block",
        "not in force on B after {took:?}: {verdict}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offences_on_two_instances_climb_one_ladder() {
    if !on_postgres() {
        return;
    }
    let a = server("instances-ladder");
    let b = a.another_instance();
    let moment = |id: &str| json!({"id": id, "scene": "moment", "sender": "u1", "text": SHARE});
    let first = a.check(moment("m1")).await;
    assert_eq!(
        first["enforcement"]["sanction"]["kind"], "warning",
        "{first}"
    );
    // The second offence reaches B: it climbs past A's strike.
    let second = b.check(moment("m2")).await;
    let sanction = &second["enforcement"]["sanction"];
    assert_eq!(
        (sanction["kind"].as_str(), sanction["strikes"].as_u64()),
        (Some("restrict"), Some(2)),
        "{second}"
    );
    // Back on A, the restriction B gave is in force: share codes are refused even in a chat.
    let chat = json!({"scene": "direct", "sender": "u1", "text": SHARE});
    let (third, took) = until(&a, chat, |v| v["action"] == "block").await;
    eprintln!("instances: B's restriction in force on A after {took:?}");
    assert_eq!(third["action"], "block", "{third}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_spread_over_two_instances_is_one_burst() {
    if !on_postgres() {
        return;
    }
    let a = server("instances-burst");
    let b = a.another_instance();
    // 40 friend requests in a minute, alternating between the instances: 20 each, under the
    // threshold of 30 alone, over it together (windows shared through Redis).
    let mut signals = Vec::new();
    for n in 0..40 {
        let instance = if n % 2 == 0 { &a } else { &b };
        let body =
            json!({"events": [{"kind": "friend_request", "from": "u1", "to": format!("v{n}")}]});
        let (status, answer) = instance
            .call("POST", "/v1/events", Some(&instance.service), Some(body))
            .await;
        assert_eq!(status, 200, "{answer}");
        signals.extend(answer["signals"].as_array().cloned().unwrap_or_default());
    }
    let names: Vec<&str> = signals.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(
        names,
        ["bulk_friend_requests"],
        "one burst, one signal: {signals:?}"
    );
}
