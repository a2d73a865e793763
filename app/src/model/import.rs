//! Endpoint import: a pasted or uploaded list, CSV (`endpoint,area,isp,tag`, a header line
//! allowed) or one address per line. Each line is checked with the rules the server applies, so
//! the preview shows per-line errors before anything is sent; area and ISP may be codes or the
//! Chinese names, and are left empty (detected from the IP) when omitted. A problem is a kind
//! with its values, worded by the console in the user's language.

use std::collections::HashSet;

use super::{EndpointInput, TagProblem, implied_kind, tag_problem};
use crate::strategy::{AREAS, EndpointKind, Isp, value_error};

/// One non-blank line of the list: the endpoint it gives, or what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportLine {
    /// 1-based line number in the text.
    pub line: usize,
    pub text: String,
    pub result: Result<EndpointInput, ImportProblem>,
}

/// Why a line is not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportProblem {
    /// More columns than `endpoint,area,isp,tag`.
    Columns(usize),
    /// The value is not what its implied type needs (`1.2.3.999` is no IPv4 address).
    Endpoint {
        value: String,
        kind: EndpointKind,
    },
    UnknownArea(String),
    UnknownIsp(String),
    Tag(TagProblem),
    /// The same endpoint on an earlier line.
    ListedTwice(String),
    /// Already one of the domain's endpoints: the server would refuse the whole import.
    Stored(String),
}

pub fn parse_import(text: &str, domain: &str) -> Vec<ImportLine> {
    let mut seen = std::collections::HashSet::new();
    // Spreadsheets save CSV with a byte-order mark.
    text.trim_start_matches('\u{feff}')
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .filter(|(i, l)| !(*i == 0 && is_header(l)))
        .map(|(i, l)| {
            let result = parse_line(l, domain).and_then(|input| {
                if seen.insert(input.endpoint.clone()) {
                    Ok(input)
                } else {
                    Err(ImportProblem::ListedTwice(input.endpoint))
                }
            });
            ImportLine {
                line: i + 1,
                text: l.to_owned(),
                result,
            }
        })
        .collect()
}

/// Marks the lines naming an endpoint the domain already has, so the preview says so and the
/// import leaves them out.
pub fn mark_stored<'a>(lines: &mut [ImportLine], stored: impl IntoIterator<Item = &'a str>) {
    let stored: HashSet<&str> = stored.into_iter().collect();
    for line in lines {
        if let Ok(input) = &line.result
            && stored.contains(input.endpoint.as_str())
        {
            line.result = Err(ImportProblem::Stored(input.endpoint.clone()));
        }
    }
}

fn is_header(line: &str) -> bool {
    let first = line.split([',', '\t']).next().unwrap_or("").trim();
    first.eq_ignore_ascii_case("endpoint") || first == "端点"
}

fn parse_line(line: &str, domain: &str) -> Result<EndpointInput, ImportProblem> {
    let columns: Vec<&str> = line.split([',', '\t']).map(str::trim).collect();
    if columns.len() > 4 {
        return Err(ImportProblem::Columns(columns.len()));
    }
    let endpoint = columns[0].to_owned();
    let kind = implied_kind(&endpoint);
    if value_error(kind, &endpoint).is_some() {
        return Err(ImportProblem::Endpoint {
            value: endpoint,
            kind,
        });
    }
    let column = |i: usize| columns.get(i).copied().filter(|c| !c.is_empty());
    let area = column(1)
        .map(|a| area_code(a).ok_or_else(|| ImportProblem::UnknownArea(a.to_owned())))
        .transpose()?;
    let isp = column(2)
        .map(|i| isp_code(i).ok_or_else(|| ImportProblem::UnknownIsp(i.to_owned())))
        .transpose()?;
    let tag = column(3).unwrap_or("").to_owned();
    if let Some(problem) = tag_problem(&tag) {
        return Err(ImportProblem::Tag(problem));
    }
    Ok(EndpointInput {
        domain: domain.to_owned(),
        endpoint,
        kind: kind.code().to_owned(),
        area: area.map(str::to_owned),
        isp: isp.map(str::to_owned),
        tag,
    })
}

fn area_code(text: &str) -> Option<&'static str> {
    AREAS
        .iter()
        .find(|a| a.code == text || a.name_zh == text || a.name_en.eq_ignore_ascii_case(text))
        .map(|a| a.code)
}

fn isp_code(text: &str) -> Option<&'static str> {
    Isp::ALL
        .into_iter()
        .find(|i| i.code() == text || i.name_zh() == text)
        .map(Isp::code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_checked_one_by_one() {
        let text = "endpoint,area,isp,tag\n\
                    1.2.3.4\n\
                    \n\
                    5.6.7.8,beijing.CN,ct,idc-a;primary\n\
                    2001:db8::1,广东,移动\n\
                    www.origin.example.com\n\
                    1.2.3.999\n\
                    9.9.9.9,mars,ct\n\
                    9.9.9.8,beijing.CN,nope\n\
                    1.2.3.4\n\
                    9.9.9.7,,,a;;b";
        let lines = parse_import(text, "d.example.com.1");
        type Parsed = Result<(String, Option<String>, Option<String>), ImportProblem>;
        let summary: Vec<(usize, Parsed)> = lines
            .iter()
            .map(|l| (l.line, l.result.clone().map(|e| (e.kind, e.area, e.isp))))
            .collect();
        assert_eq!(
            summary,
            vec![
                (2, Ok(("A".into(), None, None))),
                (
                    4,
                    Ok(("A".into(), Some("beijing.CN".into()), Some("ct".into())))
                ),
                (
                    5,
                    Ok((
                        "AAAA".into(),
                        Some("guangdong.CN".into()),
                        Some("cm".into())
                    ))
                ),
                (6, Ok(("CNAME".into(), None, None))),
                (
                    7,
                    Err(ImportProblem::Endpoint {
                        value: "1.2.3.999".into(),
                        kind: EndpointKind::A
                    })
                ),
                (8, Err(ImportProblem::UnknownArea("mars".into()))),
                (9, Err(ImportProblem::UnknownIsp("nope".into()))),
                (10, Err(ImportProblem::ListedTwice("1.2.3.4".into()))),
                (11, Err(ImportProblem::Tag(TagProblem::EmptyKeyword))),
            ]
        );
        assert_eq!(
            lines[1].result.as_ref().map(|e| e.tag.as_str()),
            Ok("idc-a;primary")
        );
        let bom = parse_import("\u{feff}endpoint,area\n1.2.3.4,beijing.CN\n", "d");
        assert_eq!(bom.len(), 1);
        assert!(bom[0].result.is_ok());
        assert_eq!(
            parse_import("1.2.3.4,a,b,c,d", "d")[0].result,
            Err(ImportProblem::Columns(5))
        );
    }

    #[test]
    fn lines_naming_a_stored_endpoint_are_marked_and_others_kept() {
        let mut lines = parse_import("1.2.3.4\n5.6.7.8\n1.2.3.999\nwww.example.com", "d");
        mark_stored(&mut lines, ["5.6.7.8", "www.example.com", "9.9.9.9"]);
        let results: Vec<_> = lines
            .iter()
            .map(|l| l.result.clone().map(|e| e.endpoint))
            .collect();
        assert_eq!(
            results,
            [
                Ok("1.2.3.4".to_owned()),
                Err(ImportProblem::Stored("5.6.7.8".into())),
                Err(ImportProblem::Endpoint {
                    value: "1.2.3.999".into(),
                    kind: EndpointKind::A
                }),
                Err(ImportProblem::Stored("www.example.com".into())),
            ]
        );
    }
}
