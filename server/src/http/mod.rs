//! The HTTP listener: the Leptos console rendered on the server (SSR) with its static assets.
//! `serve(listener, site_root, shutdown)` so tests can bind port 0 and run it in-process.

use std::future::Future;
use std::path::Path;

use app::ui::{App, shell};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};

/// Builds the router: console pages and the files of `site_root`.
pub fn router(site_root: &Path, addr: std::net::SocketAddr) -> Router {
    let options = LeptosOptions::builder()
        .output_name("itm")
        .site_root(site_root.to_string_lossy().as_ref())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let routes = generate_route_list(App);
    Router::new()
        .leptos_routes(&options, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options)
}

pub async fn serve(
    listener: tokio::net::TcpListener,
    site_root: &Path,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    axum::serve(listener, router(site_root, addr))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}
