//! Endpoint import: a pasted or uploaded list, CSV (`endpoint,area,isp,tag`, a header line
//! allowed) or one address per line. Each line is checked with the rules the server applies, so
//! the preview shows per-line errors before anything is sent; area and ISP may be codes or the
//! Chinese names, and are left empty (detected from the IP) when omitted.

use super::{EndpointInput, implied_kind, validate_tag};
use crate::strategy::{AREAS, Isp, value_error};

/// One non-blank line of the list: the endpoint it gives, or what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportLine {
    /// 1-based line number in the text.
    pub line: usize,
    pub text: String,
    pub result: Result<EndpointInput, String>,
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
                    Err(format!("\"{}\" is listed twice", input.endpoint))
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

fn is_header(line: &str) -> bool {
    let first = line.split([',', '\t']).next().unwrap_or("").trim();
    first.eq_ignore_ascii_case("endpoint") || first == "端点"
}

fn parse_line(line: &str, domain: &str) -> Result<EndpointInput, String> {
    let columns: Vec<&str> = line.split([',', '\t']).map(str::trim).collect();
    if columns.len() > 4 {
        return Err(format!(
            "{} columns; expected endpoint[,area[,isp[,tag]]]",
            columns.len()
        ));
    }
    let endpoint = columns[0].to_owned();
    let kind = implied_kind(&endpoint);
    if let Some(expected) = value_error(kind, &endpoint) {
        return Err(format!("endpoint: \"{endpoint}\" is not {expected}"));
    }
    let column = |i: usize| columns.get(i).copied().filter(|c| !c.is_empty());
    let area = column(1)
        .map(|a| area_code(a).ok_or_else(|| format!("area: unknown area \"{a}\"")))
        .transpose()?;
    let isp = column(2)
        .map(|i| {
            isp_code(i)
                .ok_or_else(|| format!("isp: unknown ISP \"{i}\" (ct, cu, cm, cernet, other)"))
        })
        .transpose()?;
    let tag = column(3).unwrap_or("").to_owned();
    validate_tag(&tag).map_err(|e| format!("tag: {e}"))?;
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
        type Parsed = Result<(String, Option<String>, Option<String>), String>;
        let summary: Vec<(usize, Parsed)> = lines
            .iter()
            .map(|l| {
                (
                    l.line,
                    l.result
                        .clone()
                        .map(|e| (e.kind, e.area, e.isp))
                        .map_err(|e| e.split(':').next().unwrap_or("").to_owned()),
                )
            })
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
                (7, Err("endpoint".into())),
                (8, Err("area".into())),
                (9, Err("isp".into())),
                (10, Err("\"1.2.3.4\" is listed twice".into())),
                (11, Err("tag".into())),
            ]
        );
        assert_eq!(
            lines[1].result.as_ref().map(|e| e.tag.as_str()),
            Ok("idc-a;primary")
        );
        let bom = parse_import("\u{feff}endpoint,area\n1.2.3.4,beijing.CN\n", "d");
        assert_eq!(bom.len(), 1);
        assert!(bom[0].result.is_ok());
    }
}
