//! The product's records as the API and the console speak them (the seed's JSON, camelCase),
//! with the validation both doors share. Pure data: no I/O, so the browser can validate a form
//! with the same rules the server enforces.

mod console;
mod domain;
mod endpoint;
mod iam;
mod import;
mod monitor;
mod node;
mod notify;
mod session;
mod version;
mod volume;

pub use console::{
    DOMAINS_PER_PAGE, DomainPage, DomainRow, DomainSchedule, IpPlace, StrategyDraft, Usage,
};
pub use domain::{
    CHALLENGE_LABEL, CreatedDomain, DomainDetails, DomainStatus, DomainSummary, MonitorStatus,
    NameClaim, NewDomain, Quarantined, TTL_RANGE, Verification, normalize_domain_name,
};
pub use endpoint::{
    EndpointInput, EndpointRecord, EndpointStatus, TagProblem, implied_kind, tag_problem,
    validate_tag,
};
pub use iam::{AuditEntry, CreatedKey, CreatedUser, KeyInfo, Permission, Policy, UserInfo};
pub use import::{ImportLine, ImportProblem, mark_stored, parse_import};
pub use monitor::{
    AgentResult, AgentTask, CreatedMonitorPoint, DomainTaskCount, Evidence, EvidencePoint,
    EvidenceVerdict, ExpectedCodes, HealthEventRecord, MonitorPointInfo, MonitorSettings,
    MonitorTaskCount, NewMonitorPoint, PointIssue, ProbeRecord, Protocol,
};
pub use node::NodeStatus;
pub use notify::{ContactGroupRecord, ContactRecord, DeliveryRecord, DomainNotify, GroupMembers};
pub use session::Me;
pub use version::{Base, Enabling, MAX_VERSION_NOTE_CHARS, VersionInfo, VersionSource};
pub use volume::{GroupVolume, QueryVolume, VOLUME_DEFAULT_HOURS, VOLUME_HOURS, VolumeWindow};

/// A bad value in a request, named by its field path (`[2].area`, `timeoutSec`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}
