//! The REST API under `/v1`: the seed's routes with their JSON, plus the rest of the console's
//! features in the same style (docs/api.md). Handlers are thin: extract, call the service, map
//! its typed error here. Every response carries `x-bce-request-id`; successful writes answer
//! `null` as in the seed, except where something must be shown once (passwords, secrets).

mod bce;
mod domains;
mod error;
pub(crate) mod extract;
mod iam;
mod monitoring;
mod nodes;
mod notify;
pub mod openapi;
pub mod points;
mod session;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use tracing::Instrument;

pub use error::ApiError;
pub use extract::{CSRF_HEADER, SESSION_COOKIE};

use crate::service::Service;

/// Request bodies above this are refused (413) before they are parsed.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Credentials are small: a login body above this is refused before it is read.
pub const MAX_LOGIN_BYTES: usize = 4 * 1024;

/// The API: exactly the routes of [`openapi::OPERATIONS`] (each documented where it is routed).
pub fn router(service: Service) -> Router {
    openapi::OPERATIONS
        .iter()
        .fold(Router::new(), |router, op| {
            router.route(op.path, (op.route)())
        })
        .route("/v1/{*rest}", axum::routing::any(no_such_route))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(extract::hash_signed_body))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(request_id))
        .with_state(service)
}

/// Gives each request an id: in the response header, in the error body and in its log span.
async fn request_id(request: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().to_string();
    let span = tracing::info_span!("api", request_id = %id, method = %request.method(), path = %request.uri().path());
    let mut response = error::REQUEST_ID
        .scope(id.clone(), next.run(request).instrument(span))
        .await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-bce-request-id", value);
    }
    response
}

async fn no_such_route(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "NoSuchRoute",
        format!("no API route {}", request.uri().path()),
    )
}

async fn method_not_allowed(request: Request) -> ApiError {
    let message = format!(
        "{} is not allowed on {}",
        request.method(),
        request.uri().path()
    );
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", message)
}

/// `null`, the seed's answer to a successful write.
fn null() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::Value::Null)
}
