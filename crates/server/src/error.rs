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
    /// The request conflicts with the state of things (already lifted, already appealed, …).
    Conflict,
    /// The body is larger than the server accepts.
    TooLarge,
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
            ErrorCode::Conflict => "conflict",
            ErrorCode::TooLarge => "too_large",
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
        }
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
        (self.status, Json(self.body)).into_response()
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

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let (status, code) = match &rejection {
            JsonRejection::JsonDataError(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidField)
            }
            JsonRejection::MissingJsonContentType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::InvalidContentType,
            ),
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge)
            }
            _ => (StatusCode::BAD_REQUEST, ErrorCode::InvalidJson),
        };
        let text = rejection.body_text();
        // serde names the field in backticks (`missing field `text``, `unknown field `x``):
        // lift it out so that clients can point at it.
        let field = text
            .split_once("field `")
            .and_then(|(_, rest)| rest.split('`').next())
            .map(str::to_owned);
        let fix = match code {
            ErrorCode::InvalidContentType => "send `Content-Type: application/json`",
            ErrorCode::TooLarge => "send a smaller body, or split a batch",
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

/// JSON bodies whose rejections become [`ApiError`]s.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Body<T>(pub T);
