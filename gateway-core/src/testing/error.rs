//! What can go wrong in a test client, as values a test can assert on.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use socketioxide_core::parser::ParserError;

/// The server refused to connect the client to the namespace: socket.io's `connect_error`.
///
/// A connection guard's refusal arrives as one, with the message the guard chose, and so does
/// an unknown namespace ("Invalid namespace").
///
/// ```no_run
/// # async fn run(addr: std::net::SocketAddr) -> Result<(), gateway_core::testing::TestClientError> {
/// use gateway_core::testing::TestClient;
///
/// let refused = TestClient::builder(addr).namespace("/admin").connect_error().await?;
/// assert_eq!(refused.message, "Unauthorized");
/// assert_eq!(refused.data, None);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ConnectError {
    /// The `message` of the `connect_error` packet.
    pub message: String,
    /// Its `data`, when the server sent any.
    #[serde(default)]
    pub data: Option<serde_json::Value>,
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(data) = &self.data {
            write!(f, " (data: {data})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConnectError {}

/// Why a client's connection ended, with the reason strings of the JavaScript socket.io
/// client (`socket.on("disconnect", reason => ...)`).
///
/// ```no_run
/// # async fn run(client: gateway_core::testing::TestClient) -> Result<(), gateway_core::testing::TestClientError> {
/// use gateway_core::testing::CloseReason;
///
/// // The server called `socket.disconnect()`.
/// let reason = client.disconnected().await?;
/// assert_eq!(reason, CloseReason::ServerDisconnect);
/// assert_eq!(reason.as_str(), "io server disconnect");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The server disconnected the socket: "io server disconnect".
    ServerDisconnect,
    /// The client disconnected itself with [`TestClient::disconnect`]: "io client disconnect".
    ///
    /// [`TestClient::disconnect`]: super::TestClient::disconnect
    ClientDisconnect,
    /// The server closed the connection under the socket (a shutdown, a closed session):
    /// "transport close".
    TransportClose,
    /// The connection failed: "transport error", with what failed.
    TransportError(String),
}

impl CloseReason {
    /// The reason as the JavaScript client names it.
    ///
    /// ```
    /// use gateway_core::testing::CloseReason;
    ///
    /// assert_eq!(CloseReason::TransportClose.as_str(), "transport close");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::ServerDisconnect => "io server disconnect",
            Self::ClientDisconnect => "io client disconnect",
            Self::TransportClose => "transport close",
            Self::TransportError(_) => "transport error",
        }
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TransportError(why) => write!(f, "transport error: {why}"),
            other => f.write_str(other.as_str()),
        }
    }
}

/// A failure of a [`TestClient`](super::TestClient) operation.
///
/// Every wait is bounded: what did not happen in time is a [`Timeout`](Self::Timeout) that
/// names what was awaited.
///
/// ```no_run
/// # async fn run(client: gateway_core::testing::TestClient) {
/// use gateway_core::testing::TestClientError;
///
/// match client.expect::<String>("never-sent").await {
///     Err(TestClientError::Timeout { what, after }) => println!("no {what} within {after:?}"),
///     other => panic!("expected a timeout, got {other:?}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestClientError {
    /// Nothing came within the bound.
    #[error("timed out after {after:?} waiting for {what}")]
    Timeout {
        /// What was awaited: "event `chat/receive`", "the ack of `login`", ...
        what: String,
        /// The bound that passed.
        after: Duration,
    },
    /// The server refused the connection.
    #[error("the server refused the connection: {0}")]
    ConnectError(ConnectError),
    /// [`connect_error`](super::TestClientBuilder::connect_error) expected a refusal, and the
    /// server accepted the client.
    #[error("expected a connect_error, but {namespace} accepted the client")]
    Accepted {
        /// The namespace that accepted it.
        namespace: String,
    },
    /// The connection is over, so what was awaited can no longer come.
    #[error("the connection is closed ({0})")]
    Disconnected(CloseReason),
    /// [`expect_none`](super::TestClient::expect_none) saw the event it should not have.
    #[error("event `{event}` arrived while none was expected: {data}")]
    Unexpected {
        /// The event's name.
        event: String,
        /// Its arguments, as JSON (binary attachments as placeholders).
        data: String,
    },
    /// [`expect_with_ack`](super::TestClient::expect_with_ack) got an event for which the
    /// server asked no ack (a plain `emit`).
    #[error(
        "event `{event}` arrived without an ack to answer: the server used `emit`, not `emit_with_ack`"
    )]
    NoAckAsked {
        /// The event's name.
        event: String,
    },
    /// What arrived does not decode as the requested type.
    #[error("cannot decode {what} from {data}: {source}")]
    Decode {
        /// What was being decoded.
        what: String,
        /// The JSON that arrived (binary attachments as placeholders).
        data: String,
        /// The serde error.
        source: ParserError,
    },
    /// The data to send does not serialize.
    #[error("cannot serialize the data of `{event}`: {source}")]
    Encode {
        /// The event being sent.
        event: String,
        /// The serde error.
        source: ParserError,
    },
    /// The server could not be reached, or broke the engine.io or socket.io protocol.
    #[error("{0}")]
    Transport(String),
}

impl TestClientError {
    /// The `connect_error`, when this is one.
    ///
    /// ```no_run
    /// # async fn run(addr: std::net::SocketAddr) {
    /// use gateway_core::testing::TestClient;
    ///
    /// let error = TestClient::builder(addr).namespace("/nowhere").connect().await.unwrap_err();
    /// assert_eq!(error.connect_error().map(|e| e.message.as_str()), Some("Invalid namespace"));
    /// # }
    /// ```
    pub fn connect_error(&self) -> Option<&ConnectError> {
        match self {
            Self::ConnectError(refused) => Some(refused),
            _ => None,
        }
    }
}
