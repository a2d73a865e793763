//! The service's error: what went wrong in terms a caller can act on.

use app::model::FieldError;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Bad input; the message names the field and value.
    #[error("{0}")]
    Invalid(String),
    /// Missing or bad credentials, signature or session.
    #[error("{0}")]
    Unauthenticated(String),
    /// Authenticated, but no policy allows the action.
    #[error("{0}")]
    Forbidden(String),
    /// Does not exist, or belongs to another account (which the caller must not learn).
    #[error("{0}")]
    NotFound(String),
    /// The request contradicts the current state (a name taken, an endpoint in use).
    #[error("{0}")]
    Conflict(String),
    /// Too many failed logins; try again later.
    #[error("{0}")]
    Throttled(String),
    #[error("internal error: {0}")]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn fields(errors: &[FieldError]) -> ServiceError {
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        ServiceError::Invalid(text.join("; "))
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        ServiceError::Store(StoreError::Database(e))
    }
}
