//! DNS query volume as the API and the console read it (the DNS listener counts it,
//! `crate::dns::volume`).

use app::model::{
    GroupVolume, Permission, QueryVolume, VOLUME_DEFAULT_HOURS, VOLUME_HOURS, VolumeWindow,
};

use super::{Caller, Result, Service, ServiceError};
use crate::store::volume;

impl Service {
    /// A domain's queries over the last `hours` (default 24): per slot and per user group.
    pub async fn query_volume(
        &self,
        caller: &Caller,
        domain: &str,
        hours: Option<u32>,
    ) -> Result<QueryVolume> {
        caller.require(Permission::Read)?;
        let hours = hours.unwrap_or(VOLUME_DEFAULT_HOURS);
        if !VOLUME_HOURS.contains(&hours) {
            return Err(ServiceError::Invalid(format!(
                "hours: {hours} is outside {}..={} (7 days are kept)",
                VOLUME_HOURS.start(),
                VOLUME_HOURS.end()
            )));
        }
        let mut conn = self.store().conn().await?;
        let d = self.domain(&mut conn, caller, domain).await?;
        let window = VolumeWindow::ending_at(crate::clock::now_ms(), hours);
        let mut series = vec![0u64; window.slots];
        for (slot, n) in volume::per_slot(&mut conn, d.id, window.from, window.step_ms).await? {
            if let Some(cell) = usize::try_from(slot).ok().and_then(|s| series.get_mut(s)) {
                *cell += u64::try_from(n).unwrap_or(0);
            }
        }
        let groups_from = volume::hour_of(window.from);
        let groups: Vec<GroupVolume> = volume::per_group(&mut conn, d.id, groups_from)
            .await?
            .into_iter()
            .map(|(group, n)| GroupVolume {
                area: group.area.code().to_owned(),
                isp: group.isp.code().to_owned(),
                count: u64::try_from(n).unwrap_or(0),
            })
            .collect();
        Ok(QueryVolume {
            domain: d.name,
            hours,
            from: window.from,
            step_seconds: (window.step_ms / 1000) as u32,
            total: series.iter().sum(),
            series,
            groups_from,
            groups,
        })
    }
}
