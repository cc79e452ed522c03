//! HTTP beside the gateways: the application's own axum routes, served on the main listener
//! with socket.io, and [`Inject`], the extractor that hands their handlers a provider.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crate::di::{Injectable, Registry, TypeKey};

/// A provider of the application, in an axum handler: `Inject(chat): Inject<ChatService>`.
///
/// The same singleton the gateways get, looked up by type in the built providers (a map read,
/// no lock). A type that no module provides answers 500 and logs which one, so the mistake is
/// seen on the first request.
///
/// ```no_run
/// use axum::routing::get;
/// use gateway_core::prelude::*;
/// use gateway_core::Inject;
///
/// #[injectable]
/// struct ChatService;
///
/// #[module(providers = [ChatService])]
/// struct AppModule;
///
/// async fn health(Inject(_chat): Inject<ChatService>) -> &'static str {
///     "ok"
/// }
///
/// # async fn run() -> Result<(), BoxError> {
/// GatewayApplication::create::<AppModule>()
///     .await?
///     .with_routes(axum::Router::new().route("/health", get(health)))
///     .listen("127.0.0.1:3000")
///     .await
/// # }
/// ```
pub struct Inject<T>(pub Arc<T>);

impl<T> std::ops::Deref for Inject<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Why [`Inject`] could not give its provider: a 500, since the route is wrong, not the request.
#[derive(Debug, thiserror::Error)]
#[error("{0} is not a provider of this application (list it in a module's providers)")]
pub struct NotAProvider(&'static str);

impl IntoResponse for NotAProvider {
    fn into_response(self) -> Response {
        tracing::error!(target: "GatewayApplication", "Inject: {self}");
        (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error").into_response()
    }
}

impl<T: Injectable, S: Send + Sync> FromRequestParts<S> for Inject<T> {
    type Rejection = NotAProvider;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Arc<Registry>>()
            .and_then(|r| r.provider::<T>())
            .map(Inject)
            .ok_or(NotAProvider(TypeKey::of::<T>().name))
    }
}

/// `GET` of the metrics in the Prometheus text format (OpenMetrics 1.0, which Prometheus reads).
pub(crate) fn metrics_route(metrics: Arc<crate::metrics::Metrics>) -> axum::routing::MethodRouter {
    axum::routing::get(move || {
        let metrics = metrics.clone();
        async move {
            (
                [(
                    http::header::CONTENT_TYPE,
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                )],
                metrics.encode(),
            )
        }
    })
}
