//! The test client: a builder, the client's operations, and the task that sorts what arrives
//! into an inbox (events), a table of acks, and the connection's state.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use socketioxide_core::parser::Parse as _;
use socketioxide_core::{Str, Value};
use socketioxide_parser_common::CommonParser;
use tokio::sync::{Notify, mpsc};

use super::engine::{self, Endpoint, Frame, Incoming};
use super::packet::{Kind, Packet};
use super::{CloseReason, ConnectError, TestClientError};
use crate::app::Server;

/// How long a [`TestClient`] waits for anything, unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The engine.io transport a [`TestClient`] uses, for its whole life (it never upgrades).
///
/// ```no_run
/// # async fn run(addr: std::net::SocketAddr) -> Result<(), gateway_core::testing::TestClientError> {
/// use gateway_core::testing::{TestClient, Transport};
///
/// let client = TestClient::builder(addr).transport(Transport::Polling).connect().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Transport {
    /// A WebSocket from the start (socket.io-client's `transports: ["websocket"]`).
    #[default]
    WebSocket,
    /// HTTP long-polling only (`transports: ["polling"]`).
    Polling,
    /// No network: engine.io packets go over channels to the server in the same process
    /// (socketioxide's test harness), for the fast inner loop. Only for clients made by
    /// [`TestApp::client`](super::TestApp::client). The handshake has no headers or query,
    /// only the `auth`.
    InProcess,
}

/// Options of a connection, from [`TestClient::builder`].
///
/// ```no_run
/// # async fn run(addr: std::net::SocketAddr) -> Result<(), gateway_core::testing::TestClientError> {
/// use gateway_core::testing::{TestClient, Transport};
/// use serde_json::json;
/// use std::time::Duration;
///
/// let client = TestClient::builder(addr)
///     .namespace("/chat")
///     .auth(json!({ "token": "secret" }))
///     .query("room", "lobby")
///     .transport(Transport::Polling)
///     .timeout(Duration::from_secs(2))
///     .connect()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `connect`"]
pub struct TestClientBuilder {
    authority: String,
    /// The server itself, when the client comes from a [`TestApp`](super::TestApp).
    server: Option<LocalServer>,
    path: String,
    namespace: String,
    auth: Option<serde_json::Value>,
    query: Vec<(String, String)>,
    transport: Transport,
    timeout: Duration,
}

impl TestClientBuilder {
    /// The namespace to connect to, `/` by default. The leading slash may be left out.
    ///
    /// ```no_run
    /// # async fn run(addr: std::net::SocketAddr) -> Result<(), gateway_core::testing::TestClientError> {
    /// let client = gateway_core::testing::TestClient::builder(addr).namespace("/chat").connect().await?;
    /// # Ok(()) }
    /// ```
    pub fn namespace(mut self, namespace: &str) -> Self {
        self.namespace = match namespace.strip_prefix('/') {
            Some(_) => namespace.to_owned(),
            None => format!("/{namespace}"),
        };
        self
    }

    /// The `auth` payload of the CONNECT packet (`io(url, { auth })`), which connection guards
    /// read. None by default (the server then sees `{}`).
    ///
    /// ```no_run
    /// # async fn run(addr: std::net::SocketAddr) -> Result<(), gateway_core::testing::TestClientError> {
    /// let client = gateway_core::testing::TestClient::builder(addr)
    ///     .auth(serde_json::json!({ "token": "secret" }))
    ///     .connect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn auth(mut self, auth: serde_json::Value) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Adds a query parameter to the handshake URL (`io(url, { query })`).
    ///
    /// ```no_run
    /// # async fn run(addr: std::net::SocketAddr) -> Result<(), gateway_core::testing::TestClientError> {
    /// let client = gateway_core::testing::TestClient::builder(addr)
    ///     .query("api_key", "k-123")
    ///     .connect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The transport, [`Transport::WebSocket`] by default.
    ///
    /// ```no_run
    /// # async fn run(addr: std::net::SocketAddr) -> Result<(), gateway_core::testing::TestClientError> {
    /// use gateway_core::testing::{TestClient, Transport};
    ///
    /// let client = TestClient::builder(addr).transport(Transport::Polling).connect().await?;
    /// # Ok(()) }
    /// ```
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }

    /// The engine.io path of the server, `/socket.io` by default (a gateway's `path` option).
    ///
    /// ```no_run
    /// # async fn run(addr: std::net::SocketAddr) -> Result<(), gateway_core::testing::TestClientError> {
    /// let client = gateway_core::testing::TestClient::builder(addr).path("/ws").connect().await?;
    /// # Ok(()) }
    /// ```
    pub fn path(mut self, path: &str) -> Self {
        self.path = path.to_owned();
        self
    }

    /// The bound of every wait: the connection, each ack, each `expect`.
    /// [`DEFAULT_TIMEOUT`] unless set.
    ///
    /// ```no_run
    /// # async fn run(addr: std::net::SocketAddr) -> Result<(), gateway_core::testing::TestClientError> {
    /// let client = gateway_core::testing::TestClient::builder(addr)
    ///     .timeout(std::time::Duration::from_millis(500))
    ///     .connect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Opens the connection and joins the namespace.
    ///
    /// A refusal by the server is [`TestClientError::ConnectError`]; use
    /// [`connect_error`](Self::connect_error) when the refusal is what the test expects.
    ///
    /// ```no_run
    /// # async fn run(addr: std::net::SocketAddr) -> Result<(), gateway_core::testing::TestClientError> {
    /// let client = gateway_core::testing::TestClient::builder(addr).namespace("/chat").connect().await?;
    /// println!("connected as {}", client.id());
    /// # Ok(()) }
    /// ```
    pub async fn connect(self) -> Result<TestClient, TestClientError> {
        let bound = self.timeout;
        let what = format!("the connection to {}{}", self.authority, self.namespace);
        match tokio::time::timeout(bound, self.open()).await {
            Ok(result) => result,
            Err(_) => Err(TestClientError::Timeout { what, after: bound }),
        }
    }

    /// Expects the server to refuse the connection, and returns its `connect_error`.
    /// Being connected is an error.
    ///
    /// ```no_run
    /// # async fn run(addr: std::net::SocketAddr) -> Result<(), gateway_core::testing::TestClientError> {
    /// let refused = gateway_core::testing::TestClient::builder(addr)
    ///     .namespace("/chat")
    ///     .connect_error()
    ///     .await?;
    /// assert_eq!(refused.message, "Unauthorized");
    /// # Ok(()) }
    /// ```
    pub async fn connect_error(self) -> Result<ConnectError, TestClientError> {
        let namespace = self.namespace.clone();
        match self.connect().await {
            Err(TestClientError::ConnectError(refused)) => Ok(refused),
            Err(other) => Err(other),
            Ok(_) => Err(TestClientError::Accepted { namespace }),
        }
    }

    /// Makes the builder's connections able to run in process, on `server`.
    pub(crate) fn with_server(mut self, server: Arc<dyn Server>) -> Self {
        self.server = Some(LocalServer(server));
        self
    }

    async fn open(self) -> Result<TestClient, TestClientError> {
        let engine = if self.transport == Transport::InProcess {
            let Some(LocalServer(server)) = &self.server else {
                return Err(TestClientError::Transport(
                    "Transport::InProcess needs a client made by TestApp::client or TestApp::client_on".to_owned(),
                ));
            };
            let pipe = server
                .connect_in_process(interned(&self.namespace), self.auth.clone())
                .await;
            engine::in_process(pipe)
        } else {
            let query = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&self.query)
                .finish();
            let endpoint = Endpoint {
                authority: self.authority,
                path: self.path,
                query,
            };
            engine::open(endpoint, self.transport)
                .await
                .map_err(TestClientError::Transport)?
        };

        let shared = Arc::new(Shared::default());
        tokio::spawn(drive(
            Arc::clone(&shared),
            self.namespace.clone(),
            engine.incoming,
        ));

        // In process, the harness has sent the CONNECT packet.
        if self.transport != Transport::InProcess {
            let mut connect = Packet::new(Kind::Connect, &self.namespace);
            connect.data = self.auth.as_ref().map(ToString::to_string);
            let _ = engine.outgoing.send(Frame::Text(connect.encode()));
        }

        let connected = shared
            .wait(
                || "the CONNECT answer".to_owned(),
                self.timeout,
                |state| state.connected.take(),
            )
            .await?;
        let id = connected.map_err(TestClientError::ConnectError)?;
        if let (Transport::InProcess, Some(LocalServer(server))) = (self.transport, &self.server) {
            server.mark_in_process(&self.namespace, &id);
        }
        Ok(TestClient {
            id,
            namespace: self.namespace,
            timeout: self.timeout,
            shared,
            outgoing: Mutex::new(Some(engine.outgoing)),
            next_ack: AtomicU64::new(0),
        })
    }
}

/// A socket.io server of a running application, for in-process clients.
#[derive(Clone)]
struct LocalServer(Arc<dyn Server>);

impl fmt::Debug for LocalServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LocalServer")
    }
}

/// `namespace` as a `&'static str`, which socketioxide's harness asks for: each distinct
/// namespace of a test run is leaked once.
fn interned(namespace: &str) -> &'static str {
    static SEEN: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(s) = seen.iter().find(|s| **s == namespace) {
        return s;
    }
    let s: &'static str = Box::leak(namespace.to_owned().into_boxed_str());
    seen.push(s);
    s
}

/// An asynchronous socket.io v5 client for tests, connected to one namespace.
///
/// Events the server sends wait in an inbox until [`expect`](Self::expect) takes them, each
/// kind in its order of arrival; an event nobody expects does not stand in the way of
/// another. Every wait is bounded by the client's timeout ([`DEFAULT_TIMEOUT`] unless set)
/// and fails with [`TestClientError::Timeout`] when nothing comes.
///
/// Data goes through serde as it does on the server: a tuple is several arguments, and
/// [`Bytes`] (anywhere in the data) travel as binary attachments.
///
/// It speaks plain `http://` (tests run on loopback) and stays on the transport it started
/// with. The acks the server asks of it (`emit_with_ack` from the server) are answered only
/// when a test says so, with [`expect_with_ack`](Self::expect_with_ack): a client that never
/// answers is one that lets the server's ack time out.
///
/// ```no_run
/// # async fn run(addr: std::net::SocketAddr) -> Result<(), gateway_core::testing::TestClientError> {
/// use gateway_core::testing::TestClient;
/// use serde_json::{Value, json};
///
/// let client = TestClient::builder(addr).namespace("/chat").connect().await?;
/// client.emit("join", &json!({ "roomId": "r1" })).await?;
/// let joined: Value = client.expect("joined").await?;
/// let ack: Value = client.emit_with_ack("chat/send", &json!({ "roomId": "r1", "message": "hi" })).await?;
/// assert_eq!(ack, json!({ "ok": true }));
/// # Ok(()) }
/// ```
pub struct TestClient {
    id: String,
    namespace: String,
    timeout: Duration,
    shared: Arc<Shared>,
    /// Dropped on disconnect, which closes the engine.io session.
    outgoing: Mutex<Option<mpsc::UnboundedSender<Frame>>>,
    next_ack: AtomicU64,
}

impl fmt::Debug for TestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestClient")
            .field("id", &self.id)
            .field("namespace", &self.namespace)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl TestClient {
    /// Starts a connection to `server`: `127.0.0.1:3000`, `http://127.0.0.1:3000`, or a
    /// [`SocketAddr`](std::net::SocketAddr) such as [`RunningApp::addr`](crate::RunningApp::addr).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), gateway_core::testing::TestClientError> {
    /// let client = gateway_core::testing::TestClient::builder("http://127.0.0.1:3000")
    ///     .connect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn builder(server: impl fmt::Display) -> TestClientBuilder {
        let server = server.to_string();
        let server = server.strip_prefix("http://").unwrap_or(&server);
        let authority = server.split('/').next().unwrap_or_default().to_owned();
        TestClientBuilder {
            authority,
            server: None,
            path: "/socket.io".to_owned(),
            namespace: "/".to_owned(),
            auth: None,
            query: Vec::new(),
            transport: Transport::default(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Connects to `namespace` of `server` with the default options.
    ///
    /// ```no_run
    /// # async fn run(addr: std::net::SocketAddr) -> Result<(), gateway_core::testing::TestClientError> {
    /// let client = gateway_core::testing::TestClient::connect(addr, "/chat").await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect(
        server: impl fmt::Display,
        namespace: &str,
    ) -> Result<Self, TestClientError> {
        Self::builder(server).namespace(namespace).connect().await
    }

    /// The namespace the client is connected to, with its leading slash.
    ///
    /// ```no_run
    /// # async fn run(addr: std::net::SocketAddr) -> Result<(), gateway_core::testing::TestClientError> {
    /// let client = gateway_core::testing::TestClient::connect(addr, "chat").await?;
    /// assert_eq!(client.namespace(), "/chat");
    /// # Ok(()) }
    /// ```
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The socket's id, as the server knows it (`socket.id`).
    ///
    /// ```no_run
    /// # async fn run(client: gateway_core::testing::TestClient) {
    /// assert!(!client.id().is_empty());
    /// # }
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The bound of every wait of this client.
    ///
    /// ```no_run
    /// # async fn run(client: gateway_core::testing::TestClient) {
    /// assert_eq!(client.timeout(), gateway_core::testing::DEFAULT_TIMEOUT);
    /// # }
    /// ```
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Changes the bound of every later wait.
    ///
    /// ```no_run
    /// # async fn run(mut client: gateway_core::testing::TestClient) {
    /// client.set_timeout(std::time::Duration::from_millis(200));
    /// # }
    /// ```
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Sends an event. `data` is one argument, or several as a tuple.
    ///
    /// ```no_run
    /// # async fn run(client: gateway_core::testing::TestClient) -> Result<(), gateway_core::testing::TestClientError> {
    /// client.emit("message", &"hello").await?;
    /// client.emit("move", &(3, 4)).await?;              // two arguments
    /// client.emit("upload", &bytes::Bytes::from_static(b"\x00\x01")).await?; // binary
    /// # Ok(()) }
    /// ```
    pub async fn emit<T: Serialize + ?Sized>(
        &self,
        event: &str,
        data: &T,
    ) -> Result<(), TestClientError> {
        self.send(event, data, None)
    }

    /// Sends an event with an ack and waits for the ack, decoded as `T` (the first argument
    /// of the ack, or all of them when `T` is a tuple).
    ///
    /// ```no_run
    /// # async fn run(client: gateway_core::testing::TestClient) -> Result<(), gateway_core::testing::TestClientError> {
    /// let echoed: u32 = client.emit_with_ack("identity", &7).await?;
    /// assert_eq!(echoed, 7);
    /// # Ok(()) }
    /// ```
    pub async fn emit_with_ack<T: DeserializeOwned>(
        &self,
        event: &str,
        data: &(impl Serialize + ?Sized),
    ) -> Result<T, TestClientError> {
        let id = self.next_ack.fetch_add(1, Ordering::Relaxed);
        self.send(event, data, Some(id))?;
        let mut value = self
            .shared
            .wait(
                || format!("the ack of `{event}`"),
                self.timeout,
                |state| state.acks.remove(&id),
            )
            .await?;
        decode(&mut value, false, || format!("the ack of `{event}`"))
    }

    /// Waits for the next `event` from the server and decodes it as `T` (its first argument,
    /// or all of them when `T` is a tuple). Other events stay in the inbox for later calls.
    ///
    /// ```no_run
    /// # async fn run(client: gateway_core::testing::TestClient) -> Result<(), gateway_core::testing::TestClientError> {
    /// use serde_json::Value;
    ///
    /// let welcome: Value = client.expect("welcome").await?;
    /// let exception: Value = client.expect("exception").await?;
    /// assert_eq!(exception["message"], "Validation failed");
    /// # Ok(()) }
    /// ```
    pub async fn expect<T: DeserializeOwned>(&self, event: &str) -> Result<T, TestClientError> {
        let mut value = self
            .shared
            .wait(
                || format!("event `{event}`"),
                self.timeout,
                |state| state.take_event(event),
            )
            .await?;
        decode(&mut value, true, || format!("event `{event}`"))
    }

    /// Waits for the next `event` from the server, like [`expect`](Self::expect), together
    /// with the ack the server asked for with it (`emit_with_ack` on the server), for the test
    /// to answer, or not. Fails with [`TestClientError::NoAckAsked`] when the server asked for
    /// none.
    ///
    /// ```no_run
    /// # async fn run(client: gateway_core::testing::TestClient) -> Result<(), gateway_core::testing::TestClientError> {
    /// use serde_json::{Value, json};
    ///
    /// let (question, ack): (Value, _) = client.expect_with_ack("confirm-clear").await?;
    /// ack.answer(&json!({ "ok": true }))?; // what the server's emit_with_ack gets
    /// # Ok(()) }
    /// ```
    pub async fn expect_with_ack<T: DeserializeOwned>(
        &self,
        event: &str,
    ) -> Result<(T, AckRequest), TestClientError> {
        let (mut value, id) = self
            .shared
            .wait(
                || format!("event `{event}`"),
                self.timeout,
                |state| state.take_event_with_id(event),
            )
            .await?;
        let data = decode(&mut value, true, || format!("event `{event}`"))?;
        let Some(id) = id else {
            return Err(TestClientError::NoAckAsked {
                event: event.to_owned(),
            });
        };
        let outgoing = self
            .outgoing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(mpsc::UnboundedSender::downgrade);
        let request = AckRequest {
            event: event.to_owned(),
            namespace: self.namespace.clone(),
            id,
            outgoing,
        };
        Ok((data, request))
    }

    /// Checks that no `event` arrives within `within` (nor is waiting in the inbox).
    ///
    /// ```no_run
    /// # async fn run(client: gateway_core::testing::TestClient) -> Result<(), gateway_core::testing::TestClientError> {
    /// client.expect_none("exception", std::time::Duration::from_millis(100)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn expect_none(&self, event: &str, within: Duration) -> Result<(), TestClientError> {
        let waited = self
            .shared
            .wait(String::new, within, |state| state.take_event(event))
            .await;
        match waited {
            Err(TestClientError::Timeout { .. }) => Ok(()),
            Err(other) => Err(other),
            Ok(value) => Err(TestClientError::Unexpected {
                event: event.to_owned(),
                data: json_of(&value),
            }),
        }
    }

    /// Leaves the namespace and closes the connection, as socket.io-client's
    /// `socket.disconnect()`: the server sees "client namespace disconnect". Returns once the
    /// transport is closed, so that a server shut down next has nothing in flight.
    ///
    /// ```no_run
    /// # async fn run(client: gateway_core::testing::TestClient) -> Result<(), gateway_core::testing::TestClientError> {
    /// client.disconnect().await?;
    /// # Ok(()) }
    /// ```
    pub async fn disconnect(&self) -> Result<(), TestClientError> {
        let outgoing = self
            .outgoing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(outgoing) = outgoing {
            self.shared.update(|state| state.closing = true);
            let packet = Packet::new(Kind::Disconnect, &self.namespace);
            let _ = outgoing.send(Frame::Text(packet.encode()));
        }
        self.disconnected().await.map(drop)
    }

    /// Waits until the connection ends, and says why: [`CloseReason::ServerDisconnect`] when
    /// the server called `socket.disconnect()`.
    ///
    /// ```no_run
    /// # async fn run(client: gateway_core::testing::TestClient) -> Result<(), gateway_core::testing::TestClientError> {
    /// client.emit("kick-me", &()).await?;
    /// assert_eq!(client.disconnected().await?.as_str(), "io server disconnect");
    /// # Ok(()) }
    /// ```
    pub async fn disconnected(&self) -> Result<CloseReason, TestClientError> {
        self.shared
            .wait(
                || "the end of the connection".to_owned(),
                self.timeout,
                |state| state.closed.clone(),
            )
            .await
    }

    fn send(
        &self,
        event: &str,
        data: &(impl Serialize + ?Sized),
        id: Option<u64>,
    ) -> Result<(), TestClientError> {
        let frames = encode(&self.namespace, Some(event), data, id)?;
        let outgoing = self.outgoing.lock().unwrap_or_else(PoisonError::into_inner);
        let closed = || TestClientError::Disconnected(self.shared.close_reason());
        let Some(outgoing) = outgoing.as_ref() else {
            return Err(closed());
        };
        if self.shared.state().closed.is_some() {
            return Err(closed());
        }
        for frame in frames {
            outgoing.send(frame).map_err(|_| closed())?;
        }
        Ok(())
    }
}

/// The frames of an event (`event` set) or of an ack's answer: the packet, then its binary
/// attachments.
fn encode(
    namespace: &str,
    event: Option<&str>,
    data: &(impl Serialize + ?Sized),
    id: Option<u64>,
) -> Result<Vec<Frame>, TestClientError> {
    let name = || event.unwrap_or("the ack's answer").to_owned();
    let value =
        CommonParser
            .encode_value(data, event)
            .map_err(|source| TestClientError::Encode {
                event: name(),
                source,
            })?;
    // The common parser always encodes text, with binary data beside it.
    let Value::Str(json, attachments) = value else {
        return Err(TestClientError::Transport(format!(
            "`{}` was encoded as a binary packet",
            name()
        )));
    };
    let attachments = attachments.unwrap_or_default();
    let kind = match (event.is_some(), attachments.is_empty()) {
        (true, true) => Kind::Event,
        (true, false) => Kind::BinaryEvent,
        (false, true) => Kind::Ack,
        (false, false) => Kind::BinaryAck,
    };
    let packet = Packet {
        kind,
        nsp: namespace.to_owned(),
        id,
        attachments: attachments.len(),
        data: Some(json.as_str().to_owned()),
    };
    Ok(std::iter::once(Frame::Text(packet.encode()))
        .chain(attachments.into_iter().map(Frame::Binary))
        .collect())
}

/// An ack the server asked for with an event ([`TestClient::expect_with_ack`]): answer it, or
/// drop it to leave the server waiting until its timeout.
#[derive(Debug)]
#[must_use = "an ack request that is not answered lets the server's ack time out"]
pub struct AckRequest {
    event: String,
    namespace: String,
    id: u64,
    /// Weak: an unanswered request does not keep the client's connection open.
    outgoing: Option<mpsc::WeakUnboundedSender<Frame>>,
}

impl AckRequest {
    /// The event that asked for it.
    pub fn event(&self) -> &str {
        &self.event
    }

    /// Answers the ack with `data` (one argument, or several as a tuple; [`Bytes`] travel as
    /// binary attachments): what the server's `emit_with_ack` receives.
    pub fn answer<T: Serialize + ?Sized>(self, data: &T) -> Result<(), TestClientError> {
        let frames = encode(&self.namespace, None, data, Some(self.id))?;
        let closed = || TestClientError::Disconnected(CloseReason::TransportClose);
        let outgoing = self
            .outgoing
            .as_ref()
            .and_then(mpsc::WeakUnboundedSender::upgrade)
            .ok_or_else(closed)?;
        for frame in frames {
            outgoing.send(frame).map_err(|_| closed())?;
        }
        Ok(())
    }
}

impl Drop for TestClient {
    fn drop(&mut self) {
        // Like a closed browser tab: the session ends without a DISCONNECT packet.
        self.outgoing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }
}

fn decode<T: DeserializeOwned>(
    value: &mut Value,
    with_event: bool,
    what: impl FnOnce() -> String,
) -> Result<T, TestClientError> {
    let data = json_of(value);
    CommonParser
        .decode_value(value, with_event)
        .map_err(|source| TestClientError::Decode {
            what: what(),
            data,
            source,
        })
}

fn json_of(value: &Value) -> String {
    value.as_str().map(|s| s.to_string()).unwrap_or_default()
}

/// What arrived, shared between the client and its driver task.
#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Notify,
}

#[derive(Default)]
struct State {
    /// The answer to CONNECT: the socket id, or the refusal.
    connected: Option<Result<String, ConnectError>>,
    /// Events not expected yet: name, arguments and the ack id the server asked for, in
    /// order of arrival.
    inbox: VecDeque<(String, Value, Option<u64>)>,
    /// Acks not awaited yet, by id.
    acks: HashMap<u64, Value>,
    /// The client asked to disconnect; the transport is closing.
    closing: bool,
    closed: Option<CloseReason>,
}

impl State {
    fn take_event(&mut self, event: &str) -> Option<Value> {
        self.take_event_with_id(event).map(|(value, _)| value)
    }

    fn take_event_with_id(&mut self, event: &str) -> Option<(Value, Option<u64>)> {
        let at = self.inbox.iter().position(|(name, _, _)| name == event)?;
        self.inbox.remove(at).map(|(_, value, id)| (value, id))
    }
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update(&self, change: impl FnOnce(&mut State)) {
        change(&mut self.state());
        self.changed.notify_waiters();
    }

    fn close(&self, reason: CloseReason) {
        self.update(|state| {
            let reason = match state.closing {
                true => CloseReason::ClientDisconnect,
                false => reason,
            };
            state.closed.get_or_insert(reason);
        });
    }

    fn close_reason(&self) -> CloseReason {
        let state = self.state();
        match (&state.closed, state.closing) {
            (Some(reason), _) => reason.clone(),
            (None, true) => CloseReason::ClientDisconnect,
            (None, false) => CloseReason::TransportClose,
        }
    }

    /// Waits up to `bound` until `take` finds what it looks for. A closed connection ends
    /// the wait early, once what had arrived before the close has been looked at.
    async fn wait<R>(
        &self,
        what: impl FnOnce() -> String,
        bound: Duration,
        mut take: impl FnMut(&mut State) -> Option<R>,
    ) -> Result<R, TestClientError> {
        let waiting = async {
            loop {
                let notified = self.changed.notified();
                tokio::pin!(notified);
                // Registered before looking, so a change in between is not missed.
                notified.as_mut().enable();
                {
                    let mut state = self.state();
                    if let Some(found) = take(&mut state) {
                        return Ok(found);
                    }
                    if let Some(reason) = &state.closed {
                        return Err(TestClientError::Disconnected(reason.clone()));
                    }
                }
                notified.await;
            }
        };
        match tokio::time::timeout(bound, waiting).await {
            Ok(result) => result,
            Err(_) => Err(TestClientError::Timeout {
                what: what(),
                after: bound,
            }),
        }
    }

    /// Files one complete packet; `Some` when it ends the connection.
    fn file(&self, packet: Packet, attachments: Option<VecDeque<Bytes>>) -> Option<CloseReason> {
        let data = packet.data.unwrap_or_default();
        match packet.kind {
            Kind::Connect => {
                #[derive(serde::Deserialize)]
                struct Connected {
                    sid: String,
                }
                let id = serde_json::from_str::<Connected>(&data).map(|c| c.sid);
                self.update(|state| state.connected = Some(Ok(id.unwrap_or_default())));
                None
            }
            Kind::ConnectError => {
                let refused = serde_json::from_str(&data).unwrap_or(ConnectError {
                    message: data,
                    data: None,
                });
                self.update(|state| state.connected = Some(Err(refused)));
                Some(CloseReason::TransportClose)
            }
            Kind::Disconnect => Some(CloseReason::ServerDisconnect),
            Kind::Event | Kind::BinaryEvent => {
                let value = Value::Str(Str::from(data), attachments);
                let Ok(event) = CommonParser.read_event(&value).map(str::to_owned) else {
                    return Some(CloseReason::TransportError(format!(
                        "an event without a name: {}",
                        json_of(&value)
                    )));
                };
                // An ack the server asks for (`packet.id`) is answered by the test, through
                // `expect_with_ack`; until then (or if never) the server waits.
                self.update(|state| state.inbox.push_back((event, value, packet.id)));
                None
            }
            Kind::Ack | Kind::BinaryAck => {
                let value = Value::Str(Str::from(data), attachments);
                if let Some(id) = packet.id {
                    self.update(|state| {
                        state.acks.insert(id, value);
                    });
                }
                None
            }
        }
    }
}

/// Reads the engine.io session until it ends, joining binary attachments to their packet.
async fn drive(
    shared: Arc<Shared>,
    namespace: String,
    mut incoming: mpsc::UnboundedReceiver<Incoming>,
) {
    let mut partial: Option<(Packet, VecDeque<Bytes>)> = None;
    let reason = loop {
        let (packet, attachments) = match incoming.recv().await {
            None | Some(Incoming::Closed(None)) => break CloseReason::TransportClose,
            Some(Incoming::Closed(Some(failure))) => break CloseReason::TransportError(failure),
            Some(Incoming::Frame(Frame::Text(text))) => match Packet::decode(&text) {
                Ok(packet) if packet.attachments > 0 => {
                    partial = Some((packet, VecDeque::new()));
                    continue;
                }
                Ok(packet) => (packet, None),
                Err(e) => break CloseReason::TransportError(e),
            },
            Some(Incoming::Frame(Frame::Binary(data))) => {
                let Some((packet, mut attachments)) = partial.take() else {
                    break CloseReason::TransportError("a binary message nobody waits for".into());
                };
                attachments.push_back(data);
                if attachments.len() < packet.attachments {
                    partial = Some((packet, attachments));
                    continue;
                }
                (packet, Some(attachments))
            }
        };
        if packet.nsp != namespace {
            continue;
        }
        if let Some(reason) = shared.file(packet, attachments) {
            break reason;
        }
    };
    shared.close(reason);
}
