//! One HTTP listener per port: socketioxide's layer behind CORS (tower-http) and an Origin check
//! that refuses disallowed browsers on both the polling and the websocket handshake, and in
//! front of it all, [`CompactHead`], which keeps what a session stores of its request small.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, Uri, header};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use socketioxide::adapter::Adapter;
use socketioxide::layer::SocketIoLayer;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::{Layer, Service, ServiceExt};
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use super::conn::Conn;
use super::limits::Admission;
use crate::error::{LogEvery, StartupError};
use crate::gateway::{CorsOptions, Origins};
use crate::metrics::Metrics;

/// Binds `addr`.
pub(crate) async fn bind(addr: SocketAddr) -> Result<TcpListener, StartupError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartupError::Bind {
            addr: addr.to_string(),
            source,
        })
}

/// The HTTP app of one socket.io server: socket.io in front of the application's `routes`.
pub(crate) fn router<A: Adapter>(
    routes: Router,
    layer: SocketIoLayer<A>,
    cors: Option<CorsOptions>,
    metrics: Option<Arc<Metrics>>,
) -> Router {
    let router = routes.layer(layer);
    let router = match cors {
        None => router,
        Some(cors) => router
            .layer(axum::middleware::from_fn(
                move |req: Request, next: Next| {
                    refuse_origin(cors.origins, metrics.clone(), req, next)
                },
            ))
            .layer(cors_layer(&cors)),
    };
    router.layer(CompactHead)
}

/// Copies the URI and the header values of a request that opens an engine.io session into one
/// buffer of their own size.
///
/// engineioxide keeps each session's request head (`Socket::req_parts`) for the session's life,
/// and hyper hands over the URI and header values as slices of its connection's read buffer,
/// so the session would keep that whole buffer alive: 16 KiB per connection (hyper reserves
/// 8 KiB and doubles it), most of an idle websocket's memory. With the copy, the buffer is freed
/// once the websocket has read what followed the upgrade request.
#[derive(Debug, Clone, Copy)]
struct CompactHead;

impl<S> Layer<S> for CompactHead {
    type Service = Compacted<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Compacted(inner)
    }
}

/// The service of [`CompactHead`].
#[derive(Debug, Clone)]
struct Compacted<S>(S);

impl<S, B> Service<http::Request<B>> for Compacted<S>
where
    S: Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<B>) -> Self::Future {
        if opens_session(req.uri()) {
            let (mut parts, body) = req.into_parts();
            compact(&mut parts);
            req = http::Request::from_parts(parts, body);
        }
        self.0.call(req)
    }
}

/// Counts the bytes written.
struct Count(usize);

impl std::fmt::Write for Count {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// An engine.io request without a session id: the handshake of a new session (polling or
/// websocket), whose head engineioxide keeps.
fn opens_session(uri: &Uri) -> bool {
    uri.query()
        .is_some_and(|q| q.contains("EIO=") && !q.contains("sid="))
}

/// Moves the URI and the header values of `parts` into one buffer of their own. Anything that
/// does not parse back the same way is left as it was.
fn compact(parts: &mut http::request::Parts) {
    let mut uri_len = Count(0);
    // Counting and writing into a vector cannot fail.
    let _ = write!(uri_len, "{}", parts.uri);
    let len = uri_len.0 + parts.headers.values().map(|v| v.len()).sum::<usize>();
    let mut buf = Vec::with_capacity(len);
    let _ = std::io::Write::write_fmt(&mut buf, format_args!("{}", parts.uri));
    let uri_len = buf.len();
    for value in parts.headers.values() {
        buf.extend_from_slice(value.as_bytes());
    }
    let buf = Bytes::from(buf);
    if let Ok(uri) = Uri::from_maybe_shared(buf.slice(..uri_len)) {
        parts.uri = uri;
    }
    let mut at = uri_len;
    for value in parts.headers.values_mut() {
        let end = at + value.len();
        if let Ok(mut copy) = HeaderValue::from_maybe_shared(buf.slice(at..end)) {
            copy.set_sensitive(value.is_sensitive());
            *value = copy;
        }
        at = end;
    }
}

/// What a listener needs besides its router: the limits it enforces, and where it counts.
pub(crate) struct Serving {
    pub(crate) admission: Arc<Admission>,
    pub(crate) head_timeout: Duration,
    pub(crate) max_buffered_bytes: Option<usize>,
    pub(crate) metrics: Option<Arc<Metrics>>,
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets the open connections
/// finish their request (websockets are closed by socket.io's own shutdown).
///
/// A loop of its own rather than `axum::serve`, for what that one does not do: a deadline
/// for the request head (hyper's, which needs a timer axum does not give it), connection
/// limits checked before a request is read, and a back-off on accept errors that does not log
/// every second while the process is out of file descriptors.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    serving: Serving,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let mut shutdown = std::pin::pin!(shutdown);
    let closing = CancellationToken::new();
    let connections = TaskTracker::new();
    let mut backoff = Duration::ZERO;
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (tcp, peer) = match accepted {
            Ok(accepted) => {
                backoff = Duration::ZERO;
                accepted
            }
            Err(e) => {
                // Out of file descriptors (or another transient error): the pending connection
                // stays in the backlog; wait a little longer each time rather than spin.
                backoff = (backoff * 2).clamp(Duration::from_millis(5), Duration::from_secs(1));
                ACCEPT_ERRORS.note(&e);
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(backoff) => continue,
                }
            }
        };
        let admitted = match serving.admission.admit(peer.ip()) {
            Ok(admitted) => admitted,
            Err(reason) => {
                if let Some(m) = &serving.metrics {
                    m.refused(reason.as_str());
                }
                REFUSALS.note(&reason.as_str());
                connections.spawn(refuse(tcp));
                continue;
            }
        };
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("could not set TCP_NODELAY: {e}");
        }
        let io = TokioIo::new(Conn::new(tcp, peer, admitted, serving.max_buffered_bytes));
        // The peer, where axum's own server puts it: `SocketRef::remote_addr` reads it from
        // the session's request head, and a user's axum handlers find it as `ConnectInfo`.
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut req: http::Request<Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                req.map(axum::body::Body::new)
            },
        ));
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(serving.head_timeout)
            .serve_connection(io, service)
            .with_upgrades();
        let closing = closing.clone();
        connections.spawn(async move {
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(e) = result {
                        tracing::trace!("connection {peer} ended: {e}");
                    }
                    return;
                }
                () = closing.cancelled() => conn.as_mut().graceful_shutdown(),
            }
            if let Err(e) = conn.await {
                tracing::trace!("connection {peer} ended: {e}");
            }
        });
    }
    drop(listener);
    closing.cancel();
    connections.close();
    connections.wait().await;
}

/// Answers a connection past a limit with a 503, without reading its request, and closes it.
async fn refuse(mut tcp: TcpStream) {
    const BODY: &str = "Too many connections";
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{BODY}",
        BODY.len()
    );
    let write = async {
        tcp.write_all(response.as_bytes()).await?;
        tcp.shutdown().await
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), write).await;
}

/// Accept errors, logged at most once a second with their count.
static ACCEPT_ERRORS: LogEvery =
    LogEvery::new("accept errors (is the process out of file descriptors?)");

/// Requests from disallowed origins, logged at most once a second with their count.
static ORIGINS_REFUSED: LogEvery = LogEvery::new("requests refused from a disallowed origin");

/// Connections refused by a limit, logged at most once a second with their count.
static REFUSALS: LogEvery = LogEvery::new("connections refused (limit reached)");

fn cors_layer(cors: &CorsOptions) -> CorsLayer {
    let origin = match cors.origins {
        // A wildcard cannot go with credentials: reflect the request's origin instead.
        Origins::Any if cors.credentials => AllowOrigin::mirror_request(),
        Origins::Any => AllowOrigin::any(),
        Origins::List(list) => {
            AllowOrigin::list(list.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
        }
    };
    let methods: Vec<Method> = cors
        .methods
        .unwrap_or(&["GET", "POST"])
        .iter()
        .filter_map(|m| Method::from_bytes(m.as_bytes()).ok())
        .collect();
    let headers = if cors.credentials {
        AllowHeaders::mirror_request()
    } else {
        AllowHeaders::any()
    };
    CorsLayer::new()
        .allow_origin(origin)
        .allow_methods(methods)
        .allow_headers(headers)
        .allow_credentials(cors.credentials)
}

async fn refuse_origin(
    origins: Origins,
    metrics: Option<Arc<Metrics>>,
    req: Request,
    next: Next,
) -> Response {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok());
    if origins.allows(origin) {
        return next.run(req).await;
    }
    if let Some(m) = &metrics {
        m.refused("origin");
    }
    tracing::debug!(origin, path = %req.uri().path(), "refused a connection from a disallowed origin");
    ORIGINS_REFUSED.note(&format_args!("origin {}", origin.unwrap_or("?")));
    (StatusCode::FORBIDDEN, "Origin not allowed").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_session_handshakes_are_compacted() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert!(opens_session(&uri("/socket.io/?EIO=4&transport=websocket")));
        assert!(!opens_session(&uri(
            "/socket.io/?EIO=4&transport=polling&sid=abc"
        )));
        assert!(!opens_session(&uri("/health")));
    }

    #[test]
    fn compacting_keeps_the_head_as_it_was() {
        let mut secret = HeaderValue::from_static("Bearer x");
        secret.set_sensitive(true);
        let req = http::Request::builder()
            .uri("http://example.test/socket.io/?EIO=4&transport=websocket&token=a%20b")
            .header(header::HOST, "example.test")
            .header("x-multi", "one")
            .header("x-multi", "two")
            .header(header::AUTHORIZATION, secret)
            .body(())
            .unwrap();
        let (before, ()) = req.into_parts();
        let mut after = before.clone();
        compact(&mut after);
        assert_eq!(after.uri, before.uri);
        assert_eq!(after.uri.to_string(), before.uri.to_string());
        assert_eq!(after.headers, before.headers);
        let multi: Vec<_> = after.headers.get_all("x-multi").iter().collect();
        assert_eq!(multi, ["one", "two"]);
        assert!(after.headers[header::AUTHORIZATION].is_sensitive());
    }
}
