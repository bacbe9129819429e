//! Errors as the API shows them: a status, a stable code, the field at fault and what to fix.

use axum::{
    Json,
    extract::rejection::{JsonRejection, PathRejection, QueryRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use menshen_state::store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The JSON body of every 4xx and 5xx answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable: `invalid_json`, `invalid_field`, `invalid_content_type`,
    /// `invalid_path`, `invalid_query`, `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `too_large`, `internal`.
    pub code: &'static str,
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
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                code,
                field: None,
                message: message.into(),
            },
        }
    }

    /// A field with a bad value.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut error = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", message);
        error.body.field = Some(field.into());
        error
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("the server failed: {error}"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => ApiError::not_found(format!("no {what}")),
            StoreError::Refused(why) => ApiError::new(StatusCode::CONFLICT, "conflict", why),
            StoreError::Refusal(refusal) if refusal.is_forbidden() => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", refusal.to_string())
            }
            StoreError::Refusal(refusal) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", refusal.to_string())
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let (status, code) = match &rejection {
            JsonRejection::JsonDataError(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
            JsonRejection::MissingJsonContentType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "invalid_content_type")
            }
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
            }
            _ => (StatusCode::BAD_REQUEST, "invalid_json"),
        };
        let text = rejection.body_text();
        // serde names the field in backticks (`missing field `text``, `unknown field `x``):
        // lift it out so that clients can point at it.
        let field = text
            .split_once("field `")
            .and_then(|(_, rest)| rest.split('`').next())
            .map(str::to_owned);
        let fix = match code {
            "invalid_content_type" => "send `Content-Type: application/json`",
            "too_large" => "send a smaller body, or split a batch",
            _ => "send a JSON body as the OpenAPI document at /v1/openapi.json describes",
        };
        ApiError {
            status,
            body: ErrorBody {
                code,
                field,
                message: format!("{text}; {fix}"),
            },
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_path",
            rejection.body_text(),
        )
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
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

/// JSON bodies whose rejections become [`ApiError`]s.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Body<T>(pub T);
