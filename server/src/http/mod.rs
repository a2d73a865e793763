//! The HTTP listener: the REST API (`/v1`) and the Leptos console rendered on the server (SSR)
//! with its static assets, on one port. `serve(listener, …, shutdown)` so tests can bind port 0.

mod charts;
mod console;
pub mod status;

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;

use app::ui::{App, shell};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};

use crate::service::Service;

/// Builds the router: the API, the console pages and the files of `site_root`.
pub fn router(site_root: &Path, addr: SocketAddr, service: Service) -> Router {
    let options = LeptosOptions::builder()
        .output_name("itm")
        .site_root(site_root.to_string_lossy().as_ref())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let routes = generate_route_list(App);
    let console = std::sync::Arc::new(console::Console(service.clone()));
    let backend: app::ui::backend::Backend = console.clone();
    // Every rendering (pages, server functions, the not-found page) gets the backend.
    let context = move || provide_context(backend.clone());
    let pages = Router::new()
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            context, shell,
        ))
        .with_state(options);
    let charts = Router::new()
        .route("/console/charts/{file}", axum::routing::get(charts::chart))
        .with_state(console);
    crate::api::router(service)
        .merge(charts)
        .merge(status::routes())
        .merge(pages)
}

pub async fn serve(
    listener: tokio::net::TcpListener,
    site_root: &Path,
    service: Service,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    let app = router(site_root, addr, service).into_make_service_with_connect_info::<SocketAddr>();
    // Without TCP_NODELAY a streamed page's last small chunk can wait ~40 ms for the client's
    // delayed ACK (Nagle), which dominated the rendering time of small pages.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY: {e}");
        }
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}
