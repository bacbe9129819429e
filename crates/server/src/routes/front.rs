//! The front door at `/`: a person is led to the console, an API client to the OpenAPI
//! document. Browsers get a short page of links; a client that asks for JSON gets the same
//! links as JSON. Either way a `Link` header names the API description (RFC 8631).

use axum::{
    Json,
    http::{HeaderMap, HeaderValue, header},
    response::{Html, IntoResponse, Response},
};
use serde::Serialize;

/// Where things are, for a client that asked `/` for JSON.
#[derive(Serialize)]
struct Links {
    console: &'static str,
    openapi: &'static str,
    health: &'static str,
    metrics: &'static str,
}

const LINKS: Links = Links {
    console: "/console",
    openapi: "/v1/openapi.json",
    health: "/healthz",
    metrics: "/metrics",
};

/// `GET /`.
pub async fn front(headers: HeaderMap) -> Response {
    let mut response = if wants_json(&headers) {
        Json(LINKS).into_response()
    } else {
        Html(PAGE).into_response()
    };
    response.headers_mut().insert(
        header::LINK,
        HeaderValue::from_static("</v1/openapi.json>; rel=\"service-desc\""),
    );
    response
}

/// True when the client prefers JSON to HTML (`curl -H 'accept: application/json'`); a
/// browser's `text/html` always wins, and no Accept header means a person with curl, who
/// reads the page.
fn wants_json(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mentions = |kind: &str| accept.split(',').any(|part| part.trim().starts_with(kind));
    mentions("application/json") && !mentions("text/html")
}

const PAGE: &str = r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>menshen 门神</title>
<link rel="stylesheet" href="/console/static/console.css">
</head>
<body>
<main id="main">
<h1>menshen 门神</h1>
<p>A policy gate for chat and social platforms · 聊天与社交平台的内容策略网关</p>
<ul>
  <li><a href="/console">Review console · 审核控制台</a>: sign in with a reviewer or admin token (<code>menshen token create --role reviewer</code>).</li>
  <li><a href="/v1/openapi.json">API description · 接口文档</a> (OpenAPI 3): <code>POST /v1/check</code>, <code>/v1/events</code>, <code>/v1/reports</code>, <code>/v1/appeals</code>…</li>
  <li><a href="/healthz">Health · 健康检查</a> and <a href="/metrics">metrics · 指标</a> (Prometheus).</li>
</ul>
</main>
</body>
</html>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn browsers_get_the_page_and_json_clients_the_links() {
        assert!(!wants_json(&HeaderMap::new()));
        assert!(!wants_json(&accept(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        )));
        assert!(!wants_json(&accept("*/*")));
        assert!(wants_json(&accept("application/json")));
        assert!(wants_json(&accept("application/json, */*;q=0.5")));
    }
}
