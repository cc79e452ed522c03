//! Connection guards (beyond NestJS, whose guards cannot protect `handleConnection`: #882):
//! they run at the handshake, before the client is connected, with its auth payload, headers
//! and query. A denial refuses the connection with a socket.io `connect_error` whose `message`
//! the guard chooses ("Unauthorized" by default).

use std::future::Future;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::socket::SocketRef;

/// The connection being made.
pub struct ConnectionContext<'a> {
    pub(crate) socket: &'a SocketRef,
    pub(crate) auth: &'a Value,
}

impl ConnectionContext<'_> {
    /// The socket (not connected yet). Store what the guard learned on it with
    /// `ctx.socket().extensions().insert(user)`; handlers take it back with `Extension<User>`.
    pub fn socket(&self) -> &SocketRef {
        self.socket
    }

    /// The client's `auth` payload (`io(url, { auth: {...} })`), `{}` when it sent none.
    pub fn auth(&self) -> &Value {
        self.auth
    }

    /// The auth payload decoded as `T`.
    pub fn auth_as<T: DeserializeOwned>(&self) -> Option<T> {
        T::deserialize(self.auth).ok()
    }

    /// The handshake's HTTP headers.
    pub fn headers(&self) -> &http::HeaderMap {
        &self.socket.req_parts().headers
    }

    /// A query parameter of the handshake URL (`io(url, { query: {...} })`), decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        let query = self.socket.req_parts().uri.query()?;
        form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// Why a connection was refused: the `message` of the client's `connect_error`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ConnectionRefused {
    message: String,
}

impl ConnectionRefused {
    /// A refusal with this message.
    pub fn new(message: impl Into<String>) -> Self {
        ConnectionRefused {
            message: message.into(),
        }
    }

    /// "Unauthorized".
    pub fn unauthorized() -> Self {
        Self::new("Unauthorized")
    }
}

/// A guard on the connection itself: `Ok(true)` lets it connect, `Ok(false)` refuses it with
/// "Unauthorized", `Err(r)` refuses it with `r`'s message.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a connection guard",
    label = "not a connection guard",
    note = "implement `ConnectionGuard` for `{Self}`"
)]
pub trait ConnectionGuard: Send + Sync + 'static {
    /// `Ok(true)` lets the client connect; `Ok(false)` refuses it with "Unauthorized".
    fn can_connect(
        &self,
        ctx: &ConnectionContext<'_>,
    ) -> impl Future<Output = Result<bool, ConnectionRefused>> + Send;

    /// The JSON Schema of the `auth` payload this guard expects, for the API description
    /// (`None`, the default: not described). Usually `Some(generator.subschema_for::<T>())`
    /// with the type the guard reads through [`ConnectionContext::auth_as`].
    fn auth_schema(generator: &mut schemars::SchemaGenerator) -> Option<schemars::Schema>
    where
        Self: Sized,
    {
        let _ = generator;
        None
    }
}

/// The object-safe face of [`ConnectionGuard`].
pub(crate) trait DynConnectionGuard: Send + Sync + 'static {
    fn can_connect<'a>(
        &'a self,
        ctx: &'a ConnectionContext<'a>,
    ) -> BoxFuture<'a, Result<bool, ConnectionRefused>>;
}

impl<G: ConnectionGuard> DynConnectionGuard for G {
    fn can_connect<'a>(
        &'a self,
        ctx: &'a ConnectionContext<'a>,
    ) -> BoxFuture<'a, Result<bool, ConnectionRefused>> {
        Box::pin(ConnectionGuard::can_connect(self, ctx))
    }
}

/// Runs the connection guards in order; the first that refuses decides the message.
pub(crate) async fn check(
    guards: &[Arc<dyn DynConnectionGuard>],
    ctx: &ConnectionContext<'_>,
) -> Result<(), ConnectionRefused> {
    for guard in guards {
        if !guard.can_connect(ctx).await? {
            return Err(ConnectionRefused::unauthorized());
        }
    }
    Ok(())
}
