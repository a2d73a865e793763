//! The account's overview as server functions: its usage in billing units (the usage page) and
//! the nodes serving from the store (the nodes page, `GET /v1/nodes`'s view).

use leptos::prelude::*;

use crate::ui::error::ConsoleError;

use crate::model::Usage;

#[server]
pub async fn account_usage() -> Result<Usage, ConsoleError> {
    use super::{backend, failed, request};
    backend()?.usage(&request().await).await.map_err(failed)
}

/// The nodes serving from the store.
#[server]
pub async fn list_nodes() -> Result<Vec<crate::model::NodeStatus>, ConsoleError> {
    use super::{backend, failed, request};
    backend()?.nodes(&request().await).await.map_err(failed)
}
