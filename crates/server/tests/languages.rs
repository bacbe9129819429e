//! The platform's language: Chinese by default, English on request (`Accept-Language` or a
//! `locale` field), for verdict reasons, refusals and the console; every text the console's
//! templates name exists in both catalogues; and the front door at `/`.

mod common;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use common::*;
use http_body_util::BodyExt;
use menshen_i18n::Locale;
use serde_json::{Value, json};
use tower::ServiceExt;

async fn get(server: &Server, path: &str, headers: &[(&str, &str)]) -> (StatusCode, String) {
    let mut request = Request::builder().uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = server
        .router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn check_with(server: &Server, body: Value, accept_language: Option<&str>) -> Value {
    let mut request = Request::builder()
        .method("POST")
        .uri("/v1/check")
        .header("authorization", format!("Bearer {}", server.service))
        .header("content-type", "application/json");
    if let Some(language) = accept_language {
        request = request.header(header::ACCEPT_LANGUAGE, language);
    }
    let (status, value) = server
        .send(request.body(Body::from(body.to_string())).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK, "{value}");
    value
}

fn first_message(verdict: &Value) -> &str {
    verdict["reasons"][0]["message"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn verdicts_speak_chinese_by_default_and_english_when_asked() {
    let server = server_with("languages-check", |c| c.locale = Locale::ZhCn);
    let body = json!({"scene": "moment", "text": SHARE});
    let chinese = check_with(&server, body.clone(), None).await;
    assert_eq!(chinese["reasons"][0]["rule"], "share-code-in-moment");
    assert_eq!(first_message(&chinese), "朋友圈不显示第三方分享口令");
    let english = check_with(&server, body.clone(), Some("en-US,en;q=0.9")).await;
    assert_eq!(
        english["reasons"][0]["rule"], "share-code-in-moment",
        "ids stay English"
    );
    assert_eq!(
        first_message(&english),
        "third-party share codes are not shown in moments"
    );
    let mut asked = body;
    asked["locale"] = json!("zh-CN");
    let field_wins = check_with(&server, asked, Some("en")).await;
    assert_eq!(first_message(&field_wins), "朋友圈不显示第三方分享口令");
    let (status, error) = server
        .call(
            "POST",
            "/v1/check",
            Some(&server.service),
            Some(json!({"text": "hi", "locale": "fr"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert!(error.to_string().contains("zh-CN or en"), "{error}");
}

#[tokio::test]
async fn a_warning_carries_the_notice_its_recipients_read() {
    let server = server_with("languages-notice", |c| c.locale = Locale::ZhCn);
    let text = "恭喜您获得中奖通知，领取奖金请先缴纳手续费，加QQ 33445566";
    let verdict = check_with(&server, json!({"scene": "direct", "text": text}), None).await;
    assert_eq!(verdict["action"], "warn", "{verdict}");
    let notice = verdict["notice"].as_str().expect("a notice");
    assert!(notice.starts_with("请注意"), "{notice}");
    let english = check_with(
        &server,
        json!({"scene": "direct", "text": text}),
        Some("en"),
    )
    .await;
    assert!(
        english["notice"]
            .as_str()
            .unwrap()
            .starts_with("Be careful"),
        "{english}"
    );
}

#[tokio::test]
async fn the_console_speaks_the_browsers_language() {
    let server = server_with("languages-console", |c| c.locale = Locale::ZhCn);
    let (status, page) = get(&server, "/console/login", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<html lang=\"zh-CN\">") && page.contains("登录"),
        "{page}"
    );
    let (_, page) = get(&server, "/console/login", &[("accept-language", "en-GB")]).await;
    assert!(
        page.contains("<html lang=\"en\">") && page.contains("Sign in"),
        "{page}"
    );
}

/// Every text id the templates name, with how it is called.
fn template_ids() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for call in ["t.s(\"", "t.a1(\"", "t.a2(\""] {
            for piece in source.split(call).skip(1) {
                ids.push(piece[..piece.find('"').unwrap()].to_owned());
            }
        }
    }
    ids
}

#[test]
fn every_text_the_templates_name_exists_in_both_languages() {
    let ids = template_ids();
    assert!(ids.len() > 100, "{} ids found", ids.len());
    for id in &ids {
        for locale in Locale::ALL {
            assert!(menshen_i18n::has(locale, id), "{locale} lacks `{id}`");
        }
    }
}

#[tokio::test]
async fn the_front_door_leads_people_to_the_console_and_clients_to_the_api() {
    let server = server("front-door");
    let (status, page) = get(&server, "/", &[("accept", "text/html")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("href=\"/console\"") && page.contains("href=\"/v1/openapi.json\""),
        "{page}"
    );
    let (status, links) = get(&server, "/", &[("accept", "application/json")]).await;
    assert_eq!(status, StatusCode::OK);
    let links: Value = serde_json::from_str(&links).unwrap();
    assert_eq!(links["console"], "/console");
    assert_eq!(links["openapi"], "/v1/openapi.json");
}

#[tokio::test]
async fn the_first_start_makes_one_admin_token_and_never_another() {
    let dir = std::env::temp_dir().join(format!("menshen-first-start-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = menshen_server::ServerConfig {
        data_dir: dir.clone(),
        ..Default::default()
    };
    let app = menshen_server::App::open(config.clone()).unwrap();
    let secret = app
        .bootstrap_admin()
        .await
        .unwrap()
        .expect("a token on an empty store");
    let known = app.authenticate(secret.clone()).await.unwrap();
    assert_eq!(
        known.map(|(role, _)| role),
        Some(menshen_state::token::Role::Admin)
    );
    assert_eq!(
        app.bootstrap_admin().await.unwrap(),
        None,
        "only on the first start"
    );
    drop(app);
    let again = menshen_server::App::open(config).unwrap();
    assert_eq!(again.bootstrap_admin().await.unwrap(), None);
    let _ = std::fs::remove_dir_all(&dir);
}
