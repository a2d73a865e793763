//! The console's built files under `--site-root` and how browsers may keep them.
//!
//! A release build (`cargo leptos build --release --split --precompress`, `hash-files`) names
//! every file under `pkg/` after its content (MD5, base64url) and lists the main ones in
//! `hash.txt`; it also writes a brotli and a gzip copy of each file. A file whose name is the
//! hash of what it holds never changes under that name, so browsers keep it for a year without
//! asking again (`immutable`). cargo-leptos rewrites a few files after naming them (the main
//! script and module point at the split loader, which points back at the script: no naming can
//! make both true), so their names can stay while their content changes: those, and everything
//! else (a build without hashes, `public/`), are asked for again on each use (`no-cache`), which
//! costs a round trip answered by `304 Not Modified`. Which files are which is checked once, at
//! start.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use md5::Digest as _;

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::Response;
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// The list cargo-leptos writes of the main files' hashes (`js: …`, `wasm: …`, `css: …`).
const HASH_FILE: &str = "hash.txt";
const OUTPUT_NAME: &str = "itm";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// What the pages link to: the hash list when the build has one that matches its files.
#[derive(Clone, Debug)]
pub struct SiteFiles {
    root: PathBuf,
    hash_file: Option<PathBuf>,
    stylesheet: String,
    /// Request paths (`/pkg/…`) of the files named after their content.
    immutable: HashSet<String>,
}

impl SiteFiles {
    /// Looks for `hash.txt` in the site root, then beside the running binary (where cargo-leptos
    /// writes it). A list naming files the site does not have is ignored, with a warning: the
    /// pages then link to the unhashed names.
    pub fn find(root: &Path) -> Self {
        let beside_binary = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join(HASH_FILE)));
        let candidates = std::iter::once(root.join(HASH_FILE)).chain(beside_binary);
        for path in candidates {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let hashes = parse_hashes(&text);
            let named = hashed_names(&hashes).and_then(|main| {
                let split = split_names(&hashes)?;
                Some((main, split))
            });
            match named {
                Some((names, split))
                    if names
                        .iter()
                        .chain(&split)
                        .all(|n| root.join("pkg").join(n).is_file()) =>
                {
                    let hash_file = std::path::absolute(&path).unwrap_or(path);
                    return SiteFiles {
                        root: root.to_owned(),
                        hash_file: Some(hash_file),
                        stylesheet: format!("/pkg/{}", names[2]),
                        immutable: content_named_files(&root.join("pkg")),
                    };
                }
                _ => tracing::warn!(
                    hash_file = %path.display(),
                    site_root = %root.display(),
                    "the hash list names files the site root does not have; \
                     linking to unhashed names (rebuild with `make build`)"
                ),
            }
        }
        let pkg = root.join("pkg");
        if pkg.is_dir() && !pkg.join(format!("{OUTPUT_NAME}.js")).is_file() {
            tracing::error!(
                site_root = %root.display(),
                "the site has no {OUTPUT_NAME}.js and no hash list naming its files: pages will \
                 not come alive; put the build's hash.txt in the site root or beside the binary"
            );
        }
        SiteFiles {
            root: root.to_owned(),
            hash_file: None,
            stylesheet: format!("/pkg/{OUTPUT_NAME}.css"),
            immutable: HashSet::new(),
        }
    }

    /// The absolute path of the hash list Leptos reads for the script and wasm names.
    pub fn hash_file(&self) -> Option<&Path> {
        self.hash_file.as_deref()
    }

    pub fn stylesheet(&self) -> &str {
        &self.stylesheet
    }

    /// Serves a file of the site (its brotli or gzip copy when the browser takes one), with the
    /// cache policy its name allows (a refused range or an error is never kept); `None` when
    /// there is no such file.
    pub async fn serve(&self, request: Request<Body>) -> Option<Response> {
        let immutable = self.immutable.contains(request.uri().path());
        let response = ServeDir::new(&self.root)
            .precompressed_br()
            .precompressed_gzip()
            .oneshot(request)
            .await
            .ok()?;
        if response.status() == StatusCode::NOT_FOUND {
            return None;
        }
        let kept = matches!(
            response.status(),
            StatusCode::OK | StatusCode::NOT_MODIFIED | StatusCode::PARTIAL_CONTENT
        );
        let mut response = response.map(Body::new);
        let policy = if immutable && kept {
            IMMUTABLE
        } else {
            REVALIDATE
        };
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        // The same path is sent as brotli, gzip or as is, by what the browser takes.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        Some(response)
    }
}

fn parse_hashes(text: &str) -> HashMap<&str, &str> {
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(kind, hash)| (kind.trim(), hash.trim()))
        .filter(|(_, hash)| !hash.is_empty())
        .collect()
}

/// The hashed names of the script, the wasm module and the stylesheet, in that order.
fn hashed_names(hashes: &HashMap<&str, &str>) -> Option<[String; 3]> {
    let name = |kind: &str| {
        let hash = hashes.get(kind).filter(|h| is_hash(h))?;
        Some(format!("{OUTPUT_NAME}.{hash}.{kind}"))
    };
    Some([name("js")?, name("wasm")?, name("css")?])
}

/// The split loader and its manifest the list names (a build with lazy pages); `None` when a
/// name there cannot be a hash.
fn split_names(hashes: &HashMap<&str, &str>) -> Option<Vec<String>> {
    let named = |kind: &str, prefix: &str, extension: &str| {
        hashes
            .get(kind)
            .map(|h| is_hash(h).then(|| format!("{prefix}.{h}.{extension}")))
    };
    [
        named("split", "__wasm_split", "js"),
        named("manifest", "__wasm_split_manifest", "json"),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A hash as cargo-leptos writes it: base64url characters only (so never a path).
fn is_hash(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The `/pkg/…` request paths of the files in `pkg` whose name carries the hash of their content
/// (`<stem>.<hash>.<ext>`); the compressed copies are served under the same path.
fn content_named_files(pkg: &Path) -> HashSet<String> {
    let Ok(entries) = std::fs::read_dir(pkg) else {
        return HashSet::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let named = name_hash(&name)?;
            let content = std::fs::read(entry.path()).ok()?;
            (content_hash(&content) == named).then(|| format!("/pkg/{name}"))
        })
        .collect()
}

/// The hash in a cargo-leptos name: `chunk_3.<22 characters>.wasm` (not `.br`/`.gz` copies).
fn name_hash(name: &str) -> Option<&str> {
    let (rest, extension) = name.rsplit_once('.')?;
    if matches!(extension, "br" | "gz") {
        return None;
    }
    let (_, hash) = rest.rsplit_once('.')?;
    (hash.len() == 22).then_some(hash)
}

/// How cargo-leptos names a file: MD5, base64url without padding.
fn content_hash(content: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(md5::Md5::digest(content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_list_gives_the_three_main_names() {
        let text = "js: abc_DEF-1\nwasm: xyz\ncss: c55\nmanifest: m\nsplit: s\n";
        let names = hashed_names(&parse_hashes(text)).expect("complete list");
        assert_eq!(
            names,
            ["itm.abc_DEF-1.js", "itm.xyz.wasm", "itm.c55.css"].map(String::from)
        );
    }

    #[test]
    fn an_incomplete_or_unsafe_list_is_not_used() {
        assert!(hashed_names(&parse_hashes("js: a\nwasm: b\n")).is_none());
        assert!(hashed_names(&parse_hashes("js: ../a\nwasm: b\ncss: c\n")).is_none());
        assert!(hashed_names(&parse_hashes("js: \nwasm: b\ncss: c\n")).is_none());
        assert_eq!(
            split_names(&parse_hashes("split: ../x\nmanifest: m\n")),
            None
        );
        assert_eq!(
            split_names(&parse_hashes("split: s\nmanifest: m\n")),
            Some(vec![
                "__wasm_split.s.js".to_owned(),
                "__wasm_split_manifest.m.json".to_owned()
            ])
        );
    }

    #[test]
    fn only_files_named_after_their_content_are_immutable() {
        let pkg = std::env::temp_dir().join(format!("itm-site-{}", std::process::id()));
        std::fs::create_dir_all(&pkg).expect("temp dir");
        let chunk = b"chunk content";
        let named = format!("chunk_1.{}.wasm", content_hash(chunk));
        std::fs::write(pkg.join(&named), chunk).expect("write");
        std::fs::write(pkg.join(format!("{named}.br")), b"compressed").expect("write");
        // Named after what it held before it was rewritten.
        let stale = format!("itm.{}.js", content_hash(b"before"));
        std::fs::write(pkg.join(&stale), b"after").expect("write");
        std::fs::write(pkg.join("itm.css"), b"unhashed").expect("write");
        let immutable = content_named_files(&pkg);
        std::fs::remove_dir_all(&pkg).expect("clean up");
        assert_eq!(immutable, HashSet::from([format!("/pkg/{named}")]));
    }

    #[test]
    fn hashes_are_read_from_cargo_leptos_names() {
        assert_eq!(content_hash(b""), "1B2M2Y8AsgTpgAmY7PhCfg");
        assert_eq!(
            name_hash("__wasm_split.3V11U8YefHmx_3mrupx86A.js"),
            Some("3V11U8YefHmx_3mrupx86A")
        );
        assert_eq!(
            name_hash("itm.d.SICrjp0vJQOqXUZnMO0zFA.ts"),
            Some("SICrjp0vJQOqXUZnMO0zFA")
        );
        assert_eq!(name_hash("chunk_1.3V11U8YefHmx_3mrupx86A.wasm.br"), None);
        assert_eq!(name_hash("itm.wasm"), None);
        assert_eq!(name_hash("itm.short.wasm"), None);
    }
}
