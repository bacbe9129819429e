//! Which language a request is answered in: the request's own `locale` field where its body
//! has one, else its `Accept-Language` header, else the deployment's `locale` (zh-CN unless
//! configured). Machine-facing words (rule ids, error codes) never change with it.

use std::sync::Arc;

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
};
use menshen_i18n::Locale;

use crate::app::App;

/// The locale `Accept-Language` asks for, if menshen speaks it; else `default`.
pub fn from_headers(headers: &HeaderMap, default: Locale) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::negotiate)
        .unwrap_or(default)
}

/// The locale of a request's headers (a body's `locale` field overrides it where the route
/// reads one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestLocale(pub Locale);

impl RequestLocale {
    /// The body's choice if it made one, else this.
    pub fn or_body(self, body: Option<Locale>) -> Locale {
        body.unwrap_or(self.0)
    }
}

impl FromRequestParts<Arc<App>> for RequestLocale {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        Ok(RequestLocale(from_headers(
            &parts.headers,
            app.config.locale,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn accept_language_wins_over_the_default_and_unknown_ones_do_not() {
        let mut headers = HeaderMap::new();
        assert_eq!(from_headers(&headers, Locale::ZhCn), Locale::ZhCn);
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("en-US,en;q=0.9"),
        );
        assert_eq!(from_headers(&headers, Locale::ZhCn), Locale::En);
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("fr-FR"));
        assert_eq!(from_headers(&headers, Locale::En), Locale::En);
    }
}
