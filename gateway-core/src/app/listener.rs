//! One HTTP listener per port: socketioxide's layer behind CORS (tower-http) and an Origin check
//! that refuses disallowed browsers on both the polling and the websocket handshake.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt;
use http::{HeaderValue, Method, StatusCode, header};
use socketioxide::adapter::Adapter;
use socketioxide::layer::SocketIoLayer;
use tokio::net::TcpListener;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use crate::error::StartupError;
use crate::gateway::{CorsOptions, Origins};

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
) -> Router {
    let router = routes.layer(layer);
    match cors {
        None => router,
        Some(cors) => router
            .layer(axum::middleware::from_fn(
                move |req: Request, next: Next| refuse_origin(cors.origins, req, next),
            ))
            .layer(cors_layer(&cors)),
    }
}

/// Serves `router` on `listener` until `shutdown` resolves. TCP_NODELAY on every connection.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("could not set TCP_NODELAY: {e}");
        }
    });
    if let Err(e) = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
    {
        tracing::error!("listener stopped: {e}");
    }
}

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

async fn refuse_origin(origins: Origins, req: Request, next: Next) -> Response {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok());
    if origins.allows(origin) {
        return next.run(req).await;
    }
    tracing::warn!(origin, path = %req.uri().path(), "refused a connection from a disallowed origin");
    (StatusCode::FORBIDDEN, "Origin not allowed").into_response()
}
