//! The demo's web client at `GET /`: one page of plain HTML, CSS and JavaScript
//! (`demo-app/static`), and the socket.io browser client it runs on, vendored from the npm
//! package `socket.io-client` (the version `tests/js/package.json` pins) and served by the app
//! itself: no CDN, no build step. Everything is compiled into the binary. On msgpack
//! (`SOCKETIO_PARSER=msgpack`), `/socket.io.min.js` is the package's msgpack build, so that the
//! page speaks the server's parser.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gateway_core::Parser;

const INDEX_HTML: &str = include_str!("../static/index.html");
const APP_CSS: &str = include_str!("../static/app.css");
const APP_JS: &str = include_str!("../static/app.js");
/// `socket.io-client`'s `dist/socket.io.min.js`, unmodified.
const SOCKET_IO_JS: &str = include_str!("../static/socket.io.min.js");
/// `socket.io-client`'s `dist/socket.io.msgpack.min.js` (with socket.io-msgpack-parser),
/// unmodified.
const SOCKET_IO_MSGPACK_JS: &str = include_str!("../static/socket.io.msgpack.min.js");

/// The page's scripts, styles and connections all come from this origin.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self' ws: wss:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// `GET /` (the page), `/app.css`, `/app.js` and `/socket.io.min.js` (the socket.io client;
/// paths under `/socket.io/` are socket.io's own).
pub fn routes() -> Router {
    routes_for(Parser::Default)
}

/// [`routes`], with the socket.io client of a server on `parser`.
pub fn routes_for(parser: Parser) -> Router {
    let socket_io_js = match parser {
        Parser::Default => SOCKET_IO_JS,
        Parser::Msgpack => SOCKET_IO_MSGPACK_JS,
    };
    Router::new()
        .route("/", get(index))
        .route(
            "/app.css",
            get(|| asset("text/css; charset=utf-8", APP_CSS)),
        )
        .route(
            "/app.js",
            get(|| asset("text/javascript; charset=utf-8", APP_JS)),
        )
        .route(
            "/socket.io.min.js",
            get(move || asset("text/javascript; charset=utf-8", socket_io_js)),
        )
}

async fn index() -> Response {
    let mut res = asset("text/html; charset=utf-8", INDEX_HTML).await;
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

/// A static file: its content type, revalidated on each load (`no-cache`) so that a new build
/// is picked up at once.
async fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_only_what_this_app_serves() {
        for src in [
            "src=\"/socket.io.min.js\"",
            "src=\"/app.js\"",
            "href=\"/app.css\"",
        ] {
            assert!(INDEX_HTML.contains(src), "index.html should load {src}");
        }
        assert!(!INDEX_HTML.contains("http://") && !INDEX_HTML.contains("https://"));
        for client in [SOCKET_IO_JS, SOCKET_IO_MSGPACK_JS] {
            assert!(client.starts_with("/*!\n * Socket.IO v4.8.4"));
        }
        // The default parser's binary placeholders are in the JSON build only.
        assert!(SOCKET_IO_JS.contains("_placeholder"));
        assert!(!SOCKET_IO_MSGPACK_JS.contains("_placeholder"));
    }
}
