//! Scale-out with Redis (issue 5), end to end: several application nodes in this process, each
//! on its own ports, on one real `redis-server` (started by [`gateway_tests::redis`] on a free
//! port), driven from outside by the official socket.io-client (`tests/js/redis.test.mjs`).
//!
//! - Two demo nodes (`demo_app::start_with(.., Some(url))`): chat across nodes exactly once,
//!   `user-joined` across nodes, typing, 100 messages in order, leaving a room.
//! - Six nodes of [`ScaleModule`], test gateways for what the demo does not do: `WsServer::emit`,
//!   `socket.broadcast()`, `server.to(room)` / `except(room)`, `fetch_sockets`,
//!   `RemoteSocket::{rooms, emit, disconnect}`, `server.to(room).disconnect()`, a room's acks
//!   collected from every node (`emit_with_ack` with a timeout), and a gateway on
//!   `/` next to a gateway on a port of its own; two [`RootOnlyModule`] nodes for contrast.
//! - Redis killed and restarted in the middle (the JS suite asks for it through [`Control`]):
//!   local delivery goes on, delivery across nodes resumes (also on a node that only receives),
//!   no client is disconnected, new dynamic namespaces still open, the adapter warns, nothing
//!   panics.
//! - `start()` returns with the namespaces' Redis adapters ready.
//! - Start-up with Redis unreachable or refusing the password: a clear [`StartupError::Redis`]
//!   that shows the URL without the password.
//! - A three-master Redis Cluster ([`gateway_tests::redis::RedisCluster`]) with
//!   `create_with_redis_cluster` (feature `redis-cluster`): the cross-node operations again.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use gateway_core::prelude::*;
use gateway_core::{RunningApp, StartupError};
use gateway_tests::node::run_node_suite_async;
use gateway_tests::redis::{RedisCluster, RedisServer, free_port};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Test gateways: what the demo does not exercise.

/// `/scale`: every cross-node operation of [`WsServer`], [`SocketRef`] and `RemoteSocket`.
#[injectable]
struct ScaleGateway {
    #[web_socket_server]
    server: WsServer,
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
struct RootGateway;

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
const SIDE_PORT: u16 = 4301;

/// `/side` on a port of its own: that server has a `/` namespace too (socket.io's main
/// namespace always exists), on the same Redis connection as the main listener's `/`.
#[injectable]
struct SideGateway;

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
struct ScaleModule;

/// [`RootGateway`] alone: one socket.io server per node.
#[module(providers = [RootGateway])]
struct RootOnlyModule;

/// How many [`ScaleModule`] nodes the main test starts.
const SCALE_NODES: usize = 6;

/// A [`ScaleModule`] node on the Redis at `url`, on free ports.
async fn scale_node(url: &str) -> RunningApp {
    GatewayApplication::create_with_redis::<ScaleModule>(url)
        .await
        .unwrap_or_else(|e| panic!("a ScaleModule node on {url} builds: {e}"))
        .map_port(SIDE_PORT, 0)
        .start("127.0.0.1:0")
        .await
        .expect("a ScaleModule node starts")
}

// ---------------------------------------------------------------------------------------------
// Observing the nodes: logs and panics.

/// Everything logged by this test process (tracing, `RedisAdapter=debug`), to check the
/// warnings the adapter promises.
fn logs() -> &'static Mutex<Vec<u8>> {
    static LOGS: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();
    LOGS.get_or_init(Mutex::default)
}

/// Panics on threads other than the tests' own (tokio workers, spawned tasks).
fn background_panics() -> &'static Mutex<Vec<String>> {
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

fn init_observers() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,RedisAdapter=info"));
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

fn logged_since(from: usize) -> String {
    let logs = logs().lock().unwrap_or_else(|e| e.into_inner());
    String::from_utf8_lossy(&logs[from.min(logs.len())..]).into_owned()
}

fn log_len() -> usize {
    logs().lock().unwrap_or_else(|e| e.into_inner()).len()
}

// ---------------------------------------------------------------------------------------------
// Control: lets the JS suite stop and start Redis in the middle of a test.

/// A line protocol on a loopback TCP port: `stop` kills Redis, `start` starts it again on the
/// same port; each answers `ok` once done, or `error <why>`.
///
/// Holds only a weak reference: Redis is killed when the test drops it, whatever this thread
/// does.
struct Control {
    addr: SocketAddr,
}

impl Control {
    fn start(redis: Weak<Mutex<RedisServer>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the control port");
        let addr = listener.local_addr().expect("control address");
        std::thread::Builder::new()
            .name("redis-control".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    let Ok(conn) = conn else { continue };
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
                    let Ok(mut writer) = conn.try_clone() else {
                        continue;
                    };
                    for line in BufReader::new(conn).lines() {
                        let Ok(line) = line else { break };
                        let answer = match redis.upgrade() {
                            None => "error the test is over".to_owned(),
                            Some(redis) => control(&redis, line.trim()),
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

fn control(redis: &Mutex<RedisServer>, command: &str) -> String {
    let mut redis = redis.lock().unwrap_or_else(|e| e.into_inner());
    let began = Instant::now();
    let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match command {
        "stop" => {
            redis.stop();
            true
        }
        "start" => {
            redis.restart();
            true
        }
        _ => false,
    }));
    match done {
        Ok(true) => {
            eprintln!(
                "[control] redis {command}: done in {} ms",
                began.elapsed().as_millis()
            );
            "ok".to_owned()
        }
        Ok(false) => format!("error unknown command {command:?}"),
        Err(_) => format!("error redis {command} failed (see the panic above)"),
    }
}

// ---------------------------------------------------------------------------------------------
// The tests.

fn url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// Shuts an application down, within a bound.
async fn shutdown(name: &str, app: RunningApp) -> Option<String> {
    let began = Instant::now();
    match tokio::time::timeout(Duration::from_secs(15), app.shutdown()).await {
        Ok(()) => None,
        Err(_) => Some(format!(
            "{name}: shutdown did not finish within {:?}",
            began.elapsed()
        )),
    }
}

/// Every scenario on ten nodes (two demo, six [`ScaleModule`], two [`RootOnlyModule`]) on one
/// Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_on_one_redis_through_socket_io_client() {
    init_observers();
    let began = Instant::now();
    let redis = Arc::new(Mutex::new(RedisServer::start()));
    let redis_url = redis.lock().unwrap_or_else(|e| e.into_inner()).url();
    let logs_from = log_len();

    let demo_a = demo_app::start_with("127.0.0.1", 0, 0, Some(&redis_url))
        .await
        .expect("demo node A starts on Redis");
    let demo_b = demo_app::start_with("127.0.0.1", 0, 0, Some(&redis_url))
        .await
        .expect("demo node B starts on Redis");
    // Six ScaleModule nodes: A and B for most scenarios, all six for `/` next to a gateway port
    // (whether a node's `/` receives from other nodes depends on a race on each node).
    let mut scale = Vec::new();
    for _ in 0..SCALE_NODES {
        scale.push(scale_node(&redis_url).await);
    }
    let mut root_only = Vec::new();
    for _ in 0..2 {
        root_only.push(
            GatewayApplication::create_with_redis::<RootOnlyModule>(&redis_url)
                .await
                .expect("a RootOnlyModule node builds")
                .start("127.0.0.1:0")
                .await
                .expect("a RootOnlyModule node starts"),
        );
    }
    let control = Control::start(Arc::downgrade(&redis));
    let side = |app: &RunningApp| {
        url(app
            .port_addr(SIDE_PORT)
            .expect("a listener for the side gateway"))
    };
    let list =
        |f: &dyn Fn(&RunningApp) -> String| scale.iter().map(f).collect::<Vec<_>>().join(",");
    let env = vec![
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
    eprintln!(
        "[redis_e2e] Redis and the nodes up in {} ms: {env:?}",
        began.elapsed().as_millis()
    );

    let suite_began = Instant::now();
    let out = run_node_suite_async("redis.test.mjs", env).await;
    eprintln!(
        "[redis_e2e] node suite took {} ms",
        suite_began.elapsed().as_millis()
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
    drop(redis);

    // Every finding at once: the suite's, then what the nodes did.
    let mut failures = Vec::new();
    match out {
        Ok(report) => println!("{report}"),
        Err(report) => failures.push(format!("socket.io-client suite failed:\n{report}")),
    }
    failures.extend(problems);
    if !panics.is_empty() {
        failures.push(format!("panics while serving: {panics:#?}"));
    }
    // The JS suite killed Redis several times: the nodes that noticed warned, both ways.
    if !(logged.contains("Redis lost") && logged.contains("Redis is back")) {
        failures.push(format!(
            "the adapter warns when Redis is lost and when it is back; logged:\n{logged}"
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `start()` returns with the Redis adapter of every static namespace initialised: a client
/// connecting right away is not told "Invalid namespace", and `WsServer::emit` right away is not
/// sent to nobody.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespaces_are_ready_when_start_returns() {
    init_observers();
    let redis = RedisServer::start();
    let mut not_ready = Vec::new();
    for round in 0..20 {
        let app = GatewayApplication::create_with_redis::<ScaleModule>(&redis.url())
            .await
            .expect("a ScaleModule node builds");
        let gateway = app
            .get::<ScaleGateway>()
            .expect("the gateway is a provider");
        let running = app
            .map_port(SIDE_PORT, 0)
            .start("127.0.0.1:0")
            .await
            .expect("a ScaleModule node starts");
        if gateway.server.of("/scale").is_none() {
            // Late, or never? Bounded polling, for the report.
            let late = Instant::now();
            while gateway.server.of("/scale").is_none() && late.elapsed() < Duration::from_secs(5) {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            not_ready.push(format!(
                "round {round}: ready {} µs after start returned{}",
                late.elapsed().as_micros(),
                if gateway.server.of("/scale").is_none() {
                    " (NOT after 5 s)"
                } else {
                    ""
                }
            ));
        }
        assert!(shutdown("scale node", running).await.is_none());
    }
    assert!(
        not_ready.is_empty(),
        "GatewayApplication::start returned before /scale was registered (its Redis adapter \
         still subscribing) in {} of 20 rounds: meanwhile clients get \"Invalid \
         namespace\" and WsServer::emit reaches nobody: {not_ready:#?}",
        not_ready.len()
    );
}

/// What `create_with_redis` with `url` fails with, within a bound.
async fn redis_startup_error(url: &str) -> StartupError {
    let began = Instant::now();
    let result = tokio::time::timeout(
        Duration::from_secs(15),
        GatewayApplication::create_with_redis::<ScaleModule>(url),
    )
    .await
    .unwrap_or_else(|_| panic!("create_with_redis({url}) still waiting after 15 s"));
    eprintln!(
        "[redis_e2e] create_with_redis failed after {} ms",
        began.elapsed().as_millis()
    );
    match result {
        Ok(_) => panic!("create_with_redis({url}) should fail"),
        Err(e) => e,
    }
}

/// Asserts a [`StartupError::Redis`] naming `shown` and never `secret` (Display and Debug:
/// `main` returning the error prints its Debug form).
fn assert_redis_error(err: &StartupError, shown: &str, secret: &str) {
    assert!(
        matches!(err, StartupError::Redis { .. }),
        "a StartupError::Redis, got {err:?}"
    );
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

#[tokio::test]
async fn redis_unreachable_at_startup_is_a_clear_error_without_the_password() {
    init_observers();
    let port = free_port(); // nothing listens there
    let err = redis_startup_error(&format!("redis://user:secret@127.0.0.1:{port}")).await;
    assert_redis_error(
        &err,
        &format!("redis://user:***@127.0.0.1:{port}"),
        "secret",
    );

    // The demo goes through the same path.
    let err = match demo_app::start_with(
        "127.0.0.1",
        0,
        0,
        Some(&format!("redis://:hunter2@127.0.0.1:{port}")),
    )
    .await
    {
        Ok(app) => {
            app.shutdown().await;
            panic!("the demo should not start without Redis")
        }
        Err(e) => e,
    };
    assert_redis_error(&err, &format!("redis://:***@127.0.0.1:{port}"), "hunter2");
}

#[tokio::test]
async fn redis_refusing_the_password_is_a_clear_error_without_the_password() {
    init_observers();
    let redis = RedisServer::start_with(&["--requirepass", "right-pass"]);
    let port = redis.port();
    let err = redis_startup_error(&format!("redis://:wrong-pass@127.0.0.1:{port}")).await;
    assert_redis_error(
        &err,
        &format!("redis://:***@127.0.0.1:{port}"),
        "wrong-pass",
    );

    // And the right one works.
    let app = GatewayApplication::create_with_redis::<ScaleModule>(&format!(
        "redis://:right-pass@127.0.0.1:{port}"
    ))
    .await
    .expect("the right password is accepted");
    drop(app);
}

/// A password with a raw `@` (redis-rs, like every URL parser, splits at the last `@`): none
/// of it may be shown.
#[tokio::test]
async fn a_password_with_an_at_sign_is_not_shown_either() {
    init_observers();
    let port = free_port();
    let err = redis_startup_error(&format!("redis://user:p@ss-word@127.0.0.1:{port}")).await;
    assert_redis_error(&err, "127.0.0.1", "ss-word");
}

/// Two [`ScaleModule`] nodes on a three-master Redis Cluster (`create_with_redis_cluster`,
/// feature `redis-cluster`): delivery across nodes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_on_a_redis_cluster_through_socket_io_client() {
    init_observers();
    let began = Instant::now();
    let cluster = RedisCluster::start();
    eprintln!(
        "[redis_e2e] cluster up in {} ms",
        began.elapsed().as_millis()
    );
    let urls = cluster.urls();
    let nodes: Vec<&str> = urls.iter().map(String::as_str).collect();
    let mut apps = Vec::new();
    for name in ["cluster A", "cluster B"] {
        let app = tokio::time::timeout(
            Duration::from_secs(15),
            GatewayApplication::create_with_redis_cluster::<ScaleModule>(&nodes),
        )
        .await
        .unwrap_or_else(|_| panic!("{name}: create_with_redis_cluster still waiting after 15 s"))
        .unwrap_or_else(|e| panic!("{name} builds on the cluster: {e}"))
        .map_port(SIDE_PORT, 0)
        .start("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{name} starts: {e}"));
        apps.push((name, app));
    }
    let env = vec![
        ("CLUSTER_A_URL", url(apps[0].1.addr())),
        ("CLUSTER_B_URL", url(apps[1].1.addr())),
    ];
    let out = run_node_suite_async("redis.test.mjs", env).await;
    let mut problems = Vec::new();
    for (name, app) in apps {
        problems.extend(shutdown(name, app).await);
    }
    drop(cluster);
    eprintln!(
        "[redis_e2e] cluster test took {} ms",
        began.elapsed().as_millis()
    );
    match out {
        Ok(report) => println!("{report}"),
        Err(report) => panic!("socket.io-client suite (cluster) failed:\n{report}"),
    }
    assert!(problems.is_empty(), "{problems:?}");
}
