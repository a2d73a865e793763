//! Monitoring's server functions: a domain's monitor settings, the monitor points and task
//! count, probe results and health events.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::model::{
    HealthEventRecord, MonitorPointInfo, MonitorSettings, MonitorTaskCount, ProbeRecord,
};

#[server]
pub async fn load_monitor_settings(domain: String) -> Result<MonitorSettings, ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .monitor_settings(&cookie_header().await, &domain)
        .await
        .map_err(ServerFnError::new)
}

#[server(input = Json)]
pub async fn set_monitor_settings(
    domain: String,
    settings: MonitorSettings,
) -> Result<(), ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .set_monitor_settings(&cookie_header().await, &domain, settings)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn monitor_points() -> Result<Vec<MonitorPointInfo>, ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .monitor_points(&cookie_header().await)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn monitor_tasks() -> Result<MonitorTaskCount, ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .monitor_tasks(&cookie_header().await)
        .await
        .map_err(ServerFnError::new)
}

/// Probe results of the last `minutes`, newest first.
#[server]
pub async fn probes(domain: String, minutes: i64) -> Result<Vec<ProbeRecord>, ServerFnError> {
    use super::session::{backend, cookie_header};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    let since = now - minutes.clamp(1, 24 * 60) * 60_000;
    backend()?
        .probes(&cookie_header().await, &domain, since)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn health_events(domain: String) -> Result<Vec<HealthEventRecord>, ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .health_events(&cookie_header().await, &domain)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn create_point(
    name: String,
    area: String,
    isp: String,
) -> Result<crate::model::CreatedMonitorPoint, ServerFnError> {
    use super::session::{backend, cookie_header};
    let point = crate::model::NewMonitorPoint {
        name: name.trim().to_owned(),
        area,
        isp,
    };
    backend()?
        .create_point(&cookie_header().await, point)
        .await
        .map_err(ServerFnError::new)
}

#[server]
pub async fn delete_point(name: String) -> Result<(), ServerFnError> {
    use super::session::{backend, cookie_header};
    backend()?
        .delete_point(&cookie_header().await, &name)
        .await
        .map_err(ServerFnError::new)
}
