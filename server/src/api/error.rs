//! Every failure as the seed's error body, `{"requestId", "code", "message"}`, with the status
//! of `docs/api.md`, in one place. The request id is the one the middleware put in the
//! `x-bce-request-id` header and in the request's log span. The console's typed error is
//! derived from the same mapping, so both doors answer a failure with the same status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use app::ui::error::ConsoleError;

use crate::service::ServiceError;

tokio::task_local! {
    /// The id of the request being handled (set by [`super::request_id`]).
    pub static REQUEST_ID: String;
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody<'a> {
    request_id: String,
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
    }

    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "AccessDenied", message)
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        let (status, code) = match &e {
            ServiceError::Invalid(_) => (StatusCode::BAD_REQUEST, "InvalidArgument"),
            ServiceError::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "AccessDenied"),
            ServiceError::Forbidden(_) => (StatusCode::FORBIDDEN, "Forbidden"),
            ServiceError::NotFound(_) => (StatusCode::NOT_FOUND, "NotFound"),
            ServiceError::Conflict(_) => (StatusCode::CONFLICT, "Conflict"),
            ServiceError::Throttled(_) => (StatusCode::TOO_MANY_REQUESTS, "TooManyRequests"),
            ServiceError::Store(e) if e.is_unavailable() => {
                tracing::warn!("{e}");
                return ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailable",
                    "the database is unavailable: nothing was changed; DNS keeps answering from its last snapshot; try again shortly",
                );
            }
            ServiceError::Store(_) | ServiceError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "InternalError")
            }
        };
        if status.is_server_error() {
            tracing::error!("{e}");
        }
        ApiError::new(status, code, e.to_string())
    }
}

impl From<ApiError> for ConsoleError {
    fn from(e: ApiError) -> ConsoleError {
        match e.status {
            StatusCode::UNAUTHORIZED => ConsoleError::LoginRequired,
            StatusCode::FORBIDDEN => ConsoleError::Forbidden(e.message),
            StatusCode::NOT_FOUND => ConsoleError::NotFound(e.message),
            StatusCode::CONFLICT => ConsoleError::Conflict(e.message),
            StatusCode::TOO_MANY_REQUESTS => ConsoleError::Throttled(e.message),
            StatusCode::SERVICE_UNAVAILABLE => ConsoleError::Unavailable,
            status if status.is_client_error() => ConsoleError::Invalid(e.message),
            _ => ConsoleError::Internal(e.message),
        }
    }
}

impl From<ServiceError> for ConsoleError {
    fn from(e: ServiceError) -> ConsoleError {
        ApiError::from(e).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = REQUEST_ID.try_with(Clone::clone).unwrap_or_default();
        if !self.status.is_server_error() {
            tracing::info!(
                status = self.status.as_u16(),
                code = self.code,
                "{}",
                self.message
            );
        }
        let body = ErrorBody {
            request_id,
            code: self.code,
            message: &self.message,
        };
        (self.status, Json(body)).into_response()
    }
}
