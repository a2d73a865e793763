//! The HTTP listener: the REST API (`/v1`) and the Leptos console rendered on the server (SSR)
//! with its static assets, on one port. `serve(listener, …, shutdown)` so tests can bind port 0.
//! `listener` holds the connection rules (caps and timeouts), `guard` what every response and
//! every console server-function call must satisfy (security headers, the CSRF rule).

mod charts;
mod console;
mod guard;
pub mod listener;
mod live;
mod site;
pub mod status;

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;

use app::ui::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, Request, Uri};
use axum::response::Response;
use futures_util::future::BoxFuture;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};

use crate::service::Service;
use site::SiteFiles;

/// Builds the router: the API, the console pages and the files of `site_root`.
pub fn router(site_root: &Path, addr: SocketAddr, service: Service) -> Router {
    let site = SiteFiles::find(site_root);
    let hash_file = site.hash_file().map(|p| p.to_string_lossy().into_owned());
    let options = LeptosOptions::builder()
        .output_name("itm")
        .site_root(site_root.to_string_lossy().as_ref())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .hash_files(hash_file.is_some())
        .hash_file(hash_file.unwrap_or_else(|| "hash.txt".to_owned()).into())
        .build();
    let stylesheet: std::sync::Arc<str> = site.stylesheet().into();
    let shell = move |options| guarded_shell(options, stylesheet.clone());
    let routes = generate_route_list(App);
    let console = std::sync::Arc::new(console::Console(service.clone()));
    let backend: app::ui::backend::Backend = console.clone();
    // Every rendering (pages, server functions, the not-found page) gets the backend.
    let context = move || provide_context(backend.clone());
    let pages = Router::new()
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let (options, shell) = (options.clone(), shell.clone());
            move || shell(options.clone())
        })
        // The page routes only: files and the not-found page are for anyone.
        .route_layer(axum::middleware::from_fn_with_state(
            service.clone(),
            guard::pages_need_a_session,
        ))
        .fallback(files_or_not_found(
            site,
            leptos_axum::file_and_error_handler_with_context(context, shell),
        ))
        .layer(axum::middleware::from_fn_with_state(
            service.clone(),
            guard::console_functions,
        ))
        .with_state(options);
    let charts = Router::new()
        .route("/console/charts/{file}", axum::routing::get(charts::chart))
        .with_state(console);
    let live = Router::new()
        .route("/console/events", axum::routing::get(live::events))
        .with_state(service.clone());
    crate::api::router(service.clone())
        .merge(charts)
        .merge(live)
        .merge(status::routes(service))
        .merge(pages)
        .layer(axum::middleware::from_fn(guard::security_headers))
}

/// The console's shell, with the page's Content-Security-Policy: scripts only from this origin
/// or inline with this response's nonce (Leptos puts it on its hydration scripts).
fn guarded_shell(options: LeptosOptions, stylesheet: std::sync::Arc<str>) -> impl IntoView {
    guard::content_security_policy();
    shell(options, stylesheet)
}

/// A file of the site when there is one (with its cache policy, `304` to a browser that has it
/// already, `206`/`416` for ranges), otherwise the console's not-found page.
fn files_or_not_found<H, F>(
    site: SiteFiles,
    not_found: H,
) -> impl Fn(Uri, State<LeptosOptions>, Request<Body>) -> BoxFuture<'static, Response> + Clone
where
    H: Fn(Uri, State<LeptosOptions>, Request<Body>) -> F + Clone + Send + 'static,
    F: Future<Output = Response> + Send + 'static,
{
    let site = std::sync::Arc::new(site);
    move |_uri, state, request| {
        let (site, not_found) = (site.clone(), not_found.clone());
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let readable = matches!(parts.method, Method::GET | Method::HEAD);
            if readable {
                let file_request = Request::from_parts(parts.clone(), Body::empty());
                if let Some(file) = site.serve(file_request).await {
                    return file;
                }
            }
            // Leptos's handler looks for a file first, as a GET whatever the method was: give it
            // a path that names none, so it renders the not-found page for `request`'s route.
            let no_file = Uri::from_static(guard::NOT_FOUND_PAGE);
            not_found(no_file, state, Request::from_parts(parts, body)).await
        })
    }
}

/// How long requests in flight may take to finish once shutdown begins.
pub const DRAIN: std::time::Duration = std::time::Duration::from_secs(10);

pub async fn serve(
    listener: tokio::net::TcpListener,
    site_root: &Path,
    service: Service,
    limits: listener::Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    let app = router(site_root, addr, service);
    listener::serve(listener, app, limits, shutdown, DRAIN).await?;
    Ok(())
}
