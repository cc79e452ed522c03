//! End-to-end tests of purpose-built test gateways (not the demo), checked from outside by the
//! official socket.io-client (`tests/js/gateways.test.mjs`).
//!
//! Two applications, one per test:
//!
//! - [`E2eModule`]: every handler return form, every parameter kind, errors and panics, static,
//!   pattern and regex namespaces, [`WsServer`] broadcasts, a connection hook held on a latch, bad input,
//!   gateways on their own ports (two sharing one), and a CORS-restricted gateway. Its JS
//!   sections run when `MAIN_URL` is set.
//! - [`LifecycleModule`]: a gateway and providers that record every lifecycle hook into a
//!   shared [`Recorder`]; the JS section (`LIFECYCLE_URL`) drives one exact scenario, asks for a
//!   shutdown while a client is still connected, and the Rust test checks the recorded order.

mod support;

use std::sync::Mutex;
use std::time::Duration;

use gateway_core::prelude::*;
use gateway_core::stream::{self, Stream};
use gateway_tests::node::{run_node_suite, run_node_suite_async};
use serde_json::{Value, json};
use support::latch::{LatchGateway, Latches};

// ---------------------------------------------------------------------------------------------
// Return forms: /returns (values, unit, Option, WsResponse, streams; async and sync).

/// An object acked as it is.
#[derive(Serialize)]
struct Summary {
    name: &'static str,
    count: u32,
    tags: Vec<&'static str>,
}

#[injectable]
struct ReturnsGateway;

#[web_socket_gateway(namespace = "/returns")]
impl ReturnsGateway {
    #[subscribe_message("echo")]
    async fn echo(&self, #[message_body] v: Value) -> Value {
        v
    }

    #[subscribe_message("zero")]
    async fn zero(&self) -> i32 {
        0
    }

    #[subscribe_message("false")]
    async fn falsy(&self) -> bool {
        false
    }

    #[subscribe_message("empty-string")]
    async fn empty_string(&self) -> String {
        String::new()
    }

    #[subscribe_message("summary")]
    async fn summary(&self) -> Summary {
        Summary {
            name: "summary",
            count: 3,
            tags: vec!["a", "b"],
        }
    }

    #[subscribe_message("unit")]
    async fn unit(&self, #[message_body] _v: Value) {}

    /// `Some(n)` for `n >= 0` (so `Some(0)` too), `None` for a negative `n`.
    #[subscribe_message("option")]
    async fn option(&self, #[message_body] n: i64) -> Option<i64> {
        (n >= 0).then_some(n)
    }

    #[subscribe_message("response")]
    async fn response(&self, #[message_body] v: Value) -> WsResponse<Value> {
        WsResponse::new("response-event", json!({ "got": v }))
    }

    /// An asynchronous stream: items spaced in time, two event names interleaved.
    #[subscribe_message("stream")]
    async fn stream(&self, #[message_body] n: u32) -> impl Stream<Item = WsResponse<u32>> + use<> {
        stream::unfold(1u32, move |i| async move {
            if i > n {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
            let event = if i % 2 == 0 { "item-even" } else { "item-odd" };
            Some((WsResponse::new(event, i), i + 1))
        })
    }

    #[subscribe_message("empty-stream")]
    fn empty_stream(&self) -> impl Stream<Item = WsResponse<u32>> + use<> {
        stream::iter(Vec::new())
    }

    // Synchronous handlers.

    #[subscribe_message("sync-value")]
    fn sync_value(&self, #[message_body] s: String) -> String {
        format!("sync:{s}")
    }

    #[subscribe_message("sync-zero")]
    fn sync_zero(&self) -> u8 {
        0
    }

    #[subscribe_message("sync-unit")]
    fn sync_unit(&self) {}

    #[subscribe_message("sync-option")]
    fn sync_option(&self, #[message_body] want: bool) -> Option<bool> {
        want.then_some(false)
    }

    #[subscribe_message("sync-response")]
    fn sync_response(&self) -> WsResponse<&'static str> {
        WsResponse::new("sync-response-event", "from sync")
    }

    #[subscribe_message("sync-stream")]
    fn sync_stream(&self) -> impl Stream<Item = WsResponse<u32>> + use<> {
        stream::iter((1..=3).map(|n| WsResponse::new("sync-item", n)))
    }
}

// ---------------------------------------------------------------------------------------------
// Errors: /errors (WsException with a message or an object, other errors, panics).

#[injectable]
struct ErrorsGateway;

#[web_socket_gateway(namespace = "/errors")]
impl ErrorsGateway {
    /// NestJS's own error-gateway sample: `@SubscribeMessage('push')` throws `WsException('test')`.
    #[subscribe_message("push")]
    async fn push(&self) -> WsResult<()> {
        Err(WsException::new("test"))
    }

    #[subscribe_message("object")]
    async fn object(&self) -> WsResult<String> {
        Err(WsException::object(json!({ "code": 42 })))
    }

    #[subscribe_message("boom")]
    async fn boom(&self, #[message_body] _v: Value) -> Result<u8, BoxError> {
        Err("boom".into())
    }

    #[subscribe_message("io-error")]
    async fn io_error(&self) -> Result<String, std::io::Error> {
        Err(std::io::Error::other("disk on fire"))
    }

    /// A `WsException` boxed into a `BoxError` is still a `WsException`.
    #[subscribe_message("boxed-exception")]
    async fn boxed_exception(&self) -> Result<(), BoxError> {
        Err(Box::new(WsException::new("boxed")))
    }

    #[subscribe_message("panic")]
    async fn panic(&self, #[message_body] _v: Value) -> String {
        tokio::task::yield_now().await;
        panic!("kaboom (a test panic, expected in the log)")
    }

    #[subscribe_message("ok")]
    async fn ok(&self, #[message_body] v: Value) -> WsResult<Value> {
        Ok(json!({ "ok": v }))
    }

    #[subscribe_message("ok-zero")]
    async fn ok_zero(&self) -> Result<i32, BoxError> {
        Ok(0)
    }

    #[subscribe_message("ok-response")]
    async fn ok_response(&self) -> WsResult<WsResponse<Value>> {
        Ok(WsResponse::new("ok-response-event", json!({ "ok": true })))
    }

    #[subscribe_message("ok-none")]
    async fn ok_none(&self) -> WsResult<Option<u8>> {
        Ok(None)
    }

    #[subscribe_message("ok-unit")]
    async fn ok_unit(&self) -> Result<(), BoxError> {
        Ok(())
    }

    // Synchronous handlers.

    #[subscribe_message("sync-push")]
    fn sync_push(&self) -> WsResult<u8> {
        Err(WsException::new("sync test"))
    }

    #[subscribe_message("sync-boom")]
    fn sync_boom(&self) -> Result<(), BoxError> {
        Err("sync boom".into())
    }

    #[subscribe_message("sync-ok")]
    fn sync_ok(&self) -> WsResult<bool> {
        Ok(false)
    }

    #[subscribe_message("sync-panic")]
    fn sync_panic(&self) -> u8 {
        panic!("sync kaboom (a test panic, expected in the log)")
    }
}

// ---------------------------------------------------------------------------------------------
// Parameters: /params.

#[derive(Deserialize)]
struct Point {
    x: i32,
    y: i32,
}

#[injectable]
struct ParamsGateway;

#[web_socket_gateway(namespace = "/params")]
impl ParamsGateway {
    #[subscribe_message("point")]
    fn point(&self, #[message_body] p: Point) -> Value {
        json!({ "x": p.x, "y": p.y, "sum": p.x + p.y })
    }

    /// `emit('tuple', 1, 'a', cb)`.
    #[subscribe_message("tuple")]
    async fn tuple(&self, #[message_body] (n, s): (i32, String)) -> Value {
        json!({ "n": n, "s": s })
    }

    #[subscribe_message("prop")]
    fn prop(&self, #[message_body("name")] name: String) -> String {
        name
    }

    #[subscribe_message("prop-opt")]
    fn prop_opt(&self, #[message_body("name")] name: Option<String>) -> Value {
        json!({ "name": name })
    }

    /// Acks by hand; returns something else, which must not be acked.
    #[subscribe_message("manual")]
    fn manual(
        &self,
        #[connected_socket] socket: SocketRef,
        ack: AckSender,
        #[message_body] v: Value,
    ) -> Value {
        socket.emit("manual-requested", &ack.requested()).ok();
        ack.send(&json!({ "manual": v })).ok();
        json!({ "returned": true })
    }

    /// Returns at once, acks by hand later: the client must get the later manual value.
    #[subscribe_message("manual-later")]
    async fn manual_later(&self, ack: AckSender, #[message_body] v: Value) -> Returned {
        let (done, dropped) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            // Ends when the returned value is dropped: the handler has returned and the
            // framework is done with its value.
            let _ = dropped.await;
            ack.send(&json!({ "later": v })).ok();
        });
        Returned {
            returned: true,
            _done: done,
        }
    }

    /// Takes the ack and never answers it: nothing is acked.
    #[subscribe_message("manual-never")]
    fn manual_never(&self, ack: AckSender) -> &'static str {
        drop(ack);
        "returned"
    }

    #[subscribe_message("nobody")]
    fn nobody(&self) -> &'static str {
        "no body needed"
    }

    #[subscribe_message("socket")]
    async fn socket(&self, #[connected_socket] socket: SocketRef) -> Value {
        json!({ "id": socket.id().to_string(), "ns": socket.ns() })
    }
}

/// What `manual-later` returns; dropping it lets the manual ack go (the latch of that test).
#[derive(Serialize)]
struct Returned {
    returned: bool,
    #[serde(skip)]
    _done: tokio::sync::oneshot::Sender<()>,
}

// ---------------------------------------------------------------------------------------------
// Namespaces: static without a slash, a pattern, a regex.

#[injectable]
struct ChatNsGateway;

#[web_socket_gateway(namespace = "chat")]
impl ChatNsGateway {
    #[subscribe_message("where")]
    fn location(&self, #[connected_socket] socket: SocketRef) -> String {
        socket.ns().to_owned()
    }
}

#[derive(Deserialize)]
struct RoomParams {
    room: String,
}

#[injectable]
struct RoomsGateway {
    #[web_socket_server]
    server: WsServer,
}

#[web_socket_gateway(namespace = "/rooms/{room}")]
impl RoomsGateway {
    async fn handle_connection(&self, socket: SocketRef) {
        let room = socket.ns_param("room");
        socket.emit("room", &json!({ "room": room })).ok();
    }

    #[subscribe_message("which")]
    fn which(
        &self,
        #[connected_socket] socket: SocketRef,
        NsParams(params): NsParams<RoomParams>,
    ) -> Value {
        json!({ "room": params.room, "ns": socket.ns(), "param": socket.ns_param("room") })
    }

    /// `server.emit`: every client of every `/rooms/*` namespace.
    #[subscribe_message("to-all")]
    async fn to_all(&self, #[message_body] text: String) -> Result<bool, BoxError> {
        self.server.emit("all", &text).await?;
        Ok(true)
    }

    /// `server.of("/rooms/<room>")`: only that namespace; `false` when the server has none.
    #[subscribe_message("to-room")]
    async fn to_room(
        &self,
        #[message_body] (room, text): (String, String),
    ) -> Result<bool, BoxError> {
        match self.server.of(&format!("/rooms/{room}")) {
            Some(ns) => {
                ns.emit("only", &text).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Whether `server.of(path)` gives a namespace: only paths this gateway serves.
    #[subscribe_message("has")]
    fn has(&self, #[message_body] path: String) -> bool {
        self.server.of(&path).is_some()
    }
}

#[injectable]
struct DynGateway {
    #[web_socket_server]
    server: WsServer,
}

#[web_socket_gateway(namespace = regex("^/dyn-\\d+$"))]
impl DynGateway {
    #[subscribe_message("where")]
    fn location(&self, #[connected_socket] socket: SocketRef) -> String {
        socket.ns().to_owned()
    }

    /// `server.emit` of a regex gateway: every client of every matching namespace.
    #[subscribe_message("to-all")]
    async fn to_all(&self, #[message_body] text: String) -> Result<bool, BoxError> {
        self.server.emit("dyn-all", &text).await?;
        Ok(true)
    }
}

// ---------------------------------------------------------------------------------------------
// A connection hook held on a latch: messages sent right after connecting wait for it.

/// Marks a socket whose `handle_connection` has finished.
#[derive(Clone)]
struct ConnectionDone;

#[injectable]
struct SlowGateway {
    latches: Arc<Latches>,
}

#[web_socket_gateway(namespace = "/slow")]
impl SlowGateway {
    /// In progress until the client releases its latch, after sending its first message.
    async fn handle_connection(&self, socket: SocketRef) {
        self.latches.wait(&socket.id().to_string()).await;
        socket.extensions().insert(ConnectionDone);
        socket.emit("ready", &json!({ "ready": true })).ok();
    }

    #[subscribe_message("ping")]
    fn ping(&self, #[connected_socket] socket: SocketRef, #[message_body] n: u32) -> Value {
        let done = socket.extensions().get::<ConnectionDone>().is_some();
        json!({ "pong": n, "connectionDone": done })
    }
}

// ---------------------------------------------------------------------------------------------
// Bad input: /strict.

#[injectable]
struct StrictGateway;

#[web_socket_gateway(namespace = "/strict")]
impl StrictGateway {
    #[subscribe_message("point")]
    fn point(&self, #[message_body] p: Point) -> i32 {
        p.x + p.y
    }

    #[subscribe_message("len")]
    fn len(&self, #[message_body] s: String) -> usize {
        s.len()
    }

    #[subscribe_message("ping")]
    fn ping(&self, #[message_body] n: u64) -> u64 {
        n
    }
}

// ---------------------------------------------------------------------------------------------
// Ports: two gateways share SHARED_PORT, one has OTHER_PORT, the CORS one has CORS_PORT.

const SHARED_PORT: u16 = 4101;
const OTHER_PORT: u16 = 4102;
const CORS_PORT: u16 = 4103;
const SEED_PORT: u16 = 4104;
const OPTIONS_PORT: u16 = 4105;

/// The socket.io server options NestJS passes through, alone on their port.
#[injectable]
struct OptionsGateway;

#[web_socket_gateway(
    port = 4105,
    namespace = "/options",
    path = "/custom-io",
    transports = ["websocket"],
    ping_interval = 300,
    ping_timeout = 2000,
    max_payload = 2000
)]
impl OptionsGateway {
    #[subscribe_message("size")]
    fn size(&self, #[message_body] text: String) -> usize {
        text.len()
    }
}

/// NestJS's seed example, `namespace: /\/*.+/`, alone on its port: every path, `/` included.
#[injectable]
struct SeedRegexGateway;

#[web_socket_gateway(port = 4104, namespace = regex("\\/*.+"))]
impl SeedRegexGateway {
    #[subscribe_message("where")]
    fn location(&self, #[connected_socket] socket: SocketRef) -> String {
        socket.ns().to_owned()
    }
}

// ---------------------------------------------------------------------------------------------
// A connection hook that fails (`/hook-fails/error`) or panics (`/hook-fails/panic`).

#[injectable]
struct FailingHookGateway {
    latches: Arc<Latches>,
}

/// Messages handled on `/hook-fails/*`: must stay 0 (checked after the suite).
static FAILED_HOOK_HANDLED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[web_socket_gateway(namespace = "/hook-fails/{how}")]
impl FailingHookGateway {
    /// In progress until the client releases its latch, after sending its first messages:
    /// they arrive while it runs and are held.
    async fn handle_connection(&self, socket: SocketRef) -> Result<(), WsException> {
        self.latches.wait(&socket.id().to_string()).await;
        match socket.ns_param("how").as_deref() {
            Some("panic") => panic!("the connection hook panicked"),
            _ => Err(WsException::new("not today")),
        }
    }

    /// Must never run: the hook failed, so the messages it held are dropped.
    #[subscribe_message("echo")]
    fn echo(&self, #[message_body] v: Value) -> Value {
        FAILED_HOOK_HANDLED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        v
    }
}

#[injectable]
struct AlphaGateway;

#[web_socket_gateway(port = 4101, namespace = "/alpha")]
impl AlphaGateway {
    #[subscribe_message("who")]
    fn who(&self) -> &'static str {
        "alpha"
    }
}

/// NestJS's positional port form.
#[injectable]
struct BetaGateway;

#[web_socket_gateway(4101, namespace = "/beta")]
impl BetaGateway {
    #[subscribe_message("who")]
    fn who(&self) -> &'static str {
        "beta"
    }
}

#[injectable]
struct OtherPortGateway;

#[web_socket_gateway(port = 4102, namespace = "/other")]
impl OtherPortGateway {
    #[subscribe_message("who")]
    fn who(&self) -> &'static str {
        "other"
    }
}

#[injectable]
struct CorsGateway;

#[web_socket_gateway(port = 4103, namespace = "/cors", cors(origin = ["http://allowed.test"], credentials = true))]
impl CorsGateway {
    #[subscribe_message("who")]
    fn who(&self) -> &'static str {
        "cors"
    }
}

#[module(providers = [
    ReturnsGateway,
    ErrorsGateway,
    ParamsGateway,
    ChatNsGateway,
    RoomsGateway,
    DynGateway,
    SlowGateway,
    StrictGateway,
    AlphaGateway,
    BetaGateway,
    OtherPortGateway,
    CorsGateway,
    SeedRegexGateway,
    FailingHookGateway,
    OptionsGateway,
    Latches,
    LatchGateway,
])]
struct E2eModule;

fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

fn url(addr: std::net::SocketAddr) -> String {
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_gateways_through_socket_io_client() {
    init_tracing();
    let app = GatewayApplication::create::<E2eModule>()
        .await
        .expect("the test module builds")
        .map_port(SHARED_PORT, 0)
        .map_port(OTHER_PORT, 0)
        .map_port(CORS_PORT, 0)
        .map_port(SEED_PORT, 0)
        .map_port(OPTIONS_PORT, 0)
        .start("127.0.0.1:0")
        .await
        .expect("the test application starts");
    let port = |declared| {
        url(app
            .port_addr(declared)
            .unwrap_or_else(|| panic!("a listener for declared port {declared}")))
    };
    let env = vec![
        ("MAIN_URL", url(app.addr())),
        ("SHARED_URL", port(SHARED_PORT)),
        ("OTHER_URL", port(OTHER_PORT)),
        ("CORS_URL", port(CORS_PORT)),
        ("SEED_URL", port(SEED_PORT)),
        ("OPTIONS_URL", port(OPTIONS_PORT)),
    ];
    let distinct: std::collections::HashSet<&String> = env.iter().map(|(_, u)| u).collect();
    assert_eq!(distinct.len(), 6, "six distinct listeners: {env:?}");

    let out = run_node_suite_async("gateways.test.mjs", env).await;
    app.shutdown().await;
    match out {
        Ok(report) => println!("{report}"),
        Err(report) => panic!("socket.io-client suite failed:\n{report}"),
    }
    assert_eq!(
        FAILED_HOOK_HANDLED.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "messages held by a failed handle_connection were handled"
    );
}

// ---------------------------------------------------------------------------------------------
// Lifecycle.

/// Every hook, in the order it ran.
#[injectable]
struct Recorder {
    events: Mutex<Vec<String>>,
}

impl Recorder {
    fn record(&self, event: impl Into<String>) {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(event.into());
    }

    fn events(&self) -> Vec<String> {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl OnModuleInit for Recorder {
    async fn on_module_init(&self) -> Result<(), BoxError> {
        self.record("module_init:Recorder");
        Ok(())
    }
}

impl OnApplicationShutdown for Recorder {
    async fn on_application_shutdown(&self) {
        self.record("app_shutdown:Recorder");
    }
}

/// Lets the JS suite ask the Rust test to shut the application down.
#[injectable]
struct ShutdownTrigger {
    notify: tokio::sync::Notify,
}

#[injectable]
struct LifecycleGateway {
    recorder: Arc<Recorder>,
    trigger: Arc<ShutdownTrigger>,
    #[web_socket_server]
    server: WsServer,
}

#[web_socket_gateway(namespace = "/lifecycle")]
impl LifecycleGateway {
    async fn after_init(&self, server: WsServer) {
        self.recorder.record(format!(
            "after_init:arg_ready={}:field_ready={}",
            server.is_ready(),
            self.server.is_ready()
        ));
    }

    async fn handle_connection(&self, socket: SocketRef) {
        self.recorder.record(format!("connection:{}", socket.id()));
        socket.emit("hello", &socket.id().to_string()).ok();
    }

    async fn handle_disconnect(&self, socket: SocketRef, reason: DisconnectReason) {
        let id = socket.id().to_string();
        self.recorder.record(format!("disconnect:{id}:{reason}"));
        self.server
            .emit("peer-left", &json!({ "id": id, "reason": reason.as_str() }))
            .await
            .ok();
    }

    #[subscribe_message("work")]
    async fn work(&self, #[connected_socket] socket: SocketRef, #[message_body] n: u32) -> u32 {
        self.recorder
            .record(format!("handler:work:{}", socket.id()));
        n * 2
    }

    /// Acks, then asks for the shutdown: the ack is queued before the shutdown can close the
    /// socket (a returned value would be sent only after the notification, racing it).
    #[subscribe_message("request-shutdown")]
    fn request_shutdown(&self, #[connected_socket] socket: SocketRef, ack: AckSender) {
        self.recorder
            .record(format!("handler:request-shutdown:{}", socket.id()));
        ack.send(&true).ok();
        self.trigger.notify.notify_one();
    }
}

impl OnModuleInit for LifecycleGateway {
    async fn on_module_init(&self) -> Result<(), BoxError> {
        self.recorder.record("module_init:LifecycleGateway");
        Ok(())
    }
}

impl OnApplicationShutdown for LifecycleGateway {
    async fn on_application_shutdown(&self) {
        self.recorder.record("app_shutdown:LifecycleGateway");
    }
}

#[module(providers = [Recorder, ShutdownTrigger, LifecycleGateway])]
struct LifecycleModule;

/// Replaces each socket id by `A`, `B`, ... in order of first appearance (ids are the last
/// `:`-separated field but one for disconnects, the last otherwise).
fn anonymize(events: &[String]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    events
        .iter()
        .map(|e| {
            let parts: Vec<&str> = e.split(':').collect();
            let id_at = match parts.first() {
                Some(&"connection") => Some(1),
                Some(&"disconnect") => Some(1),
                Some(&"handler") => Some(2),
                _ => None,
            };
            let Some(i) = id_at.filter(|&i| i < parts.len()) else {
                return e.clone();
            };
            let id = parts[i].to_owned();
            let n = match ids.iter().position(|x| *x == id) {
                Some(n) => n,
                None => {
                    ids.push(id);
                    ids.len() - 1
                }
            };
            let letter = char::from(b'A' + n as u8).to_string();
            let mut out: Vec<&str> = parts.clone();
            out[i] = &letter;
            out.join(":")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_hooks_run_in_nest_order() {
    init_tracing();
    let app = GatewayApplication::create::<LifecycleModule>()
        .await
        .expect("the lifecycle module builds");
    let recorder = app.get::<Recorder>().expect("Recorder is provided");
    let trigger = app
        .get::<ShutdownTrigger>()
        .expect("ShutdownTrigger is provided");
    assert_eq!(
        recorder.events(),
        Vec::<String>::new(),
        "no hook runs while the container is built"
    );

    let running = app
        .start("127.0.0.1:0")
        .await
        .expect("the lifecycle app starts");
    assert_eq!(
        recorder.events(),
        [
            "after_init:arg_ready=true:field_ready=true",
            "module_init:Recorder",
            "module_init:LifecycleGateway",
        ],
        "start: after_init (server set) before every on_module_init, dependencies first"
    );

    let env = vec![("LIFECYCLE_URL", url(running.addr()))];
    let mut node = tokio::task::spawn_blocking(move || run_node_suite("gateways.test.mjs", &env));
    // Shut down when the suite asks for it (a client still connected), or when it ends without
    // asking (it failed before): both bounded by the node runner's own time limit.
    let ended_early = tokio::select! {
        out = &mut node => Some(out),
        _ = trigger.notify.notified() => None,
    };
    let asked = ended_early.is_none();
    let shutdown_started = std::time::Instant::now();
    running.shutdown().await;
    let shutdown_took = shutdown_started.elapsed();
    let after_shutdown = recorder.events();
    let out = match ended_early {
        Some(out) => out,
        None => node.await,
    }
    .expect("the node runner does not panic");
    if let Err(report) = &out {
        panic!(
            "socket.io-client lifecycle suite failed:\n{report}\nrecorded: {:#?}",
            anonymize(&recorder.events())
        );
    }
    assert!(asked, "the suite never asked for the shutdown");
    if let Ok(report) = &out {
        println!("{report}");
    }

    // NestJS calls handleDisconnect for every client still connected when the application
    // closes. socketioxide 0.18.9's `SocketIo::close` alone would not (its `Client::close`
    // forgets the namespaces before closing the transports), so `RunningApp::shutdown` runs
    // the disconnect hooks itself first: "disconnect:A:server shutting down" must be there.
    let mut seen = anonymize(&after_shutdown);
    // NestJS does not order the shutdown hooks of one module's providers: compare them as a set.
    let tail = seen.len().saturating_sub(2);
    seen[tail..].sort();
    assert_eq!(
        seen,
        [
            "after_init:arg_ready=true:field_ready=true",
            "module_init:Recorder",
            "module_init:LifecycleGateway",
            "connection:A",
            "connection:B",
            "handler:work:B",
            "disconnect:B:client namespace disconnect",
            "handler:request-shutdown:A",
            "disconnect:A:server shutting down",
            "app_shutdown:LifecycleGateway",
            "app_shutdown:Recorder",
        ],
        "the whole lifecycle, in order; the shutdown hooks after every disconnect hook (raw: {after_shutdown:#?})"
    );
    // One connected client, one quick hook: shutdown must not need its 5 s grace period.
    assert!(
        shutdown_took < Duration::from_secs(3),
        "shutdown took {shutdown_took:?} with one client connected"
    );
}
