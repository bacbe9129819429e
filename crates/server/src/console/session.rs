//! Console sign-in: a reviewer or admin pastes their API token once; the console keeps a
//! random session id in an `HttpOnly`, `SameSite=Strict` cookie, and every form carries the
//! session's CSRF token, checked on each POST. Sessions live in memory (a restart signs
//! everyone out) and expire after eight hours.

use crate::error::ErrorCode;
use std::{num::NonZeroUsize, sync::Mutex};

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use lru::LruCache;
use menshen_state::token::{Role, generate_secret, secret_hash};

use crate::{app::App, auth::Caller};

/// The cookie's name.
pub const COOKIE: &str = "menshen_console";
/// How long a session lasts, in seconds.
pub const LIFETIME: i64 = 8 * 3600;

/// A signed-in person.
#[derive(Clone, Debug)]
pub struct Session {
    pub role: Role,
    pub name: String,
    /// The SHA-256 of the token signed in with: the session lasts only while it is live.
    pub token: String,
    /// Every form carries it; a POST without it is refused.
    pub csrf: String,
    pub expires: i64,
}

/// Live sessions by the SHA-256 of their id (a memory dump shows no usable cookie), bounded.
pub struct Sessions {
    live: Mutex<LruCache<String, Session>>,
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions {
            live: Mutex::new(LruCache::new(
                NonZeroUsize::new(10_000).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }
}

impl Sessions {
    /// Start a session; returns its id (for the cookie).
    pub fn start(
        &self,
        role: Role,
        name: String,
        token: String,
        now: i64,
    ) -> Result<(String, Session), String> {
        let id = generate_secret().map_err(|e| format!("no randomness for a session: {e}"))?;
        let csrf = generate_secret().map_err(|e| format!("no randomness for a session: {e}"))?;
        let session = Session {
            role,
            name,
            token,
            csrf,
            expires: now + LIFETIME,
        };
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .put(secret_hash(&id), session.clone());
        Ok((id, session))
    }

    /// The live session behind a cookie value.
    pub fn find(&self, id: &str, now: i64) -> Option<Session> {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        let key = secret_hash(id);
        match live.get(&key) {
            Some(session) if session.expires > now => Some(session.clone()),
            Some(_) => {
                live.pop(&key);
                None
            }
            None => None,
        }
    }

    pub fn end(&self, id: &str) {
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop(&secret_hash(id));
    }
}

/// The signed-in viewer of a console page, with their session's id.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub session: Session,
    pub id: String,
    /// The language the console speaks to this viewer (`Accept-Language`, else the
    /// deployment's).
    pub locale: menshen_i18n::Locale,
}

impl Viewer {
    /// The viewer as the API's operations know callers.
    pub fn caller(&self) -> Caller {
        Caller {
            role: self.session.role,
            name: self.session.name.clone(),
        }
    }

    /// Refuse a form that does not carry this session's CSRF token. Hashes are compared, so
    /// the time taken says nothing about the token.
    pub fn check_csrf(&self, token: &str) -> Result<(), crate::error::ApiError> {
        if secret_hash(token) == secret_hash(&self.session.csrf) {
            return Ok(());
        }
        Err(crate::error::ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "this form is stale or came from another site; reload the page and try again",
        ))
    }

    pub fn is_admin(&self) -> bool {
        self.session.role == Role::Admin
    }
}

/// The session id in a request's cookies.
pub fn session_id(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE)
        .map(|c| c.value().to_owned())
}

/// Whether the session cookie is `Secure`: configured (`secure_cookies`, for a console
/// served over TLS), or the request came through a proxy that says it arrived over HTTPS
/// (`X-Forwarded-Proto: https`; believing it can only make the cookie stricter).
pub fn secure_cookie(app: &App, headers: &axum::http::HeaderMap) -> bool {
    app.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` value for a session (or, with `None`, the one that ends it).
pub fn set_cookie(id: Option<&str>, secure: bool) -> String {
    let mut cookie = cookie::Cookie::build((COOKIE, id.unwrap_or("").to_owned()))
        .path("/console")
        .http_only(true)
        .secure(secure)
        .same_site(cookie::SameSite::Strict);
    cookie = match id {
        Some(_) => cookie.max_age(cookie::time::Duration::seconds(LIFETIME)),
        None => cookie.max_age(cookie::time::Duration::ZERO),
    };
    cookie.build().to_string()
}

impl FromRequestParts<std::sync::Arc<App>> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &std::sync::Arc<App>,
    ) -> Result<Self, Response> {
        let now = app.now();
        let to_login = || Redirect::to("/console/login").into_response();
        let id = session_id(parts).ok_or_else(to_login)?;
        let session = app.sessions.find(&id, now).ok_or_else(to_login)?;
        // A revoked token ends its sessions too.
        match app.authenticate_hash(session.token.clone()).await {
            Ok(Some(_)) => Ok(Viewer {
                session,
                id,
                locale: crate::locale::from_headers(&parts.headers, app.config.locale),
            }),
            Ok(None) => {
                app.sessions.end(&id);
                Err(to_login())
            }
            Err(error) => Err(error.into_response()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_and_end() {
        let sessions = Sessions::default();
        let (id, session) = sessions
            .start(Role::Reviewer, "rita".into(), "hash".into(), 100)
            .unwrap();
        assert_eq!(sessions.find(&id, 101).unwrap().name, "rita");
        assert!(sessions.find("menshen_guess", 101).is_none());
        assert!(sessions.find(&id, session.expires).is_none(), "expired");
        let (id, _) = sessions
            .start(Role::Admin, "root".into(), "hash".into(), 100)
            .unwrap();
        sessions.end(&id);
        assert!(sessions.find(&id, 101).is_none());
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_scoped_to_the_console() {
        let cookie = set_cookie(Some("abc"), false);
        assert!(!cookie.contains("Secure"), "{cookie}");
        assert!(set_cookie(Some("abc"), true).contains("Secure"));
        for part in [
            "menshen_console=abc",
            "HttpOnly",
            "SameSite=Strict",
            "Path=/console",
        ] {
            assert!(cookie.contains(part), "{cookie}");
        }
        assert!(set_cookie(None, false).contains("Max-Age=0"));
    }
}
