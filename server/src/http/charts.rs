//! The monitor page's charts, drawn on the server by plotters as SVG images:
//! `/console/charts/latency.svg` (latency per endpoint and point over time) and
//! `/console/charts/status.svg` (HTTP status code per probe, failures marked), for
//! `?domain=&minutes=`, as the session's user. Images keep plotters out of the wasm bundle and
//! need no hydration.

use std::collections::BTreeMap;

use app::model::ProbeRecord;
use app::ui::backend::ConsoleBackend;
use app::ui::map::PALETTE;
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use plotters::prelude::*;
use serde::Deserialize;

use super::console::Console;

const WIDTH: u32 = 640;
const HEIGHT: u32 = 240;

#[derive(Deserialize)]
pub struct ChartQuery {
    domain: String,
    #[serde(default = "default_minutes")]
    minutes: i64,
}

fn default_minutes() -> i64 {
    60
}

pub async fn chart(
    State(console): State<std::sync::Arc<Console>>,
    Path(file): Path<String>,
    Query(q): Query<ChartQuery>,
    request: Parts,
) -> Response {
    let minutes = q.minutes.clamp(1, 24 * 60);
    let now = crate::clock::now_ms();
    let since = now - minutes * 60_000;
    let probes = match console.probes(&request, &q.domain, since).await {
        Ok(p) => p,
        // The status the failure calls for (no session 401, another account's domain 404).
        Err(e) => {
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (status, e.to_string()).into_response();
        }
    };
    let drawn = match file.as_str() {
        "latency.svg" => latency_chart(&probes, since, now),
        "status.svg" => status_chart(&probes, since, now),
        _ => return (StatusCode::NOT_FOUND, "no such chart").into_response(),
    };
    match drawn {
        Ok(svg) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            svg,
        )
            .into_response(),
        Err(e) => {
            tracing::warn!("chart {file}: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the chart could not be drawn",
            )
                .into_response()
        }
    }
}

/// Probes grouped per `endpoint @ point`, oldest first.
fn series(probes: &[ProbeRecord]) -> BTreeMap<String, Vec<&ProbeRecord>> {
    let mut by: BTreeMap<String, Vec<&ProbeRecord>> = BTreeMap::new();
    for p in probes {
        by.entry(format!("{} @ {}", p.endpoint, p.point))
            .or_default()
            .push(p);
    }
    for list in by.values_mut() {
        list.sort_by_key(|p| p.time);
    }
    by
}

fn rgb(hex: &str) -> RGBColor {
    let channel =
        |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("80"), 16).unwrap_or(128);
    RGBColor(channel(1), channel(3), channel(5))
}

/// Minutes before now, for the x axis.
fn minutes_ago(time: i64, now: i64) -> f64 {
    (time - now) as f64 / 60_000.0
}

type DrawResult = Result<String, Box<dyn std::error::Error>>;

fn latency_chart(probes: &[ProbeRecord], since: i64, now: i64) -> DrawResult {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let max = probes
            .iter()
            .filter_map(|p| p.latency_ms)
            .max()
            .unwrap_or(10)
            .max(10) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d(minutes_ago(since, now)..0.0, 0.0..max * 1.1)?;
        chart
            .configure_mesh()
            .x_desc("min")
            .y_desc("ms")
            .light_line_style(WHITE)
            .draw()?;
        for (i, (name, list)) in series(probes).into_iter().enumerate() {
            let colour = rgb(PALETTE[i % PALETTE.len()]);
            let points: Vec<(f64, f64)> = list
                .iter()
                .filter_map(|p| Some((minutes_ago(p.time, now), p.latency_ms? as f64)))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2))
                });
            chart.draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, 2, colour.filled())),
            )?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}

fn status_chart(probes: &[ProbeRecord], since: i64, now: i64) -> DrawResult {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        // Probes without a status code (timeouts, refusals, TCP/PING) sit at 0.
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d(minutes_ago(since, now)..0.0, 0.0..600.0)?;
        chart
            .configure_mesh()
            .x_desc("min")
            .y_desc("HTTP")
            .y_labels(7)
            .light_line_style(WHITE)
            .draw()?;
        for (i, (name, list)) in series(probes).into_iter().enumerate() {
            let colour = rgb(PALETTE[i % PALETTE.len()]);
            let failed = rgb("#d62728");
            chart
                .draw_series(list.iter().map(|p| {
                    let at = (minutes_ago(p.time, now), p.http_status.unwrap_or(0) as f64);
                    let style = if p.ok {
                        colour.filled()
                    } else {
                        failed.filled()
                    };
                    Circle::new(at, 3, style)
                }))?
                .label(name)
                .legend(move |(x, y)| Circle::new((x + 7, y), 3, colour.filled()));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(endpoint: &str, time: i64, ok: bool, code: Option<i64>) -> ProbeRecord {
        ProbeRecord {
            endpoint: endpoint.into(),
            point: "local".into(),
            time,
            ok,
            latency_ms: Some(12),
            http_status: code,
            failure: (!ok).then(|| "unexpectedStatus".into()),
        }
    }

    #[test]
    fn charts_draw_every_series_with_its_legend() {
        let now = 3_600_000;
        let probes = vec![
            probe("192.0.2.1", now - 60_000, true, Some(200)),
            probe("192.0.2.1", now - 30_000, false, Some(503)),
            probe("192.0.2.2", now - 30_000, true, Some(204)),
        ];
        let latency = latency_chart(&probes, 0, now).expect("draws");
        assert!(latency.starts_with("<svg"));
        assert!(latency.contains("192.0.2.1 @ local") && latency.contains("192.0.2.2 @ local"));
        let status = status_chart(&probes, 0, now).expect("draws");
        // The failed probe is drawn in the failure colour.
        assert!(status.contains("#D62728") || status.contains("#d62728"));
    }
}
