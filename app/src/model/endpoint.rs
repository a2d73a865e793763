//! Endpoints as `GET|POST|PUT /v1/endpoints` carry them.

use serde::{Deserialize, Serialize};

use crate::strategy::EndpointKind;

/// seed: ok 健康, fail 异常, unknown 未知.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EndpointStatus {
    Ok,
    Fail,
    #[default]
    Unknown,
}

/// One row of `GET /v1/endpoints?domain=`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRecord {
    pub domain: String,
    pub endpoint: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub area: String,
    pub isp: String,
    pub tag: String,
    pub status: EndpointStatus,
}

/// One element of `POST|PUT /v1/endpoints`. `area`/`isp` may be omitted: detected from the IP.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointInput {
    pub domain: String,
    pub endpoint: String,
    /// `A`, `AAAA` or `CNAME`; omitted: implied by the value.
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub area: Option<String>,
    #[serde(default)]
    pub isp: Option<String>,
    #[serde(default)]
    pub tag: String,
}

/// The type an endpoint's value implies when none is given: dotted digits are A (even when
/// malformed, so the error says it is not an IPv4 address), a colon is AAAA, anything else a
/// CNAME target.
pub fn implied_kind(value: &str) -> EndpointKind {
    if value.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        EndpointKind::A
    } else if value.contains(':') {
        EndpointKind::Aaaa
    } else {
        EndpointKind::Cname
    }
}

/// What is wrong with a tag (a kind, so each door words it in its own language).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagProblem {
    TooLong,
    ControlCharacter,
    EmptyKeyword,
}

/// Tags are `;`-separated keywords (seed: 关键字之间用分号来分割): no empty keyword, no control
/// characters, at most 255 characters in all.
pub fn tag_problem(tag: &str) -> Option<TagProblem> {
    if tag.chars().count() > 255 {
        Some(TagProblem::TooLong)
    } else if tag.chars().any(char::is_control) {
        Some(TagProblem::ControlCharacter)
    } else if !tag.is_empty() && tag.split(';').any(|k| k.trim().is_empty()) {
        Some(TagProblem::EmptyKeyword)
    } else {
        None
    }
}

/// [`tag_problem`] as the API words it.
pub fn validate_tag(tag: &str) -> Result<(), String> {
    match tag_problem(tag) {
        None => Ok(()),
        Some(TagProblem::TooLong) => Err("the tag is longer than 255 characters".into()),
        Some(TagProblem::ControlCharacter) => Err(format!(
            "tag \"{}\" contains a control character",
            tag.escape_debug()
        )),
        Some(TagProblem::EmptyKeyword) => Err(format!(
            "tag \"{tag}\" has an empty keyword (keywords are separated by ';')"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_keywords_separated_by_semicolons() {
        assert!(validate_tag("").is_ok());
        assert!(validate_tag("idc-a;primary").is_ok());
        assert!(validate_tag("a;;b").is_err());
        assert!(validate_tag("a;").is_err());
        assert!(validate_tag("x\u{0}").is_err());
        assert!(validate_tag(&"a".repeat(256)).is_err());
    }
}
