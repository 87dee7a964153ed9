//! The graph browser page: `GET /` for a browser (a request that asks for
//! HTML; everything else gets the discovery document), its files under
//! `/browser/`. The files are in `server/page/` and built into the binary,
//! so the page works offline; it talks to the HTTP Query API like any other
//! client (see `server/page/README.md`).

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

/// The page's files: path under `/browser/`, content type, bytes.
const FILES: &[(&str, &str, &[u8])] = &[
    ("index.html", HTML, include_bytes!("../page/index.html")),
    (
        "style.css",
        "text/css; charset=utf-8",
        include_bytes!("../page/style.css"),
    ),
    ("app.js", JS, include_bytes!("../page/app.js")),
    ("api.js", JS, include_bytes!("../page/api.js")),
    ("editor.js", JS, include_bytes!("../page/editor.js")),
    ("cypher.js", JS, include_bytes!("../page/cypher.js")),
    ("frames.js", JS, include_bytes!("../page/frames.js")),
    ("graph.js", JS, include_bytes!("../page/graph.js")),
    ("values.js", JS, include_bytes!("../page/values.js")),
    ("icon.svg", "image/svg+xml", include_bytes!("../page/icon.svg")),
    (
        "vendor/cytoscape.min.js",
        JS,
        include_bytes!("../page/vendor/cytoscape.min.js"),
    ),
    (
        "vendor/layout-base.js",
        JS,
        include_bytes!("../page/vendor/layout-base.js"),
    ),
    ("vendor/cose-base.js", JS, include_bytes!("../page/vendor/cose-base.js")),
    (
        "vendor/cytoscape-fcose.js",
        JS,
        include_bytes!("../page/vendor/cytoscape-fcose.js"),
    ),
    (
        "vendor/LICENSE.cytoscape",
        TEXT,
        include_bytes!("../page/vendor/LICENSE.cytoscape"),
    ),
    (
        "vendor/LICENSE.layout-base",
        TEXT,
        include_bytes!("../page/vendor/LICENSE.layout-base"),
    ),
    (
        "vendor/LICENSE.cose-base",
        TEXT,
        include_bytes!("../page/vendor/LICENSE.cose-base"),
    ),
    (
        "vendor/LICENSE.cytoscape-fcose",
        TEXT,
        include_bytes!("../page/vendor/LICENSE.cytoscape-fcose"),
    ),
];

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// Only what the page itself serves: no script or style from elsewhere, no
/// framing. Cytoscape sets element styles from script, which `style-src`
/// 'unsafe-inline' allows (no inline script is).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
                   form-action 'none'";

/// Whether a `GET /` comes from a browser navigating there (it asks for
/// HTML), rather than a client after the discovery document.
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().to_ascii_lowercase().starts_with("text/html"))
        })
}

/// One of the page's files, by its path under `/browser/`.
pub fn file(path: &str) -> Option<(&'static str, &'static [u8])> {
    FILES.iter().find(|(p, _, _)| *p == path).map(|(_, t, b)| (*t, *b))
}

fn respond(content_type: &'static str, body: &'static [u8]) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The files change with the binary: revalidate rather than keep a stale page.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    r
}

/// The page (`GET /` from a browser, `GET /browser/`).
pub fn index() -> Response {
    let (t, b) = file("index.html").expect("the page is built in");
    respond(t, b)
}

pub async fn index_page() -> Response {
    index()
}

pub async fn index_redirect() -> Redirect {
    Redirect::permanent("/browser/")
}

pub async fn favicon() -> Response {
    let (t, b) = file("icon.svg").expect("the icon is built in");
    respond(t, b)
}

/// `GET /browser/{file}`.
pub async fn asset(Path(path): Path<String>) -> Response {
    match file(&path) {
        Some((t, b)) => respond(t, b),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, TEXT)],
            format!("the page has no file {path:?}"),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_get_the_page_and_clients_the_discovery_document() {
        let mut h = HeaderMap::new();
        assert!(!wants_html(&h));
        h.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        assert!(!wants_html(&h));
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        assert!(!wants_html(&h));
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
        );
        assert!(wants_html(&h));
    }

    #[test]
    fn every_file_the_page_names_is_built_in() {
        let index = std::str::from_utf8(file("index.html").unwrap().1).unwrap();
        let mut named = 0;
        for attr in ["src=\"/browser/", "href=\"/browser/"] {
            for part in index.split(attr).skip(1) {
                let path = &part[..part.find('"').unwrap()];
                assert!(file(path).is_some(), "index.html names {path}, which is not built in");
                named += 1;
            }
        }
        assert!(named >= 6, "index.html names {named} files");
        // The modules import one another by relative path.
        for (path, _, body) in FILES
            .iter()
            .filter(|(p, _, _)| p.ends_with(".js") && !p.starts_with("vendor/"))
        {
            let text = std::str::from_utf8(body).unwrap();
            for line in text.lines().filter(|l| l.starts_with("import ")) {
                let from = line.rsplit("from ").next().unwrap();
                let target = from
                    .trim_matches(|c| c == '\'' || c == '"' || c == ';')
                    .trim_start_matches("./");
                assert!(file(target).is_some(), "{path} imports {target}, which is not built in");
            }
        }
        assert!(file("../Cargo.toml").is_none());
    }
}
