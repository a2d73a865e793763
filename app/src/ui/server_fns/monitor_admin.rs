//! Monitoring's server functions: a domain's monitor settings, the monitor points and task
//! count, probe results and health events.

use leptos::prelude::*;

use crate::ui::error::ConsoleError;
use leptos::server_fn::codec::Json;

use crate::model::{
    HealthEventRecord, MonitorPointInfo, MonitorSettings, MonitorTaskCount, ProbeRecord,
};

#[server]
pub async fn load_monitor_settings(domain: String) -> Result<MonitorSettings, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .monitor_settings(&request().await, &domain)
        .await
        .map_err(failed)
}

#[server(input = Json)]
pub async fn set_monitor_settings(
    domain: String,
    settings: MonitorSettings,
) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .set_monitor_settings(&request().await, &domain, settings)
        .await
        .map_err(failed)
}

#[server]
pub async fn monitor_points() -> Result<Vec<MonitorPointInfo>, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .monitor_points(&request().await)
        .await
        .map_err(failed)
}

#[server]
pub async fn monitor_tasks() -> Result<MonitorTaskCount, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .monitor_tasks(&request().await)
        .await
        .map_err(failed)
}

/// Probe results of the last `minutes`, newest first.
#[server]
pub async fn probes(domain: String, minutes: i64) -> Result<Vec<ProbeRecord>, ConsoleError> {
    use super::{backend, failed, request};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    let since = now - minutes.clamp(1, 24 * 60) * 60_000;
    backend()?
        .probes(&request().await, &domain, since)
        .await
        .map_err(failed)
}

#[server]
pub async fn health_events(domain: String) -> Result<Vec<HealthEventRecord>, ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .health_events(&request().await, &domain)
        .await
        .map_err(failed)
}

#[server]
pub async fn create_point(
    name: String,
    area: String,
    isp: String,
) -> Result<crate::model::CreatedMonitorPoint, ConsoleError> {
    use super::{backend, failed, request};
    let point = crate::model::NewMonitorPoint {
        name: name.trim().to_owned(),
        area,
        isp,
    };
    backend()?
        .create_point(&request().await, point)
        .await
        .map_err(failed)
}

#[server]
pub async fn delete_point(name: String) -> Result<(), ConsoleError> {
    use super::{backend, failed, request};
    backend()?
        .delete_point(&request().await, &name)
        .await
        .map_err(failed)
}
