//! The endpoints' server functions: list, add (one or an imported list, all or nothing), edit,
//! delete, and the area/ISP the server's IP database detects for addresses.

use leptos::prelude::*;

use crate::ui::error::ConsoleError;
use leptos::server_fn::codec::Json;

use crate::model::{EndpointInput, EndpointRecord, IpPlace};

#[server]
pub async fn list_endpoints(domain: String) -> Result<Vec<EndpointRecord>, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .endpoints(&request().await, &domain)
        .await
        .map_err(failed)
}

#[server(input = Json)]
pub async fn add_endpoints(endpoints: Vec<EndpointInput>) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .add_endpoints(&request().await, endpoints)
        .await
        .map_err(failed)
}

/// One endpoint from the add form; an empty area/ISP is detected from the IP.
#[server(endpoint = "add_endpoint")]
pub async fn add_endpoint(
    domain: String,
    endpoint: String,
    area: String,
    isp: String,
    tag: String,
) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    let input = form_input(domain, endpoint, area, isp, tag);
    backend()?
        .add_endpoints(&request().await, vec![input])
        .await
        .map_err(|e| failed(e.of_single()))
}

/// The edit form: area, ISP and tag of an existing endpoint (empty area/ISP: detect again).
#[server]
pub async fn edit_endpoint(
    domain: String,
    endpoint: String,
    area: String,
    isp: String,
    tag: String,
) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    let input = form_input(domain, endpoint, area, isp, tag);
    backend()?
        .update_endpoint(&request().await, input)
        .await
        .map_err(|e| failed(e.of_single()))
}

#[cfg(feature = "ssr")]
fn form_input(
    domain: String,
    endpoint: String,
    area: String,
    isp: String,
    tag: String,
) -> EndpointInput {
    let given = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    EndpointInput {
        domain,
        endpoint: endpoint.trim().to_owned(),
        kind: String::new(),
        area: given(area),
        isp: given(isp),
        tag: tag.trim().to_owned(),
    }
}

#[server]
pub async fn delete_endpoint(domain: String, endpoint: String) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .delete_endpoint(&request().await, &domain, &endpoint)
        .await
        .map_err(failed)
}

#[server(input = Json)]
pub async fn locate(addresses: Vec<String>) -> Result<Vec<IpPlace>, ConsoleError> {
    use super::{backend, failed, request};
    if addresses.len() > 10_000 {
        return Err(failed("addresses: at most 10,000 addresses at once"));
    }
    backend()?
        .locate(&request().await, addresses)
        .await
        .map_err(failed)
}
