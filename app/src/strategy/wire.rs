//! The strategy JSON exactly as the product documents show it (`GET /v1/domains/{d}/strategy`):
//! `{status, strategy: {start, rules[]}, endpointsConf[]}`, fields in the documents' order.
//!
//! These types only carry text: codes stay strings here so that validation can name the rule,
//! item or endpoint at fault instead of a serde position. `validate` turns them into the typed
//! [`super::Strategy`]. Unknown fields are ignored, as BCE services do (strategy JSON copied from
//! the product's console carries fields of its own); unknown values of known fields (a rule
//! type, an area, an ISP) are refused by validation.

use serde::{Deserialize, Serialize};

/// The whole document: the domain's status, its strategy tree and the endpoints it may use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrategyDocument {
    /// The domain's scheduling status: `""`, `start`, `stop` or `pause`.
    #[serde(default)]
    pub status: String,
    pub strategy: StrategyTree,
    #[serde(rename = "endpointsConf", default)]
    pub endpoints_conf: Vec<EndpointConf>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrategyTree {
    /// The name of the root rule.
    pub start: String,
    #[serde(default)]
    pub rules: Vec<RuleConf>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleConf {
    /// `wrr`, `priority`, `geoProximity` or `usersetMapping`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The rule's own location, used when a `geoProximity` parent measures distance to it.
    #[serde(default = "default_area")]
    pub area: String,
    #[serde(default = "default_isp")]
    pub isp: String,
    pub name: String,
    #[serde(default = "yes")]
    pub enable: bool,
    #[serde(default)]
    pub items: Vec<ItemConf>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemConf {
    /// A rule's `name` or an endpoint's `value`; rule names win.
    pub reference: String,
    #[serde(default)]
    pub weight: i64,
    #[serde(default)]
    pub priority: i64,
    /// `;`-separated `AREA/ISP` selectors; empty marks the default item of a mapping rule.
    #[serde(default)]
    pub usersets: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndpointConf {
    /// `A`, `AAAA` or `CNAME`.
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
    #[serde(default = "default_area")]
    pub area: String,
    #[serde(default = "default_isp")]
    pub isp: String,
    #[serde(rename = "evalHealth", default = "yes")]
    pub eval_health: bool,
    #[serde(default = "yes")]
    pub enable: bool,
}

fn default_area() -> String {
    "none.CN".to_owned()
}

fn default_isp() -> String {
    "other".to_owned()
}

fn yes() -> bool {
    true
}

impl StrategyDocument {
    /// Parses the JSON text; the error names the line and column serde stopped at.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn to_json_pretty(&self) -> String {
        // Serialising plain strings, bools and integers cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document of the product documents' `GET /v1/domains/{d}/strategy` example.
    pub const SEED_EXAMPLE: &str = r#"{"status":"start","strategy":{"start":"根规则","rules":[{"type":"geoProximity","area":"none.CN","isp":"other","name":"根规则","enable":true,"items":[{"reference":"北京","weight":0,"priority":0,"usersets":""}]},{"type":"wrr","area":"beijing.CN","isp":"other","name":"北京","enable":true,"items":[{"reference":"220.181.38.135","weight":1,"priority":0,"usersets":""}]}]},"endpointsConf":[{"type":"A","value":"220.181.38.135","area":"beijing.CN","isp":"ct","evalHealth":true,"enable":true}]}"#;

    #[test]
    fn seed_example_round_trips_byte_for_byte() {
        let doc = StrategyDocument::from_json(SEED_EXAMPLE).expect("parses");
        assert_eq!(doc.strategy.rules.len(), 2);
        assert_eq!(
            serde_json::to_string(&doc).expect("serialises"),
            SEED_EXAMPLE
        );
    }

    #[test]
    fn unknown_fields_are_ignored_and_unknown_values_refused() {
        // What the product's console adds to the JSON it shows passes.
        let extra =
            SEED_EXAMPLE.replace("\"name\":\"北京\"", "\"name\":\"北京\",\"id\":7,\"x\":{}");
        let doc = StrategyDocument::from_json(&extra).expect("parses");
        assert_eq!(
            doc,
            StrategyDocument::from_json(SEED_EXAMPLE).expect("parses")
        );
        // A misspelt weight is ignored like any unknown field: the item keeps weight 0, and a
        // wrr rule without a positive weight is refused, naming the rule.
        let misspelt = SEED_EXAMPLE.replace("\"weight\":1", "\"wieght\":1");
        let doc = StrategyDocument::from_json(&misspelt).expect("parses");
        let problems = super::super::Strategy::compile(&doc).expect_err("no positive weight");
        assert!(
            problems.errors[0].to_string().contains("北京"),
            "{problems:?}"
        );
        // An unknown value of a known field is refused.
        let bad_type = SEED_EXAMPLE.replace("\"type\":\"wrr\"", "\"type\":\"wrrr\"");
        let doc = StrategyDocument::from_json(&bad_type).expect("parses");
        let problems = super::super::Strategy::compile(&doc).expect_err("unknown rule type");
        assert!(
            problems.errors[0].to_string().contains("wrrr"),
            "{problems:?}"
        );
    }
}
