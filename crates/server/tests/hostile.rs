//! The server under input built to hurt it (issue 15): every case here was answered wrongly
//! before, and each assertion names what the right answer is.

mod common;

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use common::server;
use serde_json::{Value, json};

fn post(path: &str, authorization: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(path)
        .header("authorization", authorization)
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// The whole response, headers included (`Server::send` keeps only status and body).
async fn respond(server: &common::Server, request: Request<Body>) -> axum::response::Response {
    use tower::ServiceExt;
    server.router.clone().oneshot(request).await.unwrap()
}

/// A response body as JSON.
async fn json_of(response: axum::response::Response) -> Value {
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    serde_json::from_slice(&bytes).expect("a JSON body")
}

/// Serve the router through the real accept loop on a loopback port.
async fn serve_on_loopback(
    server: &common::Server,
    limits: menshen_server::listen::Limits,
) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(menshen_server::listen::serve(
        listener,
        server.router.clone(),
        limits,
        std::future::pending(),
    ));
    address
}

#[tokio::test]
async fn every_error_is_json_with_the_field_at_fault() {
    let server = server("hostile-errors");
    let bearer = format!("Bearer {}", server.service);
    for (body, field) in [
        (r#"{"text":"a","scene":5}"#, "scene"),
        (r#"{"text":"a","client":{"ip":7}}"#, "client.ip"),
        (
            r#"{"text":"a","attachments":[{"type":3}]}"#,
            "attachments[0].type",
        ),
        (r#"{"scene":"group"}"#, "text"),
    ] {
        let (status, answer) = server.send(post("/v1/check", &bearer, body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(answer["code"], "invalid_field", "{body}: {answer}");
        assert_eq!(answer["field"], field, "{body}: {answer}");
    }
    let (status, answer) = server
        .send(post(
            "/v1/check/batch",
            &bearer,
            r#"{"messages":[{"text":"a"},{"text":"b","scene":"feed"}]}"#,
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["field"], "messages[1].scene", "{answer}");

    // An array is not an object, even when its items would fit the fields by position.
    let (status, answer) = server
        .send(post("/v1/check", &bearer, r#"["a", "group"]"#))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["code"], "invalid_json");
    assert!(answer["message"].as_str().unwrap().contains("JSON object"));

    // Routes that do not exist, and methods a route does not take.
    let (status, answer) = server
        .send(
            Request::builder()
                .uri("/v1/nowhere")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let response = respond(
        &server,
        Request::builder()
            .method("DELETE")
            .uri("/v1/check")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        response.headers().contains_key("allow"),
        "{:?}",
        response.headers()
    );
    let answer = json_of(response).await;
    assert_eq!(answer["code"], "method_not_allowed");
}

#[tokio::test]
async fn roles_are_checked_before_the_body_is_read() {
    let server = server("hostile-roles");
    // A service token with a broken body on a reviewers' route: 403, not 422.
    let (status, answer) = server
        .send(post(
            "/v1/sanctions",
            &format!("Bearer {}", server.service),
            r#"{"target": 5}"#,
        ))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert_eq!(answer["code"], "forbidden");
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let server = server("hostile-bearer");
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let (status, answer) = server
            .send(post(
                "/v1/check",
                &format!("{scheme} {}", server.service),
                &json!({"text": "hi"}).to_string(),
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{scheme}: {answer}");
    }
    let (status, _) = server
        .send(post(
            "/v1/check",
            &format!("Basic {}", server.service),
            r#"{"text":"hi"}"#,
        ))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

// One async worker: analysis on it would hold /healthz until the huge message is done.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_huge_message_is_capped_and_does_not_stall_healthz() {
    let server = std::sync::Arc::new(server("hostile-huge"));
    let text = "a.cn ".repeat(760_000);
    let body = json!({"text": text, "scene": "group"}).to_string();
    let heavy = {
        let server = std::sync::Arc::clone(&server);
        let bearer = format!("Bearer {}", server.service);
        tokio::spawn(async move { server.send(post("/v1/check", &bearer, &body)).await })
    };
    // While it is analyzed, the server answers health checks and short checks.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (status, _) = server
        .send(
            Request::builder()
                .uri("/healthz")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let short = server.check(json!({"text": "你好"})).await;
    assert_eq!(short["action"], "allow");
    assert!(
        !heavy.is_finished(),
        "the huge message should still be in analysis while /healthz answers"
    );
    let (status, verdict) = heavy.await.unwrap();
    assert_eq!(status, StatusCode::OK, "{verdict}");
    let links = verdict["facts"]["links"].as_array().unwrap();
    assert_eq!(links.len(), 1_000);
    assert_eq!(verdict["facts"]["truncated"], true);
    assert!(
        verdict.to_string().len() < 2 << 20,
        "the verdict stays small"
    );
}

#[tokio::test]
async fn ids_are_bounded_and_never_blank() {
    let server = server("hostile-ids");
    let token = Some(server.service.as_str());
    let long = "u".repeat(257);
    for (body, field) in [
        (json!({"text": "hi", "sender": long}), "sender"),
        (json!({"text": "hi", "sender": ""}), "sender"),
        (json!({"text": "hi", "sender": "   "}), "sender"),
        (json!({"text": "hi", "id": "x".repeat(4096)}), "id"),
        (
            json!({"text": "hi", "client": {"device": "d\u{0}"}}),
            "client.device",
        ),
    ] {
        let (status, answer) = server.call("POST", "/v1/check", token, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["field"], field, "{answer}");
    }
    let ok = server
        .check(json!({"text": "hi", "sender": "u".repeat(256)}))
        .await;
    assert_eq!(ok["action"], "allow");
    let (status, answer) = server
        .call(
            "POST",
            "/v1/reports",
            token,
            Some(json!({"reporter": {"id": " "}, "subject": {"kind": "account", "id": "u2"}, "reason": "marketing_spam"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["field"], "reporter.id");
    let (status, answer) = server
        .call(
            "POST",
            "/v1/events",
            token,
            Some(json!({"events": [{"kind": "friend_request", "from": "", "to": "u2"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["field"], "events[0].from", "{answer}");
}

/// Every id and address a request carries is checked where the OpenAPI document says it is,
/// not only the ones that key a cache (schemathesis found each of these accepted).
#[tokio::test]
async fn every_id_and_address_in_a_request_is_checked() {
    let server = server("hostile-every-id");
    let service = Some(server.service.as_str());
    let long = "u".repeat(257);
    let events = [
        (
            json!({"kind": "friend_request", "from": "u1", "to": " "}),
            "events[0].to",
        ),
        (
            json!({"kind": "group_message", "sender": "u1", "group": ""}),
            "events[0].group",
        ),
        (
            json!({"kind": "login", "account": "u1", "device": "d1", "ip": "1.2.3"}),
            "events[0].ip",
        ),
        (
            json!({"kind": "login", "account": "u1", "device": "d1", "client": long}),
            "events[0].client",
        ),
        (
            json!({"kind": "redirect", "from": "0.0.0.0", "to": "evil.com"}),
            "events[0].from",
        ),
        (
            json!({"kind": "redirect", "from": "a.com", "to": "com"}),
            "events[0].to",
        ),
    ];
    for (event, field) in events {
        let body = json!({ "events": [event] });
        let (status, answer) = server.call("POST", "/v1/events", service, Some(body)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {answer}"
        );
        assert_eq!(answer["field"], field, "{answer}");
    }
    let report = |extra: Value| {
        let mut body = json!({"reporter": {"id": "r1"}, "subject": {"kind": "account", "id": "u2"}, "reason": "marketing_spam"});
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };
    for (body, field) in [
        (
            report(json!({"reporter": {"id": "r1", "ip": "nope"}})),
            "reporter.ip",
        ),
        (
            report(json!({"evidence": {"messages": ["m1", ""]}})),
            "evidence.messages[1]",
        ),
        (report(json!({"statement": "x".repeat(1025)})), "statement"),
    ] {
        let (status, answer) = server
            .call("POST", "/v1/reports", service, Some(body))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {answer}"
        );
        assert_eq!(answer["field"], field, "{answer}");
    }
    let reviewer = Some(server.reviewer.as_str());
    let path = format!("/v1/subjects/account/{long}");
    let (status, answer) = server.call("GET", &path, reviewer, None).await;
    assert_eq!(
        (status, &answer["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("id"))
    );
    let path = format!("/v1/preferences/{long}");
    let (status, answer) = server.call("GET", &path, service, None).await;
    assert_eq!(
        (status, &answer["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("recipient"))
    );
    let sanction =
        json!({"target": {"kind": "account", "id": "u9"}, "reason": "spam", "evidence": [1, 2]});
    let (status, answer) = server
        .call("POST", "/v1/sanctions", reviewer, Some(sanction))
        .await;
    assert_eq!(
        (status, &answer["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("evidence"))
    );
}

/// JSON has one number type: `2.0` where an integer belongs is the integer 2, as JSON Schema's
/// `integer` says; `2.5` is still refused.
#[tokio::test]
async fn a_whole_float_is_read_as_an_integer() {
    let server = server("hostile-floats");
    let reviewer = Some(server.reviewer.as_str());
    let sanction = |weight: f64| json!({"target": {"kind": "account", "id": "u9"}, "reason": "spam", "weight": weight});
    let (status, answer) = server
        .call("POST", "/v1/sanctions", reviewer, Some(sanction(2.0)))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = server
        .call("POST", "/v1/sanctions", reviewer, Some(sanction(2.5)))
        .await;
    assert_eq!(
        (status, &answer["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("weight"))
    );
    let reply = json!({"events": [{"kind": "reply", "account": "u1", "latency_ms": 1500.0}]});
    let (status, answer) = server
        .call("POST", "/v1/events", Some(&server.service), Some(reply))
        .await;
    assert_eq!(
        (status, &answer["accepted"]),
        (StatusCode::OK, &json!(1)),
        "{answer}"
    );
}

/// A device whose clock was reset (to 2000) would otherwise have its message refused, leaving
/// the platform to deliver it unjudged or drop it.
#[tokio::test]
async fn a_time_before_every_profile_is_judged_by_the_profile_in_force_now() {
    let server = server("hostile-clock");
    let text = "好物分享 https://item.taobao.com/item.htm?id=1";
    let now = server.check(json!({"text": text, "scene": "moment"})).await;
    let reset = server
        .check(json!({"text": text, "scene": "moment", "ts": "2000-01-01T00:00:00Z"}))
        .await;
    assert_eq!(reset["policy"], now["policy"], "{reset}");
    assert_eq!(reset["action"], now["action"], "{reset}");
    let warnings = reset["facts"]["warnings"].to_string();
    assert!(warnings.contains("before the first profile"), "{reset}");
}

#[tokio::test]
async fn a_listing_refuses_a_limit_past_its_maximum() {
    let server = server("hostile-limit");
    let reviewer = Some(server.reviewer.as_str());
    for path in ["/v1/cases", "/v1/appeals", "/v1/subjects/account/u1"] {
        let (status, answer) = server
            .call("GET", &format!("{path}?limit=1001"), reviewer, None)
            .await;
        assert_eq!(
            (status, &answer["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("limit")),
            "{path}"
        );
        let (status, answer) = server
            .call("GET", &format!("{path}?limit=1000"), reviewer, None)
            .await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
    }
}

#[tokio::test]
async fn a_dismissal_takes_no_offence() {
    let server = server("hostile-dismiss");
    let report = json!({"reporter": {"id": "r1"}, "subject": {"kind": "account", "id": "u2"}, "reason": "marketing_spam"});
    let (_, filed) = server
        .call("POST", "/v1/reports", Some(&server.service), Some(report))
        .await;
    let path = format!("/v1/cases/{}/resolve", filed["case"]);
    let reviewer = Some(server.reviewer.as_str());
    let dismiss = json!({"outcome": "dismiss", "reason": "not spam", "offence": {}});
    let (status, answer) = server.call("POST", &path, reviewer, Some(dismiss)).await;
    assert_eq!(
        (status, &answer["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("offence"))
    );
    let dismiss = json!({"outcome": "dismiss", "reason": "not spam"});
    let (status, answer) = server.call("POST", &path, reviewer, Some(dismiss)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// Delivery reads a verdict's action and links; a verdict of a profile no longer loaded is
/// still delivered, and recipients' choices can then only make it stricter.
#[tokio::test]
async fn delivery_reads_what_it_needs_of_a_verdict() {
    let server = server("hostile-deliver");
    let service = Some(server.service.as_str());
    let choices = json!({"categories": {"ecommerce": "open"}, "default": "hide"});
    let (status, answer) = server
        .call("PUT", "/v1/preferences/u1", service, Some(choices))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let link = json!({"host": "item.jd.com", "domain": "jd.com", "category": "ecommerce"});
    for (profile, rendering) in [("open-2021", "open"), ("gone", "plain_text")] {
        let verdict = json!({"action": "plain_text", "facts": {"links": [link]}, "policy": {"profile": profile}});
        let body = json!({"verdict": verdict, "recipients": ["u1"]});
        let (status, answer) = server
            .call("POST", "/v1/deliver", service, Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(
            answer[0]["links"][0]["rendering"], rendering,
            "{profile}: {answer}"
        );
    }
}

#[tokio::test]
async fn broad_ranges_need_an_admin_who_says_so_and_durations_are_bounded() {
    let server = server("hostile-sanctions");
    let reviewer = Some(server.reviewer.as_str());
    let admin = Some(server.admin.as_str());
    let ban = |id: &str, broad: bool| {
        json!({"target": {"kind": "ip", "id": id}, "reason": "botnet", "broad": broad,
               "step": {"kind": "login_ban", "hours": 24}})
    };
    for range in ["0.0.0.0/0", "10.0.0.0/8", "::/0"] {
        let (status, answer) = server
            .call("POST", "/v1/sanctions", reviewer, Some(ban(range, true)))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{range}: {answer}");
        assert_eq!(answer["field"], "target.id");
        let (status, answer) = server
            .call("POST", "/v1/sanctions", admin, Some(ban(range, false)))
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "an admin says `broad`: {answer}"
        );
    }
    let (status, answer) = server
        .call(
            "POST",
            "/v1/sanctions",
            admin,
            Some(ban("10.0.0.0/8", true)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = server
        .call(
            "POST",
            "/v1/sanctions",
            reviewer,
            Some(ban("203.0.113.0/24", false)),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a narrow range is a reviewer's call: {answer}"
    );

    for hours in [0u64, 9_000, 4_294_967_295] {
        let (status, answer) = server
            .call(
                "POST",
                "/v1/sanctions",
                reviewer,
                Some(
                    json!({"target": {"kind": "account", "id": "u9"}, "reason": "spam",
                            "step": {"kind": "login_ban", "hours": hours}}),
                ),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{hours}: {answer}"
        );
        assert_eq!(answer["field"], "step.hours", "{answer}");
    }
    let (status, answer) = server
        .call(
            "POST",
            "/v1/sanctions",
            reviewer,
            Some(json!({"target": {"kind": "account", "id": "u9"}, "reason": "x".repeat(5000)})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        answer["field"], "reason",
        "a reason is kept in memory: {answer}"
    );
    let (status, answer) = server
        .call(
            "POST",
            "/v1/sanctions",
            reviewer,
            Some(json!({"target": {"kind": "domain", "id": "localhost"}, "reason": "marketing_spam"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["field"], "target.id");
}

#[tokio::test]
async fn the_whole_rfc_3339_range_is_accepted() {
    let server = server("hostile-time");
    for ts in [
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-12:00",
        "2026-11-21T16:00:00+08:00",
    ] {
        let verdict = server.check(json!({"text": "hi", "ts": ts})).await;
        assert_eq!(verdict["action"], "allow", "{ts}: {verdict}");
    }
    let (status, answer) = server
        .call(
            "POST",
            "/v1/check",
            Some(&server.service),
            Some(json!({"text": "hi", "ts": "9999-12-31"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["field"], "ts");
}

#[tokio::test]
async fn guessing_tokens_and_sign_ins_meets_a_limit() {
    let server = server("hostile-guessing");
    // The real token is read once, before the guessing starts.
    assert_eq!(server.check(json!({"text": "hi"})).await["action"], "allow");
    let limit = server.app.config.auth_failures_per_minute as usize;
    for guess in 0..limit {
        let (status, _) = server
            .send(post(
                "/v1/check",
                &format!("Bearer guess{guess}"),
                r#"{"text":"hi"}"#,
            ))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let response = respond(
        &server,
        post("/v1/check", "Bearer one-more", r#"{"text":"hi"}"#),
    )
    .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    let answer = json_of(response).await;
    assert_eq!(answer["code"], "too_many_requests");
    // A token the server knows still works from there; the console refuses further guesses.
    assert_eq!(server.check(json!({"text": "hi"})).await["action"], "allow");
    let (status, page) = server
        .send(
            Request::builder()
                .method("POST")
                .uri("/console/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from("token=guess"))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    // After the minute, guessing may resume.
    server.clock.advance(61);
    let (status, _) = server
        .send(post("/v1/check", "Bearer later", r#"{"text":"hi"}"#))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_clients_are_cut_off_and_cannot_take_every_connection() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = server("hostile-stalled");
    let limits = menshen_server::listen::Limits {
        max_connections: 4,
        header_timeout: Duration::from_secs(1),
    };
    let address = serve_on_loopback(&server, limits).await;
    // Four clients send half a request head and stall.
    let mut stalled = Vec::new();
    for _ in 0..4 {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        stalled.push(stream);
    }
    // A fifth, well-behaved client waits for a free connection rather than being served
    // beside them...
    let mut polite = tokio::net::TcpStream::connect(address).await.unwrap();
    polite
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let early =
        tokio::time::timeout(Duration::from_millis(300), polite.read_to_end(&mut answer)).await;
    assert!(
        early.is_err(),
        "served past the connection limit: {answer:?}"
    );
    // ...and is served once the stalled ones are cut off by the header timeout.
    tokio::time::timeout(Duration::from_secs(10), polite.read_to_end(&mut answer))
        .await
        .expect("served after the stalled clients were cut off")
        .unwrap();
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"),
        "{answer:?}"
    );
    for mut stream in stalled {
        let mut rest = Vec::new();
        let read =
            tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest)).await;
        assert!(read.is_ok(), "a stalled connection stays open");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_ends_times_out() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = common::server_with("hostile-slow-body", |c| c.body_timeout_seconds = 1);
    let limits = menshen_server::listen::Limits {
        max_connections: 16,
        header_timeout: Duration::from_secs(10),
    };
    let address = serve_on_loopback(&server, limits).await;
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /v1/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{\"text\": \"",
        server.service
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the server gives up on the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":\"timeout\""), "{answer}");
}

#[tokio::test]
async fn the_session_cookie_is_secure_behind_tls() {
    for (configured, forwarded, secure) in [
        (false, None, false),
        (true, None, true),
        (false, Some("https"), true),
    ] {
        let server = common::server_with("hostile-cookie", |c| c.secure_cookies = configured);
        let mut request = Request::builder()
            .method("POST")
            .uri("/console/login")
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(proto) = forwarded {
            request = request.header("x-forwarded-proto", proto);
        }
        let request = request
            .body(Body::from(format!("token={}", server.reviewer)))
            .unwrap();
        let response = respond(&server, request).await;
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            cookie.contains("; Secure"),
            secure,
            "{configured} {forwarded:?}: {cookie}"
        );
    }
}

#[tokio::test]
async fn lifting_a_ban_offers_to_reverse_the_evasion_bans_it_caused() {
    let server = server("hostile-lift-evasion");
    let (status, ban) = server
        .call(
            "POST",
            "/v1/sanctions",
            Some(&server.reviewer),
            Some(
                json!({"target": {"kind": "ip", "id": "203.0.113.0/24"}, "reason": "pusher farm",
                        "step": {"kind": "permanent"}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ban}");
    let ban = ban["id"].as_u64().unwrap();
    let message = |sender: &str| json!({"text": "你好", "sender": sender, "client": {"device": sender, "ip": "203.0.113.7"}});
    let mut caught = Vec::new();
    for sender in ["a1", "a2"] {
        let verdict = server.check(message(sender)).await;
        assert_eq!(verdict["reasons"][0]["rule"], "ban-evasion");
        caught.push(verdict["enforcement"]["sanction"]["id"].as_u64().unwrap());
    }
    // Lifting the range names the evasion bans it caused, and leaves them.
    let (status, lifted) = server
        .call(
            "POST",
            &format!("/v1/sanctions/{ban}/lift"),
            Some(&server.reviewer),
            Some(json!({"reason": "the range was a carrier's NAT"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{lifted}");
    assert_eq!(lifted["lifted"], true);
    assert_eq!(lifted["evasion_bans"], json!(caught));
    let still = server.check(json!({"text": "你好", "sender": "a1"})).await;
    assert_eq!(still["reasons"][0]["rule"], "sender-banned");
    // Asked to, it reverses them, each audited.
    let (status, lifted) = server
        .call(
            "POST",
            &format!("/v1/sanctions/{ban}/lift"),
            Some(&server.reviewer),
            Some(json!({"reason": "the range was a carrier's NAT", "reverse_evasion": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{lifted}");
    assert_eq!(lifted["reversed"], json!(caught));
    for sender in ["a1", "a2"] {
        let free = server
            .check(json!({"text": "你好", "sender": sender}))
            .await;
        assert_eq!(free["action"], "allow", "{sender}: {free}");
    }
    let (_, history) = server
        .call(
            "GET",
            "/v1/subjects/account/a1",
            Some(&server.reviewer),
            None,
        )
        .await;
    assert!(
        history.to_string().contains("evasion of sanction"),
        "the reversal is on the record: {history}"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_answer_once() {
    let server = server("hostile-openapi");
    let (status, spec) = server.call("GET", "/v1/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    // Closed lists are enums, built from the lists the code checks.
    let schemas = &spec["components"]["schemas"];
    assert_eq!(
        schemas["MessageEvent"]["properties"]["scene"]["enum"],
        json!(["direct", "group", "moment", "comment", null])
    );
    // A target is one alternative per kind, each with the form of its id.
    let targets = schemas["IssueSanction"]["properties"]["target"]["oneOf"]
        .as_array()
        .expect("alternatives");
    let kinds: Vec<&Value> = targets
        .iter()
        .map(|t| &t["properties"]["kind"]["enum"][0])
        .collect();
    assert_eq!(
        json!(kinds),
        json!(["account", "device", "domain", "ip", "app"])
    );
    assert!(
        targets[3]["properties"]["id"]["pattern"].is_string(),
        "{}",
        targets[3]
    );
    // A report for `other` reasons needs a statement: the second alternative requires it.
    let reports = &schemas["FileReport"]["oneOf"];
    assert_eq!(reports[1]["properties"]["reason"]["enum"], json!(["other"]));
    assert!(
        reports[1]["required"]
            .as_array()
            .unwrap()
            .contains(&json!("statement"))
    );
    assert!(
        !reports[0]["required"]
            .as_array()
            .unwrap()
            .contains(&json!("statement"))
    );
    let mut ids = std::collections::HashSet::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            assert!(
                ids.insert(id.clone()),
                "operation id `{id}` twice ({method} {path})"
            );
            for (code, response) in operation["responses"].as_object().unwrap() {
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{method} {path} {code} has no description"
                );
            }
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                let declared_in = parameter["in"].as_str().unwrap();
                assert_eq!(
                    declared_in == "path",
                    path.contains(&format!("{{{name}}}")),
                    "{method} {path}: `{name}` is declared in {declared_in}"
                );
            }
            if operation.get("requestBody").is_some() {
                for code in ["400", "401", "403", "413", "415", "422", "429"] {
                    assert!(
                        operation["responses"].get(code).is_some(),
                        "{method} {path} does not document {code}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn an_oversized_target_or_header_gets_a_json_refusal() {
    let server = server("hostile-oversized");
    let long = format!("/v1/subjects/account/{}", "u".repeat(10_000));
    let (status, answer) = server
        .send(Request::builder().uri(long).body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::URI_TOO_LONG, "{answer}");
    assert_eq!(answer["code"], "uri_too_long");
    let (status, answer) = server
        .send(
            Request::builder()
                .uri("/healthz")
                .header("x-padding", "p".repeat(40_000))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "{answer}"
    );
    assert_eq!(answer["code"], "headers_too_large");
}
