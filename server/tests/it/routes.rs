//! The API routes exactly what its OpenAPI document lists: every documented operation answers
//! (never "no such route" or 405), every method a documented path does not list is a 405, and an
//! undocumented path is "no such route". The router is built from the document's list, so this
//! holds by construction; the test keeps it so.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use itm_server::api::openapi::OPERATIONS;
use itm_server::service::{Sealer, Service, ServiceConfig};
use itm_server::store::Store;
use tower::ServiceExt;

fn concrete(path: &str) -> String {
    path.replace("{domain}", "nosuch.example.com")
        .replace("{version}", "1")
        .replace("{username}", "nobody")
        .replace("{policy}", "ITMWritePolicy")
        .replace("{access_key_id}", "nokey")
        .replace("{name}", "nopoint")
}

async fn call(app: &axum::Router, method: &Method, path: &str) -> (StatusCode, String) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "127.0.0.1")
        .body(Body::empty())
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("answer");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn the_router_routes_exactly_the_documented_operations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::connect(&format!(
        "sqlite://{}/itm.db?mode=rwc",
        dir.path().display()
    ))
    .await
    .expect("store");
    let app = itm_server::api::router(Service::new(
        store,
        ServiceConfig::new("itm.test"),
        Sealer::new([5; 32]),
    ));
    let mut documented: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for op in OPERATIONS {
        let fresh = documented
            .entry(op.path)
            .or_default()
            .insert(op.method.to_ascii_uppercase());
        assert!(fresh, "{} {} is documented twice", op.method, op.path);
    }
    for (path, methods) in &documented {
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::PATCH,
        ] {
            let (status, body) = call(&app, &method, &concrete(path)).await;
            assert!(!body.contains("NoSuchRoute"), "{method} {path}: {body}");
            if methods.contains(method.as_str()) {
                assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                // Unauthenticated: refused by the door, which proves the route is there (the
                // document and the login itself need no credentials).
                let open = path.ends_with("openapi.json")
                    || (*path == "/v1/session" && method == Method::POST);
                assert!(
                    open || status == StatusCode::UNAUTHORIZED,
                    "{method} {path}: {status} {body}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is routed but not documented"
                );
            }
        }
    }
    let (status, body) = call(&app, &Method::GET, "/v1/nothing-documented-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("NoSuchRoute"), "{body}");
}
