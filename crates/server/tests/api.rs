//! The HTTP API end to end, in process: the ladder through checks, sanctions on every kind
//! of target, evasion, behaviour, appeals, roles and bad input.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

#[tokio::test]
async fn a_second_offence_climbs_the_ladder_and_the_restriction_says_until_when() {
    let server = server("ladder");
    let first = server
        .check(json!({"id": "m1", "scene": "moment", "sender": "u1", "text": SHARE}))
        .await;
    assert_eq!(first["action"], "hide");
    assert_eq!(first["enforcement"]["sanction"]["kind"], "warning");
    assert_eq!(first["enforcement"]["standing"]["content_strikes"], 1);

    let second = server
        .check(json!({"id": "m2", "scene": "moment", "sender": "u1", "text": SHARE}))
        .await;
    let sanction = &second["enforcement"]["sanction"];
    assert_eq!(
        (sanction["kind"].as_str(), sanction["function"].as_str()),
        (Some("restrict"), Some("share_codes"))
    );
    let until = second["enforcement"]["standing"]["restrictions"][0]["until"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(until.ends_with('Z'), "{until}");

    // Restricted: share codes are refused even in a chat, and the reason says until when.
    let third = server
        .check(json!({"scene": "direct", "sender": "u1", "text": SHARE}))
        .await;
    assert_eq!(third["action"], "block");
    assert_eq!(
        third["reasons"][0]["message"],
        format!("you cannot post share codes until {until}")
    );
    assert!(
        third["enforcement"].get("sanction").is_none(),
        "a refusal is not a new offence"
    );

    // Someone else is untouched; no sender, nothing enforced.
    let other = server
        .check(json!({"scene": "direct", "sender": "u2", "text": SHARE}))
        .await;
    assert_eq!(other["action"], "allow");
    let anonymous = server
        .check(json!({"scene": "moment", "text": SHARE}))
        .await;
    assert_eq!(anonymous["action"], "hide");
    assert!(anonymous["enforcement"].get("sanction").is_none());

    let (status, subject) = server
        .call(
            "GET",
            "/v1/subjects/account/u1",
            Some(&server.reviewer),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(subject["sanctions"].as_array().unwrap().len(), 2);
    let actions: Vec<&str> = subject["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["event"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["sanction.issue", "sanction.issue"]);
}

#[tokio::test]
async fn sanctioned_domains_block_every_scene_and_lifting_restores() {
    let server = server("domain");
    let (status, sanction) = server
        .call(
            "POST",
            "/v1/sanctions",
            Some(&server.reviewer),
            Some(json!({
                "target": {"kind": "domain", "id": "Scam-Prizes.top"},
                "reason": "phishing pages",
                "step": {"kind": "permanent"}
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sanction}");
    assert_eq!(sanction["target"]["id"], "scam-prizes.top");
    assert_eq!(sanction["manual"], true);
    for scene in ["direct", "group", "moment", "comment"] {
        let verdict = server
            .check(json!({"scene": scene, "text": "领奖 https://win.scam-prizes.top/a"}))
            .await;
        assert_eq!(verdict["action"], "block", "{scene}");
    }
    let id = sanction["id"].as_u64().unwrap();
    let (status, lifted) = server
        .call(
            "POST",
            &format!("/v1/sanctions/{id}/lift"),
            Some(&server.reviewer),
            Some(json!({"reason": "site cleaned"})),
        )
        .await;
    assert_eq!(
        (status, lifted["lifted"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let verdict = server
        .check(json!({"scene": "direct", "text": "领奖 https://win.scam-prizes.top/a"}))
        .await;
    assert_eq!(verdict["action"], "allow");
}

#[tokio::test]
async fn a_banned_device_under_a_new_account_is_evasion() {
    let server = server("evasion");
    let (status, _) = server
        .call(
            "POST",
            "/v1/sanctions",
            Some(&server.reviewer),
            Some(json!({
                "target": {"kind": "device", "id": "d9"}, "ladder": "automation",
                "reason": "bulk-add plug-in", "step": {"kind": "login_ban", "hours": 168}
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server
        .call(
            "POST",
            "/v1/sanctions",
            Some(&server.reviewer),
            Some(json!({
                "target": {"kind": "ip", "id": "203.0.113.9/24"}, "reason": "pusher farm",
                "step": {"kind": "permanent"}
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let message = |sender: &str, device: &str, ip: &str| {
        json!({
            "scene": "direct", "sender": sender, "text": "你好",
            "client": {"app": "official", "device": device, "ip": ip}
        })
    };
    let fine = server.check(message("new1", "d1", "198.51.100.4")).await;
    assert_eq!(fine["action"], "allow");
    let evading = server.check(message("new1", "d9", "198.51.100.4")).await;
    assert_eq!(evading["action"], "block");
    assert_eq!(evading["reasons"][0]["rule"], "ban-evasion");
    assert_eq!(evading["enforcement"]["sanction"]["kind"], "permanent");
    assert_eq!(evading["enforcement"]["sanction"]["evasion"], true);
    // From now on the account itself is banned, whatever device it uses.
    let after = server.check(message("new1", "d1", "198.51.100.4")).await;
    assert_eq!(after["reasons"][0]["rule"], "sender-banned");
    // The banned range catches another account too.
    let ranged = server.check(message("new2", "d2", "203.0.113.200")).await;
    assert_eq!(ranged["reasons"][0]["rule"], "ban-evasion");

    // A login through the banned device is refused and sanctioned as well.
    let (status, result) = server
        .call(
            "POST",
            "/v1/events",
            Some(&server.service),
            Some(json!({"events": [
                {"kind": "login", "account": "new3", "device": "d9", "client": "official"}
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["refused_logins"][0]["account"], "new3");
    assert_eq!(result["sanctions"][0]["kind"], "permanent");
}

#[tokio::test]
async fn behaviour_signals_climb_the_automation_ladder_and_reach_the_policy() {
    let server = server("behaviour");
    let events: Vec<_> = (0..30)
        .map(|i| json!({"kind": "friend_request", "from": "bot1", "to": format!("p{i}"), "ts": format!("2026-11-21T08:{:02}:00Z", i)}))
        .collect();
    let (status, result) = server
        .call(
            "POST",
            "/v1/events",
            Some(&server.service),
            Some(json!({"events": events})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["accepted"], 30);
    assert_eq!(result["signals"][0]["name"], "bulk_friend_requests");
    assert_eq!(result["sanctions"][0]["kind"], "warning");
    assert_eq!(result["sanctions"][0]["ladder"], "automation");

    // A plug-in client on login: the second automation offence is a one-day login ban.
    let (_, result) = server
        .call(
            "POST",
            "/v1/events",
            Some(&server.service),
            Some(json!({"events": [
                {"kind": "login", "account": "bot1", "device": "d1", "client": "wx-helper"}
            ]})),
        )
        .await;
    assert_eq!(result["signals"][0]["name"], "unofficial_client");
    assert_eq!(result["sanctions"][0]["kind"], "login_ban");
    let banned = server.check(json!({"sender": "bot1", "text": "hi"})).await;
    assert_eq!(banned["reasons"][0]["rule"], "sender-banned");
    assert!(
        banned["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("banned until")
    );
}

#[tokio::test]
async fn an_appeal_reverses_and_the_appellant_reads_why() {
    let server = server("appeal");
    server
        .check(json!({"scene": "moment", "sender": "u1", "text": SHARE}))
        .await;
    let second = server
        .check(json!({"scene": "moment", "sender": "u1", "text": SHARE}))
        .await;
    let sanction = second["enforcement"]["sanction"]["id"].as_u64().unwrap();
    let (status, appeal) = server
        .call(
            "POST",
            "/v1/appeals",
            Some(&server.service),
            Some(
                json!({"sanction": sanction, "appellant": "u1", "statement": "it is my own shop"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{appeal}");
    let id = appeal["id"].as_u64().unwrap();
    let (status, again) = server
        .call(
            "POST",
            "/v1/appeals",
            Some(&server.service),
            Some(json!({"sanction": sanction, "appellant": "u1", "statement": "again"})),
        )
        .await;
    assert_eq!(
        (status, again["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );

    let (_, queue) = server
        .call(
            "GET",
            "/v1/appeals?state=open",
            Some(&server.reviewer),
            None,
        )
        .await;
    assert_eq!(queue.as_array().unwrap().len(), 1);
    let (status, decided) = server
        .call(
            "POST",
            &format!("/v1/appeals/{id}/decision"),
            Some(&server.reviewer),
            Some(json!({"reverse": true, "reason": "a shop owner sharing their own listing"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["state"], "reversed");
    let (_, seen) = server
        .call(
            "GET",
            &format!("/v1/appeals/{id}"),
            Some(&server.service),
            None,
        )
        .await;
    assert_eq!(
        seen["decision_reason"],
        "a shop owner sharing their own listing"
    );
    // The restriction is gone: share codes pass in chats again.
    let after = server
        .check(json!({"scene": "direct", "sender": "u1", "text": SHARE}))
        .await;
    assert_eq!(after["action"], "allow");
    assert_eq!(after["enforcement"]["standing"]["content_strikes"], 1);
}

#[tokio::test]
async fn roles_are_enforced_on_every_route() {
    let server = server("roles");
    let (status, body) = server
        .call("POST", "/v1/check", None, Some(json!({"text": "hi"})))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let (status, _) = server
        .call(
            "POST",
            "/v1/check",
            Some("menshen_forged"),
            Some(json!({"text": "hi"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = server
        .call(
            "GET",
            "/v1/subjects/account/u1",
            Some(&server.service),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (status, _) = server
        .call(
            "POST",
            "/v1/sanctions",
            Some(&server.service),
            Some(json!({"target": {"kind": "account", "id": "u1"}, "reason": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = server
        .call(
            "POST",
            "/v1/check",
            Some(&server.reviewer),
            Some(json!({"text": "hi"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = server
        .call(
            "POST",
            "/v1/check",
            Some(&server.admin),
            Some(json!({"text": "hi"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn bad_input_gets_a_stable_code_the_field_and_a_fix() {
    let server = server_with("bad-input", |c| {
        c.max_body_bytes = 64 * 1024;
        c.max_batch = 3;
    });
    let token = Some(server.service.as_str());
    let cases = [
        (
            json!({"scene": "moment"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("text"),
        ),
        (
            json!({"text": "x", "scene": "feed"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("scene"),
        ),
        (
            json!({"text": "x", "ts": "yesterday"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("ts"),
        ),
        (
            json!({"text": "x", "client": {"ip": "300.1.1.1"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("client.ip"),
        ),
        (
            json!({"text": 5}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("text"),
        ),
    ];
    for (body, status, code, field) in cases {
        let (got, answer) = server
            .call("POST", "/v1/check", token, Some(body.clone()))
            .await;
        assert_eq!(
            (got, answer["code"].as_str()),
            (status, Some(code)),
            "{body} → {answer}"
        );
        if let Some(field) = field {
            assert_eq!(answer["field"], field, "{answer}");
        }
        assert!(answer["message"].as_str().unwrap().len() > 10);
    }
    let raw = |body: &str, content_type: &str| {
        axum::http::Request::builder()
            .method("POST")
            .uri("/v1/check")
            .header("authorization", format!("Bearer {}", server.service))
            .header("content-type", content_type)
            .body(axum::body::Body::from(body.to_owned()))
            .unwrap()
    };
    let (status, answer) = server.send(raw("{\"text\": ", "application/json")).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_json"))
    );
    let (status, answer) = server.send(raw("{\"text\": \"x\"}", "text/plain")).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("invalid_content_type")
        )
    );
    let huge = format!("{{\"text\": \"{}\"}}", "a".repeat(100 * 1024));
    let (status, answer) = server.send(raw(&huge, "application/json")).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large"))
    );

    let (status, answer) = server
        .call(
            "POST",
            "/v1/check/batch",
            token,
            Some(json!({"messages": [{"text": "a"}, {"text": "b"}, {"text": "c"}, {"text": "d"}]})),
        )
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("messages"))
    );
    let (status, answer) = server
        .call(
            "POST",
            "/v1/check/batch",
            token,
            Some(json!({"messages": [{"text": "a"}, {"text": "b", "ts": "soon"}]})),
        )
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("messages[1].ts"))
    );
    let (status, answer) = server
        .call("POST", "/v1/events", token, Some(json!({"events": [{"kind": "login", "account": "u1", "device": "d"}, {"kind": "teleport"}]})))
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("events[1]")),
        "{answer}"
    );
    let reviewer = Some(server.reviewer.as_str());
    let (status, answer) = server
        .call(
            "POST",
            "/v1/sanctions",
            reviewer,
            Some(json!({"target": {"kind": "ip", "id": "203.0.113/24"}, "reason": "x"})),
        )
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("target.id"))
    );
    let (status, answer) = server
        .call("POST", "/v1/sanctions", reviewer, Some(json!({"target": {"kind": "account", "id": "u1"}, "reason": "x", "function": "posting"})))
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("function"))
    );
    let (status, answer) = server
        .call("GET", "/v1/subjects/planet/mars", reviewer, None)
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("kind"))
    );
    let (status, answer) = server
        .call(
            "POST",
            "/v1/sanctions/99/lift",
            reviewer,
            Some(json!({"reason": "x"})),
        )
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, answer) = server
        .call("GET", "/v1/sanctions/first", reviewer, None)
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_path")),
        "{answer}"
    );
    let (status, answer) = server
        .call("GET", "/v1/appeals?limit=many", reviewer, None)
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_query")),
        "{answer}"
    );
    let (status, answer) = server.call("GET", "/v1/nowhere", None, None).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn a_batch_keeps_order_and_writes_its_offences() {
    let server = server_with("batch", |c| c.batch_threads = 2);
    let messages: Vec<_> = (0..50)
        .map(|i| if i % 10 == 0 {
            json!({"id": format!("m{i}"), "scene": "moment", "sender": format!("s{i}"), "text": SHARE})
        } else {
            json!({"id": format!("m{i}"), "scene": "group", "text": format!("今天的会议改到{i}点")})
        })
        .collect();
    let (status, result) = server
        .call(
            "POST",
            "/v1/check/batch",
            Some(&server.service),
            Some(json!({"messages": messages})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let verdicts = result["verdicts"].as_array().unwrap();
    assert_eq!(verdicts.len(), 50);
    for (i, verdict) in verdicts.iter().enumerate() {
        assert_eq!(verdict["id"], format!("m{i}"));
        let expected = if i % 10 == 0 { "hide" } else { "allow" };
        assert_eq!(verdict["action"], expected);
        assert_eq!(verdict["enforcement"]["sanction"].is_object(), i % 10 == 0);
    }
}

#[tokio::test]
async fn the_openapi_document_and_metrics_describe_the_server() {
    let server = server("ops");
    let (status, document) = server.call("GET", "/v1/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/v1/check",
        "/v1/check/batch",
        "/v1/events",
        "/v1/subjects/{kind}/{id}",
        "/v1/sanctions",
        "/v1/appeals/{id}/decision",
        "/healthz",
        "/metrics",
    ] {
        assert!(document["paths"].get(path).is_some(), "{path} missing");
    }
    assert!(document["components"]["schemas"].get("ErrorBody").is_some());
    server
        .check(json!({"scene": "moment", "text": SHARE}))
        .await;
    let (status, metrics) = server.call("GET", "/metrics", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let text = metrics.as_str().unwrap();
    assert!(
        text.contains("menshen_checks_total{action=\"hide\"} 1"),
        "{text}"
    );
    // The withheld message was audited: the chain's head is at least there.
    let head = text
        .lines()
        .find_map(|l| l.strip_prefix("menshen_audit_head_seq "))
        .expect("the audit head gauge");
    assert!(head.trim().parse::<u64>().unwrap() >= 1, "{text}");
    let (status, health) = server.call("GET", "/healthz", None, None).await;
    assert_eq!(
        (status, health["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
}

#[tokio::test]
async fn a_new_domain_redirecting_to_a_banned_one_is_banned_too() {
    let server = server("redirect");
    let (status, _) = server
        .call(
            "POST",
            "/v1/sanctions",
            Some(&server.reviewer),
            Some(json!({
                "target": {"kind": "domain", "id": "scam-prizes.top"}, "reason": "phishing",
                "step": {"kind": "permanent"}
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let before = server
        .check(json!({"text": "领奖 https://lucky-gift.top/x"}))
        .await;
    assert_eq!(before["action"], "allow");
    let (status, result) = server
        .call(
            "POST",
            "/v1/events",
            Some(&server.service),
            Some(json!({"events": [
                {"kind": "redirect", "from": "Lucky-Gift.top", "to": "win.scam-prizes.top"},
                {"kind": "redirect", "from": "news.example", "to": "other.example"}
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    let sanctions = result["sanctions"].as_array().unwrap();
    assert_eq!(
        sanctions.len(),
        1,
        "only the redirect to a banned domain counts"
    );
    assert_eq!(
        (
            sanctions[0]["target"]["id"].as_str(),
            sanctions[0]["kind"].as_str()
        ),
        (Some("lucky-gift.top"), Some("permanent"))
    );
    let after = server
        .check(json!({"text": "领奖 https://lucky-gift.top/x"}))
        .await;
    assert_eq!(after["action"], "block");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_offences_are_committed_together_and_each_sees_the_ones_before() {
    let server = std::sync::Arc::new(server("group-commit"));
    let mut tasks = Vec::new();
    for i in 0..40 {
        let server = std::sync::Arc::clone(&server);
        // Twenty senders, two offences each, all at once.
        tasks.push(tokio::spawn(async move {
            server
                .check(json!({"scene": "moment", "sender": format!("s{}", i % 20), "text": SHARE}))
                .await
        }));
    }
    let mut by_sender: std::collections::BTreeMap<String, Vec<u64>> = Default::default();
    for task in tasks {
        let verdict = task.await.unwrap();
        let sanction = &verdict["enforcement"]["sanction"];
        by_sender
            .entry(sanction["target"]["id"].as_str().unwrap().to_owned())
            .or_default()
            .push(sanction["strikes"].as_u64().unwrap());
    }
    assert_eq!(by_sender.len(), 20);
    for (sender, mut strikes) in by_sender {
        strikes.sort_unstable();
        assert_eq!(
            strikes,
            [1, 2],
            "{sender}: each offence counts the one before it"
        );
    }
    let (_, subject) = server
        .call(
            "GET",
            "/v1/subjects/account/s7",
            Some(&server.reviewer),
            None,
        )
        .await;
    assert_eq!(subject["standing"]["content_strikes"], 2);
}
