//! Errors as the API shows them: a status, a stable code, the field at fault and what to fix.

use axum::{
    Json,
    extract::rejection::{PathRejection, QueryRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use menshen_state::store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// Every error code the API answers with: stable and machine-readable, the one table clients
/// match on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not JSON.
    InvalidJson,
    /// A field has a bad value or is missing (`field` names it).
    InvalidField,
    /// The body is not `application/json`.
    InvalidContentType,
    /// A path parameter does not parse.
    InvalidPath,
    /// The query string does not parse.
    InvalidQuery,
    /// An operator's file could not be loaded (profiles, lexicons, registry, ladders, model).
    InvalidConfig,
    /// No token, or a token the store does not know.
    Unauthorized,
    /// The token's role, or the caller, may not do this.
    Forbidden,
    NotFound,
    /// The route exists, but not for this method (`Allow` lists the ones it takes).
    MethodNotAllowed,
    /// Too many attempts from this address; wait `Retry-After` seconds.
    TooManyRequests,
    /// The request conflicts with the state of things (already lifted, already appealed, …).
    Conflict,
    /// The body is larger than the server accepts.
    TooLarge,
    /// The body did not arrive within `body_timeout_seconds`.
    Timeout,
    /// The request line's target is longer than the server reads (8 KiB).
    UriTooLong,
    /// The request's headers are larger than the server reads (32 KiB in all).
    HeadersTooLarge,
    /// The server failed.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidField => "invalid_field",
            ErrorCode::InvalidContentType => "invalid_content_type",
            ErrorCode::InvalidPath => "invalid_path",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::InvalidConfig => "invalid_config",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::TooManyRequests => "too_many_requests",
            ErrorCode::Conflict => "conflict",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::Timeout => "timeout",
            ErrorCode::UriTooLong => "uri_too_long",
            ErrorCode::HeadersTooLarge => "headers_too_large",
            ErrorCode::Internal => "internal",
        }
    }
}

/// The JSON body of every 4xx and 5xx answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable (see [`ErrorCode`]).
    pub code: ErrorCode,
    /// The field at fault, as a JSON path (`events[3].ts`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    /// Seconds until a refused caller may try again (`Retry-After`).
    pub retry_after: Option<i64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                code,
                field: None,
                message: message.into(),
            },
            retry_after: None,
        }
    }

    /// Too many failures from this address: try again in `seconds`.
    pub fn too_many(seconds: i64) -> Self {
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManyRequests,
            format!(
                "too many failed tokens or sign-ins from this address; try again in {seconds} seconds"
            ),
        );
        error.retry_after = Some(seconds.max(1));
        error
    }

    /// A field with a bad value.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidField,
            message,
        );
        error.body.field = Some(field.into());
        error
    }

    /// Refuse a blank, over-long or unprintable id (`menshen_state::sanction::check_id`).
    pub fn check_id(field: &str, id: &str) -> Result<(), ApiError> {
        menshen_state::sanction::check_id(id)
            .map(|_| ())
            .map_err(|e| ApiError::field(field, e))
    }

    /// Refuse a free text longer than `menshen_state::sanction::MAX_TEXT_CHARS`.
    pub fn check_text(field: &str, text: &str) -> Result<(), ApiError> {
        let max = menshen_state::sanction::MAX_TEXT_CHARS;
        let length = text.chars().count();
        if length > max {
            return Err(ApiError::field(
                field,
                format!("{length} characters is longer than the {max} kept; say it in a paragraph"),
            ));
        }
        Ok(())
    }

    /// Check an optional id, if present.
    pub fn check_optional_id(field: &str, id: Option<&str>) -> Result<(), ApiError> {
        id.map_or(Ok(()), |id| ApiError::check_id(field, id))
    }

    /// The same error, naming the field it is about.
    pub fn at_field(mut self, field: impl Into<String>) -> Self {
        self.body.field = Some(field.into());
        self
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            format!("the server failed: {error}"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => ApiError::not_found(format!("no {what}")),
            StoreError::Refused(why) => {
                ApiError::new(StatusCode::CONFLICT, ErrorCode::Conflict, why)
            }
            StoreError::Refusal(refusal) if refusal.is_forbidden() => ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                refusal.to_string(),
            ),
            StoreError::Refusal(refusal) => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                refusal.to_string(),
            ),
            other => ApiError::internal(other),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidPath,
            rejection.body_text(),
        )
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidQuery,
            rejection.body_text(),
        )
    }
}

/// Path parameters whose rejections become [`ApiError`]s.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct PathParams<T>(pub T);

/// Query strings whose rejections become [`ApiError`]s.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct QueryParams<T>(pub T);

/// A JSON object body, read into `T`. Refused: another content type (415), a body over the
/// limit (413), anything but an object at the top (an array's items would otherwise be read
/// as fields by position), malformed JSON (400), and a value that does not fit `T` (422,
/// with the JSON path of the field at fault: `messages[3].scene`).
pub struct Body<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for Body<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let json = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime.eq_ignore_ascii_case("application/json")
                    || (mime.len() > 5 && mime[mime.len() - 5..].eq_ignore_ascii_case("+json"))
            });
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::InvalidContentType,
                "the body must be JSON; send `Content-Type: application/json`",
            ));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                // A body cut off by the read timeout (`body_timeout_seconds`).
                let timed_out = std::iter::successors(
                    Some(&rejection as &(dyn std::error::Error + 'static)),
                    |e| e.source(),
                )
                .any(|e| e.is::<tower_http::timeout::TimeoutError>());
                if timed_out {
                    ApiError::new(
                        StatusCode::REQUEST_TIMEOUT,
                        ErrorCode::Timeout,
                        "the body did not arrive in time (`body_timeout_seconds`); send it whole, without pauses",
                    )
                } else if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        ErrorCode::TooLarge,
                        "the body is larger than the server accepts (`max_body_bytes`); send a smaller body, or split a batch",
                    )
                } else {
                    ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidJson, rejection.body_text())
                }
            })?;
        parse_object(&bytes).map(Body)
    }
}

/// Read a JSON object into `T`, with the path of the field at fault in any error.
pub fn parse_object<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    const FIX: &str = "send a JSON object as the OpenAPI document at /v1/openapi.json describes";
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidJson,
            format!("the body must be a JSON object (`{{…}}`); {FIX}"),
        ));
    }
    let not_json = |e: &dyn std::fmt::Display| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidJson,
            format!("the body is not valid JSON ({e}); {FIX}"),
        )
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let error = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => {
            deserializer.end().map_err(|e| not_json(&e))?;
            return Ok(value);
        }
        Err(error) => error,
    };
    // JSON has one number type: `2315.0` is the integer 2315 (JSON Schema's `integer` says
    // the same), so an integer field given a whole float is read again with it as an integer.
    // Only a failed read pays for this.
    let mut value = serde_json::from_slice::<serde_json::Value>(bytes).ok();
    let error = match value.as_mut().map(whole_floats_to_integers) {
        Some(true) => match serde_path_to_error::deserialize(value.take().unwrap_or_default()) {
            Ok(value) => return Ok(value),
            Err(again) => again,
        },
        _ => error,
    };
    let path = error.path().to_string();
    let inner = error.into_inner();
    // serde_json reports some type mismatches as syntax (an enum given a number is "expected
    // value"): the body is malformed only if it does not parse as JSON at all.
    let well_formed = || serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok();
    if !inner.is_data() && !well_formed() {
        return Err(not_json(&inner));
    }
    // serde names a missing or unknown field in backticks, at its parent's path.
    let message = inner.to_string();
    let named = message
        .split_once("field `")
        .and_then(|(_, rest)| rest.split('`').next());
    let parent = (path != ".").then_some(path.as_str());
    let field = match (parent, named) {
        (Some(parent), Some(name)) => format!("{parent}.{name}"),
        (None, Some(name)) => name.to_owned(),
        (Some(parent), None) => parent.to_owned(),
        (None, None) => String::new(),
    };
    let mut api = ApiError::field(field.clone(), format!("{message}; {FIX}"));
    if field.is_empty() {
        api.body.field = None;
    }
    Err(api)
}

/// Read `value` into `T`, reading whole floats as integers when the first read fails (as
/// [`parse_object`] does for bodies).
pub fn read_value<T: serde::de::DeserializeOwned>(
    value: &mut serde_json::Value,
) -> Result<T, serde_json::Error> {
    match T::deserialize(&*value) {
        Err(_) if whole_floats_to_integers(value) => T::deserialize(&*value),
        read => read,
    }
}

/// Turn every float with no fractional part (within ±2⁶³) into an integer; true if any was.
fn whole_floats_to_integers(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Number(number) if number.is_f64() => {
            const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
            let Some(float) = number.as_f64() else {
                return false;
            };
            if float.fract() != 0.0 || !(-LIMIT..LIMIT).contains(&float) {
                return false;
            }
            // The range check above makes both conversions exact.
            *number = if float >= 0.0 {
                serde_json::Number::from(float as u64)
            } else {
                serde_json::Number::from(float as i64)
            };
            true
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |any, item| whole_floats_to_integers(item) | any),
        Value::Object(fields) => fields
            .values_mut()
            .fold(false, |any, item| whole_floats_to_integers(item) | any),
        _ => false,
    }
}
