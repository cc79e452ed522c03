//! What the scale-out suites (`redis_e2e`, `postgres_e2e`) share: the test gateways for what
//! the demo does not do, the observers of the nodes (logs, panics), and [`Control`], which
//! lets the JS suite stop and start the engine (Redis or PostgreSQL) in the middle of a test.
//!
//! Included with `#[path = "support/scale.rs"] mod scale;` by those two files only: the
//! gateways registered here would be unlisted in any other test binary.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use gateway_core::prelude::*;
use gateway_core::{RunningApp, StartupError};
use gateway_tests::node::run_node_suite_async;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Test gateways: what the demo does not exercise.

/// `/scale`: every cross-node operation of [`WsServer`], [`SocketRef`] and `RemoteSocket`.
#[injectable]
pub struct ScaleGateway {
    #[web_socket_server]
    pub server: WsServer,
}

#[web_socket_gateway(namespace = "/scale")]
impl ScaleGateway {
    /// Acks the socket id and the node's listener (the `Host` the client connected to).
    #[subscribe_message("whoami")]
    fn whoami(&self, #[connected_socket] socket: SocketRef) -> Value {
        let host = socket
            .req_parts()
            .headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        json!({ "id": socket.id().to_string(), "host": host })
    }

    /// Joins the room; acks it.
    #[subscribe_message("join")]
    fn join(&self, #[connected_socket] socket: SocketRef, #[message_body] room: String) -> String {
        socket.join(room.clone());
        room
    }

    /// Leaves the room; acks it.
    #[subscribe_message("leave")]
    fn leave(&self, #[connected_socket] socket: SocketRef, #[message_body] room: String) -> String {
        socket.leave(room.clone());
        room
    }

    /// `WsServer::emit`: `server-wide` to every client of every node, the sender too.
    #[subscribe_message("server-emit")]
    async fn server_emit(&self, #[message_body] text: String) -> Result<bool, BoxError> {
        self.server.emit("server-wide", &text).await?;
        Ok(true)
    }

    /// `socket.broadcast().emit`: `broadcast` to every client of every node but the sender.
    #[subscribe_message("broadcast")]
    async fn broadcast(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] text: String,
    ) -> Result<bool, BoxError> {
        let payload = json!({ "from": socket.id().to_string(), "text": text });
        socket.broadcast().emit("broadcast", &payload).await?;
        Ok(true)
    }

    /// `server.to(room).emit`: `room-message` to the room on every node.
    #[subscribe_message("server-to")]
    async fn server_to(
        &self,
        #[message_body] (room, text): (String, String),
    ) -> Result<bool, BoxError> {
        self.server.to(room).emit("room-message", &text).await?;
        Ok(true)
    }

    /// `server.except(room).emit`: `except-message` to everyone not in the room, every node.
    #[subscribe_message("server-except")]
    async fn server_except(
        &self,
        #[message_body] (room, text): (String, String),
    ) -> Result<bool, BoxError> {
        self.server
            .except(room)
            .emit("except-message", &text)
            .await?;
        Ok(true)
    }

    /// `server.to(room).fetch_sockets()`: the ids of the room's sockets on every node, sorted.
    #[subscribe_message("fetch")]
    async fn fetch(&self, #[message_body] room: String) -> Result<Vec<String>, BoxError> {
        let mut ids: Vec<String> = self
            .server
            .to(room)
            .fetch_sockets()
            .await?
            .iter()
            .map(|s| s.id().to_string())
            .collect();
        ids.sort();
        Ok(ids)
    }

    /// `server.to(room).sockets()`: the ids of the room's sockets on this node only, sorted.
    #[subscribe_message("local")]
    fn local(&self, #[message_body] room: String) -> Vec<String> {
        let mut ids: Vec<String> = self
            .server
            .to(room)
            .sockets()
            .iter()
            .map(|s| s.id().to_string())
            .collect();
        ids.sort();
        ids
    }

    /// `SocketRef::rooms` of this socket, sorted.
    #[subscribe_message("my-rooms")]
    fn my_rooms(&self, #[connected_socket] socket: SocketRef) -> Vec<String> {
        let mut rooms: Vec<String> = socket.rooms().into_iter().map(|r| r.into_owned()).collect();
        rooms.sort();
        rooms
    }

    /// `RemoteSocket::rooms` of the socket `id`, wherever it is (sorted; `null`: not found).
    #[subscribe_message("rooms-of")]
    async fn rooms_of(&self, #[message_body] id: String) -> Result<Value, BoxError> {
        let Some(socket) = self.find(&id).await? else {
            return Ok(Value::Null);
        };
        let mut rooms: Vec<String> = socket
            .rooms()
            .await?
            .into_iter()
            .map(|r| r.into_owned())
            .collect();
        rooms.sort();
        Ok(json!(rooms))
    }

    /// `RemoteSocket::emit`: `direct` to the socket `id`, wherever it is; acks whether it was found.
    #[subscribe_message("emit-to")]
    async fn emit_to(
        &self,
        #[message_body] (id, text): (String, String),
    ) -> Result<bool, BoxError> {
        let Some(socket) = self.find(&id).await? else {
            return Ok(false);
        };
        socket.emit("direct", &text).await?;
        Ok(true)
    }

    /// `RemoteSocket::disconnect`: the socket `id`, wherever it is; acks whether it was found.
    #[subscribe_message("kick")]
    async fn kick(&self, #[message_body] id: String) -> Result<bool, BoxError> {
        let Some(socket) = self.find(&id).await? else {
            return Ok(false);
        };
        socket.disconnect().await?;
        Ok(true)
    }

    /// `server.to(room).timeout(ms).emit_with_ack`: asks every socket of the room, on every
    /// node, to count; acks each socket's outcome by id (`{answered}` or `"timed out"`).
    #[subscribe_message("ask-room")]
    async fn ask_room(&self, #[message_body] (room, ms): (String, u64)) -> Result<Value, BoxError> {
        let answers = self
            .server
            .to(room)
            .timeout(Duration::from_millis(ms))
            .emit_with_ack::<u32, _>("count?", &())
            .await?;
        let outcomes = answers.iter().map(|a| {
            let outcome = match &a.result {
                Ok(n) => json!({ "answered": n }),
                Err(EmitError::AckTimeout) => json!("timed out"),
                Err(e) => json!({ "error": e.to_string() }),
            };
            (a.socket.to_string(), outcome)
        });
        Ok(Value::Object(outcomes.collect()))
    }

    /// `server.to(room).disconnect()`: every socket of the room, on every node.
    #[subscribe_message("kick-room")]
    async fn kick_room(&self, #[message_body] room: String) -> Result<bool, BoxError> {
        self.server.to(room).disconnect().await?;
        Ok(true)
    }
}

impl ScaleGateway {
    async fn find(&self, id: &str) -> Result<Option<gateway_core::RemoteSocket>, BoxError> {
        let all = self.server.all().fetch_sockets().await?;
        Ok(all.into_iter().find(|s| s.id().to_string() == id))
    }
}

/// `/`, on the main listener: `shout` broadcasts to every other client of `/`.
#[injectable]
pub struct RootGateway;

#[web_socket_gateway]
impl RootGateway {
    #[subscribe_message("shout")]
    async fn shout(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] text: String,
    ) -> Result<bool, BoxError> {
        socket.broadcast().emit("shout", &text).await?;
        Ok(true)
    }
}

/// The port [`SideGateway`] declares (mapped to a free one).
pub const SIDE_PORT: u16 = 4301;

/// `/side` on a port of its own: that server has a `/` namespace too (socket.io's main
/// namespace always exists), on the same engine connection as the main listener's `/`.
#[injectable]
pub struct SideGateway;

#[web_socket_gateway(port = 4301, namespace = "/side")]
impl SideGateway {
    #[subscribe_message("shout")]
    async fn shout(
        &self,
        #[connected_socket] socket: SocketRef,
        #[message_body] text: String,
    ) -> Result<bool, BoxError> {
        socket.broadcast().emit("shout", &text).await?;
        Ok(true)
    }
}

#[module(providers = [ScaleGateway, RootGateway, SideGateway])]
pub struct ScaleModule;

/// [`RootGateway`] alone: one socket.io server per node.
#[module(providers = [RootGateway])]
pub struct RootOnlyModule;

/// How many [`ScaleModule`] nodes the main test starts.
pub const SCALE_NODES: usize = 6;

// ---------------------------------------------------------------------------------------------
// Observing the nodes: logs and panics.

/// Everything logged by this test process (tracing, `RedisAdapter` and `PostgresAdapter` at info), to check the
/// warnings the adapter promises.
pub fn logs() -> &'static Mutex<Vec<u8>> {
    static LOGS: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();
    LOGS.get_or_init(Mutex::default)
}

/// Panics on threads other than the tests' own (tokio workers, spawned tasks).
pub fn background_panics() -> &'static Mutex<Vec<String>> {
    static PANICS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    PANICS.get_or_init(Mutex::default)
}

#[derive(Clone)]
struct LogSink;

impl Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        logs()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        // Shown with --nocapture, as the other suites do.
        let _ = std::io::stderr().write_all(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn init_observers() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new("warn,RedisAdapter=info,PostgresAdapter=info")
        });
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(|| LogSink)
            .try_init();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            let name = thread.name().unwrap_or("<unnamed>");
            // Tasks spawned by the nodes run there; libtest names each test's own thread
            // after the test.
            if name == "tokio-runtime-worker" {
                background_panics()
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(format!("thread {name}: {info}"));
            }
            previous(info);
        }));
    });
}

pub fn logged_since(from: usize) -> String {
    let logs = logs().lock().unwrap_or_else(|e| e.into_inner());
    String::from_utf8_lossy(&logs[from.min(logs.len())..]).into_owned()
}

pub fn log_len() -> usize {
    logs().lock().unwrap_or_else(|e| e.into_inner()).len()
}

// ---------------------------------------------------------------------------------------------
// Control: lets the JS suite stop and start the engine in the middle of a test.

/// A server the JS suite can take away and bring back: Redis or PostgreSQL.
pub trait Outage: Send + 'static {
    /// Its name in logs: `redis`, `postgres`.
    const NAME: &'static str;
    /// Stops it (as in a crash) and waits until its port refuses connections.
    fn stop(&mut self);
    /// Starts it again on the same port and waits until it answers.
    fn restart(&mut self);
}

impl Outage for gateway_tests::redis::RedisServer {
    const NAME: &'static str = "redis";
    fn stop(&mut self) {
        gateway_tests::redis::RedisServer::stop(self);
    }
    fn restart(&mut self) {
        gateway_tests::redis::RedisServer::restart(self);
    }
}

impl Outage for gateway_tests::postgres::PostgresServer {
    const NAME: &'static str = "postgres";
    fn stop(&mut self) {
        gateway_tests::postgres::PostgresServer::stop(self);
    }
    fn restart(&mut self) {
        gateway_tests::postgres::PostgresServer::restart(self);
    }
}

/// A line protocol on a loopback TCP port: `stop` stops the server, `start` starts it again
/// on the same port; each answers `ok` once done, or `error <why>`.
///
/// Holds only a weak reference: the server is stopped when the test drops it, whatever this
/// thread does.
pub struct Control {
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Control {
    /// Listens on a free loopback port, for `server`.
    pub fn start<S: Outage>(server: Weak<Mutex<S>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the control port");
        let addr = listener.local_addr().expect("control address");
        std::thread::Builder::new()
            .name(format!("{}-control", S::NAME))
            .spawn(move || {
                for conn in listener.incoming() {
                    let Ok(conn) = conn else { continue };
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
                    let Ok(mut writer) = conn.try_clone() else {
                        continue;
                    };
                    for line in BufReader::new(conn).lines() {
                        let Ok(line) = line else { break };
                        let answer = match server.upgrade() {
                            None => "error the test is over".to_owned(),
                            Some(server) => control(&server, line.trim()),
                        };
                        if writeln!(writer, "{answer}").is_err() {
                            break;
                        }
                    }
                }
            })
            .expect("spawn the control thread");
        Control { addr }
    }
}

fn control<S: Outage>(server: &Mutex<S>, command: &str) -> String {
    let mut server = server.lock().unwrap_or_else(|e| e.into_inner());
    let began = Instant::now();
    let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match command {
        "stop" => {
            server.stop();
            true
        }
        "start" => {
            server.restart();
            true
        }
        _ => false,
    }));
    let name = S::NAME;
    match done {
        Ok(true) => {
            eprintln!(
                "[control] {name} {command}: done in {} ms",
                began.elapsed().as_millis()
            );
            "ok".to_owned()
        }
        Ok(false) => format!("error unknown command {command:?}"),
        Err(_) => format!("error {name} {command} failed (see the panic above)"),
    }
}

// ---------------------------------------------------------------------------------------------
// The tests.

pub fn url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// Shuts an application down, within a bound.
pub async fn shutdown(name: &str, app: RunningApp) -> Option<String> {
    let began = Instant::now();
    match tokio::time::timeout(Duration::from_secs(15), app.shutdown()).await {
        Ok(()) => None,
        Err(_) => Some(format!(
            "{name}: shutdown did not finish within {:?}",
            began.elapsed()
        )),
    }
}

/// The nodes of the main scale-out test, on one engine: two demo nodes, [`SCALE_NODES`]
/// [`ScaleModule`] nodes (A and B for most scenarios, all of them for `/` next to a gateway
/// port) and two [`RootOnlyModule`] nodes.
pub struct Nodes {
    /// Demo nodes A and B.
    pub demo: [RunningApp; 2],
    /// The [`ScaleModule`] nodes.
    pub scale: Vec<RunningApp>,
    /// The [`RootOnlyModule`] nodes.
    pub root_only: Vec<RunningApp>,
}

impl Nodes {
    /// Starts them one after the other, each with its function.
    pub async fn start(
        demo: impl AsyncFn() -> RunningApp,
        scale: impl AsyncFn() -> RunningApp,
        root_only: impl AsyncFn() -> RunningApp,
    ) -> Nodes {
        let demo = [demo().await, demo().await];
        let mut scale_nodes = Vec::new();
        for _ in 0..SCALE_NODES {
            scale_nodes.push(scale().await);
        }
        let root_only = vec![root_only().await, root_only().await];
        Nodes {
            demo,
            scale: scale_nodes,
            root_only,
        }
    }

    /// Runs `redis.test.mjs` on the nodes (`ENGINE` = `engine`, its restarts through
    /// `control`), shuts them down, and returns every finding at once: the suite's, a slow
    /// shutdown, a panic while serving, and each of `warnings` (the adapter's "lost" and
    /// "back") missing from what was logged since `logs_from`.
    pub async fn run_suite(
        self,
        engine: &str,
        control: &Control,
        logs_from: usize,
        warnings: [&str; 2],
    ) -> Vec<String> {
        let Nodes {
            demo: [demo_a, demo_b],
            scale,
            root_only,
        } = self;
        let side = |app: &RunningApp| {
            url(app
                .port_addr(SIDE_PORT)
                .expect("a listener for the side gateway"))
        };
        let list =
            |f: &dyn Fn(&RunningApp) -> String| scale.iter().map(f).collect::<Vec<_>>().join(",");
        let env = vec![
            ("ENGINE", engine.to_owned()),
            ("DEMO_A_URL", url(demo_a.addr())),
            ("DEMO_B_URL", url(demo_b.addr())),
            ("SCALE_A_URL", url(scale[0].addr())),
            ("SCALE_B_URL", url(scale[1].addr())),
            ("SIDE_A_URL", side(&scale[0])),
            ("SIDE_B_URL", side(&scale[1])),
            ("SCALE_URLS", list(&|app| url(app.addr()))),
            ("SIDE_URLS", list(&side)),
            ("ROOT_A_URL", url(root_only[0].addr())),
            ("ROOT_B_URL", url(root_only[1].addr())),
            ("CONTROL_ADDR", control.addr.to_string()),
        ];
        eprintln!("[{engine}] the nodes are up: {env:?}");
        let began = Instant::now();
        let out = run_node_suite_async("redis.test.mjs", env).await;
        eprintln!(
            "[{engine}] node suite took {} ms",
            began.elapsed().as_millis()
        );

        let mut problems = Vec::new();
        for (name, app) in [("demo A", demo_a), ("demo B", demo_b)] {
            problems.extend(shutdown(name, app).await);
        }
        for app in scale {
            problems.extend(shutdown("scale node", app).await);
        }
        for app in root_only {
            problems.extend(shutdown("root-only node", app).await);
        }
        let logged = logged_since(logs_from);
        let panics = background_panics()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();

        let mut failures = Vec::new();
        match out {
            Ok(report) => println!("{report}"),
            Err(report) => failures.push(format!("socket.io-client suite failed:\n{report}")),
        }
        failures.extend(problems);
        if !panics.is_empty() {
            failures.push(format!("panics while serving: {panics:#?}"));
        }
        // The JS suite stopped the engine several times: the nodes that noticed warned, both
        // ways.
        if !warnings.iter().all(|w| logged.contains(w)) {
            failures.push(format!(
                "the adapter warns {warnings:?} when {engine} is lost and when it is back; logged:\n{logged}"
            ));
        }
        failures
    }
}

/// What `create` (building an application on the engine at `url`) fails with, within 15 s.
pub async fn startup_error<T>(
    url: &str,
    create: impl Future<Output = Result<T, StartupError>>,
) -> StartupError {
    let began = Instant::now();
    let result = tokio::time::timeout(Duration::from_secs(15), create)
        .await
        .unwrap_or_else(|_| panic!("building on {url} still waiting after 15 s"));
    eprintln!(
        "[startup] building on {url} failed after {} ms",
        began.elapsed().as_millis()
    );
    match result {
        Ok(_) => panic!("building on {url} should fail"),
        Err(e) => e,
    }
}

/// Asserts that `err` is the engine's start-up error (`of_engine`), names `shown` and never
/// shows `secret` (Display and Debug: `main` returning the error prints its Debug form).
pub fn assert_names_url_not_secret(err: &StartupError, of_engine: bool, shown: &str, secret: &str) {
    assert!(of_engine, "the engine's StartupError, got {err:?}");
    let display = err.to_string();
    let debug = format!("{err:?}");
    assert!(
        display.contains(shown),
        "the error names the URL {shown}: {display}"
    );
    for text in [&display, &debug] {
        assert!(
            !text.contains(secret),
            "the error must not show the password {secret:?}: {text}"
        );
    }
}
