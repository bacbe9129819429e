//! The console over HTTP, in process: sign-in, sessions, CSRF, roles, and escaping of hostile
//! reported content (script tags, bidi overrides). The browser walk-through is in
//! `crates/browser-tests`.

mod common;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use common::*;
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

/// An answer as the console gives it: status, headers, HTML.
struct Page {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    html: String,
}

async fn fetch(
    server: &Server,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> Page {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let body = match form {
        Some(form) => {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(form.to_owned())
        }
        None => Body::empty(),
    };
    let response = server
        .router
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Page {
        status,
        headers,
        html: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// Sign in and return the session cookie.
async fn sign_in(server: &Server, token: &str) -> String {
    let page = fetch(
        server,
        "POST",
        "/console/login",
        None,
        Some(&format!("token={token}")),
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let cookie = page.headers[header::SET_COOKIE].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

fn csrf_of(html: &str) -> String {
    let start = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

const HOSTILE: &str = "领奖 <script>alert('x')</script> \u{202E}gnp.exe 加微信 abc12345";

async fn hostile_case(server: &Server) -> u64 {
    let (status, filed) = server
        .call(
            "POST",
            "/v1/reports",
            Some(&server.service),
            Some(json!({
                "reporter": {"id": "alice", "account_age_days": 300, "device": "alice-phone"},
                "subject": {"kind": "message", "id": "m<1>", "account": "scam\u{202E}mer", "text": HOSTILE},
                "reason": "fraud",
                "statement": "<img src=x onerror=alert(1)> it is a scam",
                "evidence": {"excerpts": ["<b>领奖</b>"]},
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{filed}");
    filed["case"].as_u64().unwrap()
}

#[tokio::test]
async fn only_reviewers_and_admins_sign_in_and_pages_need_a_session() {
    let server = server("console-signin");
    let page = fetch(&server, "GET", "/console/queue", None, None).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.headers[header::LOCATION], "/console/login");
    for token in [server.service.as_str(), "menshen_unknown"] {
        let page = fetch(
            &server,
            "POST",
            "/console/login",
            None,
            Some(&format!("token={token}")),
        )
        .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{token}");
        assert!(page.html.contains("role=\"alert\""));
    }
    let cookie = sign_in(&server, &server.reviewer).await;
    let page = fetch(&server, "GET", "/console/queue", Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("rita (reviewer)"));
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    // Signing out ends the session.
    let csrf = csrf_of(&page.html);
    let out = fetch(
        &server,
        "POST",
        "/console/logout",
        Some(&cookie),
        Some(&format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let page = fetch(&server, "GET", "/console/queue", Some(&cookie), None).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "the old cookie no longer works"
    );
}

#[tokio::test]
async fn hostile_content_is_escaped_and_invisible_characters_are_shown() {
    let server = server("console-escape");
    let case = hostile_case(&server).await;
    let cookie = sign_in(&server, &server.reviewer).await;
    for path in [
        format!("/console/cases/{case}"),
        "/console/queue".to_owned(),
    ] {
        let page = fetch(&server, "GET", &path, Some(&cookie), None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.html.contains("<script"), "{path}");
        assert!(!page.html.contains("<img"), "{path}");
        assert!(!page.html.contains("<b>"), "{path}");
        assert!(
            !page.html.contains('\u{202E}'),
            "no raw bidi override on {path}"
        );
        assert!(page.html.contains("⟦U+202E⟧"), "{path}");
    }
    let page = fetch(
        &server,
        "GET",
        &format!("/console/cases/{case}"),
        Some(&cookie),
        None,
    )
    .await;
    assert!(page.html.contains("&#60;script&#62;"), "shown as text");
    assert!(
        page.html.contains("class=\"fact fact-contact\""),
        "facts are marked"
    );
    assert!(page.html.contains("m&#60;1&#62;"), "ids are escaped too");
}

#[tokio::test]
async fn forms_without_the_session_csrf_token_change_nothing() {
    let server = server("console-csrf");
    let case = hostile_case(&server).await;
    let cookie = sign_in(&server, &server.reviewer).await;
    for form in [
        "outcome=dismiss&reason=fine".to_owned(),
        "csrf=menshen_forged&outcome=dismiss&reason=fine".to_owned(),
    ] {
        let page = fetch(
            &server,
            "POST",
            &format!("/console/cases/{case}/resolve"),
            Some(&cookie),
            Some(&form),
        )
        .await;
        assert!(
            matches!(
                page.status,
                StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY
            ),
            "{form}: {}",
            page.status
        );
    }
    let (_, detail) = server
        .call(
            "GET",
            &format!("/v1/cases/{case}"),
            Some(&server.reviewer),
            None,
        )
        .await;
    assert_eq!(detail["case"]["state"], "open");
    // Another session's token does not pass either.
    let other = sign_in(&server, &server.admin).await;
    let page = fetch(&server, "GET", "/console/queue", Some(&other), None).await;
    let admins_csrf = csrf_of(&page.html);
    let page = fetch(
        &server,
        "POST",
        &format!("/console/cases/{case}/resolve"),
        Some(&cookie),
        Some(&format!("csrf={admins_csrf}&outcome=dismiss&reason=fine")),
    )
    .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // With its own token the form works.
    let page = fetch(
        &server,
        "GET",
        &format!("/console/cases/{case}"),
        Some(&cookie),
        None,
    )
    .await;
    let csrf = csrf_of(&page.html);
    let page = fetch(
        &server,
        "POST",
        &format!("/console/cases/{case}/resolve"),
        Some(&cookie),
        Some(&format!(
            "csrf={csrf}&outcome=dismiss&reason=an+ordinary+message"
        )),
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let (_, detail) = server
        .call(
            "GET",
            &format!("/v1/cases/{case}"),
            Some(&server.reviewer),
            None,
        )
        .await;
    assert_eq!(detail["case"]["state"], "resolved");
}

#[tokio::test]
async fn reviewers_see_what_their_role_allows() {
    let server = server("console-roles");
    let case = hostile_case(&server).await;
    let reviewer = sign_in(&server, &server.reviewer).await;
    let admin = sign_in(&server, &server.admin).await;
    let as_reviewer = fetch(
        &server,
        "GET",
        &format!("/console/cases/{case}"),
        Some(&reviewer),
        None,
    )
    .await;
    let as_admin = fetch(
        &server,
        "GET",
        &format!("/console/cases/{case}"),
        Some(&admin),
        None,
    )
    .await;
    assert!(as_reviewer.html.contains("reporter 1"));
    assert!(
        !as_reviewer.html.contains("alice"),
        "reviewers do not see who reported"
    );
    assert!(!as_reviewer.html.contains("alice-phone"));
    assert!(as_admin.html.contains("alice") && as_admin.html.contains("alice-phone"));
    // Escalated: the reviewer reads the case but has no buttons; the admin has them.
    let csrf = csrf_of(&as_reviewer.html);
    let page = fetch(
        &server,
        "POST",
        &format!("/console/cases/{case}/escalate"),
        Some(&reviewer),
        Some(&format!("csrf={csrf}&reason=needs+legal")),
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let as_reviewer = fetch(
        &server,
        "GET",
        &format!("/console/cases/{case}"),
        Some(&reviewer),
        None,
    )
    .await;
    assert!(!as_reviewer.html.contains("Verify and sanction"));
    let as_admin = fetch(
        &server,
        "GET",
        &format!("/console/cases/{case}"),
        Some(&admin),
        None,
    )
    .await;
    assert!(as_admin.html.contains("Verify and sanction"));
    // A reviewer posting anyway is refused by the same rule the API applies.
    let page = fetch(
        &server,
        "POST",
        &format!("/console/cases/{case}/resolve"),
        Some(&reviewer),
        Some(&format!("csrf={csrf}&outcome=dismiss&reason=fine")),
    )
    .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.html.contains("only an admin"), "{}", page.html);
}

#[tokio::test]
async fn a_revoked_token_ends_its_api_access_and_console_sessions() {
    // Trust nothing from memory, so the revocation shows at once.
    let server = server_with("console-revoke", |config| config.token_cache_seconds = 0);
    let cookie = sign_in(&server, &server.reviewer).await;
    let (status, _) = server
        .call("GET", "/v1/cases", Some(&server.reviewer), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let revoked = server
        .app
        .write(|store, _| store.revoke_tokens("rita", 1))
        .await
        .unwrap();
    assert_eq!(revoked, 1);
    let (status, _) = server
        .call("GET", "/v1/cases", Some(&server.reviewer), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let page = fetch(&server, "GET", "/console/queue", Some(&cookie), None).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "back to the sign-in page"
    );
    let page = fetch(
        &server,
        "POST",
        "/console/login",
        None,
        Some(&format!("token={}", server.reviewer)),
    )
    .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
}
