//! `GET /console/events`: the console's live view as server-sent events, for the session's user
//! (the watching, its permission checks and its filter are `service::live`'s).
//!
//! Each event is `changed` with `{"everything", "config", "health", "probes"}` (domain names)
//! and an id the browser's `EventSource` sends back as `Last-Event-ID` when it reconnects, so a
//! new stream resumes where the old one stopped and nothing is missed in between. A stream ends
//! after [`STREAM_LIFETIME`] (under the listener's request timeout, which would cut it). A
//! `position` event opens the stream and keeps it alive, carrying the id (a page that reopens
//! the stream itself passes it as `?since=`). An ended session gets an `ended` event, and the
//! page stops listening.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::time::Instant;

use crate::api::ApiError;
use crate::api::extract::{SESSION_COOKIE, cookie};
use crate::service::{LiveChanges, LiveWatch, Service, ServiceError};

/// How long one stream lasts before the browser reconnects (and resumes).
const STREAM_LIFETIME: Duration = Duration::from_secs(45);
/// A comment this often keeps proxies from closing a quiet stream, and carries the id.
const KEEPALIVE: Duration = Duration::from_secs(15);
/// Changes arriving this close together are told in one event.
const COALESCE: Duration = Duration::from_millis(100);
/// What the browser waits before reconnecting (ms).
const RETRY_MS: u64 = 1_000;

#[derive(Deserialize)]
pub struct EventsQuery {
    /// Where to resume, for a page that opens a new stream (`EventSource` sends `Last-Event-ID`
    /// only on its own reconnects).
    since: Option<String>,
}

pub async fn events(
    State(service): State<Service>,
    Query(query): Query<EventsQuery>,
    request: Parts,
) -> Response {
    let Some(token) = cookie(&request, SESSION_COOKIE) else {
        return ApiError::from(ServiceError::Unauthenticated(
            "the live view needs a console session".into(),
        ))
        .into_response();
    };
    let since = request
        .headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(query.since);
    let watch = match service.watch_live(&token, since.as_deref()).await {
        Ok(watch) => watch,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let events = Events {
        watch,
        started: false,
        ends: Instant::now() + STREAM_LIFETIME,
        done: false,
    };
    let body = futures_util::stream::unfold(events, |mut events| async move {
        let chunk = events.next().await?;
        Some((Ok::<_, Infallible>(chunk), events))
    });
    let mut response = Body::from_stream(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Reverse proxies that buffer responses (nginx) would hold the events back.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// One stream's state, producing its chunks in order.
struct Events {
    watch: LiveWatch,
    started: bool,
    ends: Instant,
    done: bool,
}

impl Events {
    async fn next(&mut self) -> Option<Bytes> {
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            let position = self.watch.position();
            return Some(format!("retry: {RETRY_MS}\n{}", position_event(&position)).into());
        }
        loop {
            tokio::select! {
                moved = self.watch.changed() => if !moved {
                    self.done = true;
                    return None;
                },
                () = tokio::time::sleep(KEEPALIVE) => {
                    return Some(position_event(&self.watch.position()).into());
                }
                () = tokio::time::sleep_until(self.ends) => {
                    self.done = true;
                    return None;
                }
            }
            tokio::time::sleep(COALESCE).await;
            match self.watch.take().await {
                Ok(changes) if changes.is_empty() => continue,
                Ok(changes) => {
                    let data = event_data(&changes);
                    let id = self.watch.position();
                    return Some(format!("event: changed\nid: {id}\ndata: {data}\n\n").into());
                }
                Err(e) => {
                    // A store hiccup ends this stream (the browser reconnects); an ended
                    // session or a lost permission ends the view.
                    self.done = true;
                    let error = ApiError::from(e);
                    if error.status.is_server_error() {
                        tracing::warn!("live view: {}", error.message);
                        return None;
                    }
                    tracing::debug!("live view ended: {}", error.message);
                    let data = serde_json::json!({ "status": error.status.as_u16() });
                    return Some(format!("event: ended\ndata: {data}\n\n").into());
                }
            }
        }
    }
}

/// Where the stream is, as an event a page can read (a reopened stream resumes from it): sent
/// first and as the keep-alive.
fn position_event(position: &str) -> String {
    format!("event: position\nid: {position}\ndata: {{}}\n\n")
}

fn event_data(changes: &LiveChanges) -> String {
    serde_json::json!({
        "everything": changes.everything,
        "config": changes.config,
        "health": changes.health,
        "probes": changes.probes,
    })
    .to_string()
}
