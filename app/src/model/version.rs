//! Strategy versions: every enable stores one, recording how it was made (the editor, the
//! recommendation, a restore, the API, a regeneration after endpoints were deleted), by whom,
//! and the note its author gave, so the versions list tells a reviewer what happened.

use serde::{Deserialize, Serialize};

/// The longest note a version may carry, in characters.
pub const MAX_VERSION_NOTE_CHARS: usize = 500;

/// A strategy version (`GET /v1/domains/{domain}/strategy/versions`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionInfo {
    pub version: i64,
    pub created_at: i64,
    pub created_by: String,
    pub source: VersionSource,
    /// What its author said about it (may be empty).
    pub note: String,
    pub enabled: bool,
}

/// How a version was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionSource {
    /// Enabled from the console's strategy editor.
    Editor,
    /// The recommended strategy, generated from the endpoints.
    Recommend,
    /// An older version enabled again.
    Restore,
    /// Enabled through the REST API (`POST /v1/strategys/update-or-create`).
    Api,
    /// Generated again because endpoints it used were deleted.
    Regenerate,
    /// Stored before versions recorded their source.
    Unrecorded,
}

impl VersionSource {
    pub const ALL: [VersionSource; 6] = [
        VersionSource::Editor,
        VersionSource::Recommend,
        VersionSource::Restore,
        VersionSource::Api,
        VersionSource::Regenerate,
        VersionSource::Unrecorded,
    ];

    /// The stored code (also the JSON value).
    pub fn code(self) -> &'static str {
        match self {
            VersionSource::Editor => "editor",
            VersionSource::Recommend => "recommend",
            VersionSource::Restore => "restore",
            VersionSource::Api => "api",
            VersionSource::Regenerate => "regenerate",
            VersionSource::Unrecorded => "",
        }
    }

    pub fn parse(code: &str) -> Option<VersionSource> {
        VersionSource::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The enabled version a change was prepared against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Base {
    /// Whatever is enabled now (scripts that replace the strategy outright).
    #[default]
    Any,
    /// This version (`None`: no version was enabled); if another one is enabled now, the
    /// change is refused rather than silently undoing someone else's.
    Version(Option<i64>),
}

/// How a new version is enabled.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enabling {
    pub base: Base,
    /// Stored with the version (at most [`MAX_VERSION_NOTE_CHARS`]).
    pub note: String,
    /// Enable it even though it answers no user group at all (DNS would answer nothing).
    pub force: bool,
}

impl Enabling {
    /// The note as stored: trimmed, checked for length and control characters.
    pub fn checked_note(&self) -> Result<&str, String> {
        let note = self.note.trim();
        if note.chars().count() > MAX_VERSION_NOTE_CHARS {
            return Err(format!(
                "note: {} characters, at most {MAX_VERSION_NOTE_CHARS}",
                note.chars().count()
            ));
        }
        if note.chars().any(char::is_control) {
            return Err("note: control characters are not allowed".into());
        }
        Ok(note)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_round_trips_through_its_code() {
        for source in VersionSource::ALL {
            assert_eq!(VersionSource::parse(source.code()), Some(source));
        }
        assert_eq!(VersionSource::parse("hand"), None);
    }

    #[test]
    fn notes_are_trimmed_and_limited() {
        let with = |note: &str| Enabling {
            note: note.into(),
            ..Enabling::default()
        };
        assert_eq!(with("  rollout  ").checked_note(), Ok("rollout"));
        assert!(
            with(&"x".repeat(MAX_VERSION_NOTE_CHARS))
                .checked_note()
                .is_ok()
        );
        let long = with(&"字".repeat(MAX_VERSION_NOTE_CHARS + 1));
        assert!(
            long.checked_note()
                .expect_err("too long")
                .starts_with("note: 501 characters")
        );
        assert!(
            with("a\u{7}b")
                .checked_note()
                .expect_err("a control character")
                .contains("control")
        );
    }
}
