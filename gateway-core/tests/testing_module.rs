//! `gateway_core::testing::TestingModule`: providers and enhancers replaced by type, global
//! ones and connection guards included, free ports for every declared port, clients over the
//! network and in process, and a gateway's method called directly on a client's socket.

use gateway_core::pipeline::{ConnectionContext, ConnectionGuard, ConnectionRefused};
use gateway_core::prelude::*;
use gateway_core::testing::{TestApp, TestClientError, TestingModule, Transport};
use serde_json::{Value, json};

/// What the application reads the time from.
#[injectable]
#[derive(Default)]
struct Clock {
    fixed: Option<u64>,
}

impl Clock {
    fn now(&self) -> u64 {
        self.fixed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or_default()
        })
    }
}

/// A greeting, with a dependency the tests never build when they replace it.
#[injectable]
#[derive(Default)]
struct Greeter {
    clock: Arc<Clock>,
    greeting: String,
}

/// Lets a connection in only with `auth.token == "letmein"`.
#[injectable]
struct TokenGuard;

impl ConnectionGuard for TokenGuard {
    async fn can_connect(&self, ctx: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        match ctx.auth().get("token").and_then(Value::as_str) {
            Some("letmein") => Ok(true),
            _ => Err(ConnectionRefused::new("bad token")),
        }
    }
}

/// Refuses every message it guards.
#[injectable]
struct Closed;

impl CanActivate for Closed {
    async fn can_activate(&self, _: &ExecutionContext<'_>) -> Result<bool, HandlerError> {
        Ok(false)
    }
}

/// Lets everything through.
struct Open;

impl CanActivate for Open {
    async fn can_activate(&self, _: &ExecutionContext<'_>) -> Result<bool, HandlerError> {
        Ok(true)
    }
}

/// Lets every connection in.
struct Anyone;

impl ConnectionGuard for Anyone {
    async fn can_connect(&self, _: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        Ok(true)
    }
}

#[derive(Deserialize, Serialize, validator::Validate)]
struct Name {
    #[validate(length(min = 2))]
    name: String,
}

#[injectable]
struct HelloGateway {
    clock: Arc<Clock>,
    greeter: Arc<Greeter>,
}

#[web_socket_gateway(namespace = "/hello")]
#[use_connection_guards(TokenGuard)]
impl HelloGateway {
    #[subscribe_message("hello")]
    fn hello(&self, #[message_body] who: Name) -> Value {
        json!({ "text": format!("{} {}", self.greeter.greeting, who.name), "at": self.clock.now() })
    }

    #[subscribe_message("secret")]
    #[use_guards(Closed)]
    fn secret(&self) -> &'static str {
        "the secret"
    }

    /// Called directly by a test, as well as through the wire.
    #[subscribe_message("join")]
    fn join(&self, #[connected_socket] socket: SocketRef, #[message_body] room: String) -> bool {
        socket.join(room.clone());
        socket.emit("joined", &room).is_ok()
    }
}

/// A gateway on a port of its own.
#[injectable]
struct SideGateway;

#[web_socket_gateway(port = 4321, namespace = "/side")]
impl SideGateway {
    #[subscribe_message("ping")]
    fn ping(&self) -> &'static str {
        "pong"
    }
}

#[module(providers = [Clock, Greeter, HelloGateway, SideGateway, TokenGuard])]
struct AppModule;

const AT: u64 = 1_700_000_000_000;

fn fixed() -> gateway_core::testing::TestingModuleBuilder<AppModule> {
    TestingModule::builder::<AppModule>()
        .override_provider(Clock { fixed: Some(AT) })
        .configure(|app| app.use_global_pipe::<ValidationPipe>())
}

async fn hello_client(app: &TestApp, transport: Transport) -> gateway_core::testing::TestClient {
    app.client("/hello")
        .auth(json!({ "token": "letmein" }))
        .transport(transport)
        .connect()
        .await
        .expect("connects")
}

#[tokio::test]
async fn a_provider_replaced_by_a_value_is_what_everything_injects() -> Result<(), BoxError> {
    let app = fixed().start().await?;
    assert_eq!(app.get::<Clock>().expect("a provider").now(), AT);
    let gateway = app.get::<HelloGateway>().expect("the gateway");
    assert_eq!(gateway.clock.now(), AT, "the gateway got the replacement");
    assert!(Arc::ptr_eq(
        &gateway.greeter.clock,
        &app.get::<Clock>().expect("clock")
    ));
    let client = hello_client(&app, Transport::WebSocket).await;
    let reply: Value = client
        .emit_with_ack("hello", &json!({ "name": "Ada" }))
        .await?;
    assert_eq!(reply, json!({ "text": " Ada", "at": AT }));
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_factory_replaces_a_provider_without_building_its_dependencies() -> Result<(), BoxError> {
    let app = fixed()
        .override_provider_with(|| {
            Ok(Greeter {
                clock: Arc::new(Clock { fixed: Some(1) }),
                greeting: "Hi".to_owned(),
            })
        })
        .start()
        .await?;
    let greeter = app.get::<Greeter>().expect("greeter");
    assert_eq!(greeter.clock.now(), 1, "its own clock, not the module's");
    let client = hello_client(&app, Transport::InProcess).await;
    let reply: Value = client
        .emit_with_ack("hello", &json!({ "name": "Ada" }))
        .await?;
    assert_eq!(reply, json!({ "text": "Hi Ada", "at": AT }));
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_failing_factory_fails_start_up_naming_the_provider() {
    let err = fixed()
        .override_provider_with::<Greeter>(|| Err("no greeting today".into()))
        .start()
        .await
        .err()
        .expect("fails");
    assert_eq!(
        err.to_string(),
        "Greeter failed to initialise: no greeting today"
    );
}

#[tokio::test]
async fn overriding_what_the_module_does_not_have_is_an_error_naming_it() {
    #[injectable]
    #[derive(Default)]
    struct Stranger;
    let err = fixed()
        .override_provider(Stranger)
        .compile()
        .await
        .err()
        .expect("fails");
    assert_eq!(
        err.to_string(),
        "the override of Stranger replaces nothing: Stranger is not a provider of AppModule or of its imports, nor an enhancer bound in it"
    );

    #[injectable]
    struct Unbound;
    impl CanActivate for Unbound {
        async fn can_activate(&self, _: &ExecutionContext<'_>) -> Result<bool, HandlerError> {
            Ok(true)
        }
    }
    let err = fixed()
        .override_guard::<Unbound>(Open)
        .start()
        .await
        .err()
        .expect("fails");
    assert!(
        matches!(
            err,
            gateway_core::StartupError::UnknownOverride {
                what: "Unbound",
                module: "AppModule"
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_guard_is_replaced_or_disabled_where_it_is_bound() -> Result<(), BoxError> {
    let app = fixed().start().await?;
    let client = hello_client(&app, Transport::InProcess).await;
    client.emit("secret", &()).await?;
    let refused: Value = client.expect("exception").await?;
    assert_eq!(refused["message"], "Forbidden resource");
    app.shutdown().await;

    for builder in [
        fixed().override_guard::<Closed>(Open),
        fixed().disable::<Closed>(),
    ] {
        let app = builder.start().await?;
        let client = hello_client(&app, Transport::InProcess).await;
        let secret: String = client.emit_with_ack("secret", &()).await?;
        assert_eq!(secret, "the secret");
        app.shutdown().await;
    }
    Ok(())
}

#[tokio::test]
async fn connection_guards_are_replaced_too_bound_or_global() -> Result<(), BoxError> {
    let app = fixed().start().await?;
    let refused = app.client("/hello").connect_error().await?;
    assert_eq!(refused.message, "bad token");
    // In process, a connection guard runs as it does over the network.
    let refused = app
        .client("/hello")
        .transport(Transport::InProcess)
        .connect_error()
        .await?;
    assert_eq!(refused.message, "bad token");
    app.shutdown().await;

    let app = fixed()
        .override_connection_guard::<TokenGuard>(Anyone)
        .start()
        .await?;
    app.client("/hello").connect().await?;
    app.shutdown().await;

    // A global connection guard, from the application's configuration, disabled.
    let global = || fixed().configure(|app| app.use_global_connection_guard::<TokenGuard>());
    let app = global().start().await?;
    let refused = app.client_on(4321, "/side").connect_error().await?;
    assert_eq!(refused.message, "bad token");
    app.shutdown().await;
    let app = global().disable::<TokenGuard>().start().await?;
    let side = app.client_on(4321, "/side").connect().await?;
    let pong: String = side.emit_with_ack("ping", &()).await?;
    assert_eq!(pong, "pong");
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_global_pipe_can_be_disabled() -> Result<(), BoxError> {
    let app = fixed().start().await?;
    let client = hello_client(&app, Transport::InProcess).await;
    client.emit("hello", &json!({ "name": "A" })).await?;
    let invalid: Value = client.expect("exception").await?;
    assert_eq!(invalid["message"], "Validation failed");
    app.shutdown().await;

    let app = fixed().disable::<ValidationPipe>().start().await?;
    let client = hello_client(&app, Transport::InProcess).await;
    let reply: Value = client
        .emit_with_ack("hello", &json!({ "name": "A" }))
        .await?;
    assert_eq!(reply["text"], " A");
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn every_declared_port_gets_a_free_one() -> Result<(), BoxError> {
    let app = fixed().start().await?;
    let side = app.port_addr(4321).expect("the side gateway's port");
    assert!(side.ip().is_loopback());
    assert_ne!(side.port(), 4321);
    assert_ne!(side, app.addr());
    for transport in [Transport::WebSocket, Transport::InProcess] {
        let client = app
            .client_on(4321, "/side")
            .transport(transport)
            .connect()
            .await?;
        let pong: String = client.emit_with_ack("ping", &()).await?;
        assert_eq!(pong, "pong", "{transport:?}");
    }
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_gateway_method_is_called_directly_on_a_clients_socket() -> Result<(), BoxError> {
    let app = fixed().start().await?;
    let client = hello_client(&app, Transport::InProcess).await;
    let socket = app
        .socket(&client)
        .expect("the client's socket on the server");
    assert_eq!(socket.id().to_string(), client.id());

    let gateway = app.get::<HelloGateway>().expect("the gateway");
    assert!(gateway.join(socket.clone(), "lobby".to_owned()));
    assert!(socket.rooms().iter().any(|r| r == "lobby"));
    let joined: String = client.expect("joined").await?;
    assert_eq!(joined, "lobby");
    // The same method through the wire.
    let through_the_wire: bool = client.emit_with_ack("join", &"hall").await?;
    assert!(through_the_wire);
    assert_eq!(client.expect::<String>("joined").await?, "hall");

    client.disconnect().await?;
    app.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn in_process_needs_a_client_of_a_test_app() {
    let err = gateway_core::testing::TestClient::builder("127.0.0.1:1")
        .transport(Transport::InProcess)
        .connect()
        .await
        .expect_err("fails");
    assert!(matches!(err, TestClientError::Transport(_)), "{err}");
}

/// A configuration, which a test sets instead of loading.
#[derive(Deserialize, validator::Validate)]
struct Settings {
    #[validate(length(min = 1))]
    motd: String,
}

impl gateway_core::config::Configuration for Settings {
    fn sources() -> gateway_core::config::Sources {
        gateway_core::config::Sources::new().env_prefixed("TESTING_MODULE_SETTINGS_")
    }
}

#[injectable]
struct MotdGateway {
    settings: Arc<gateway_core::config::Config<Settings>>,
}

#[web_socket_gateway(namespace = "/motd")]
impl MotdGateway {
    #[subscribe_message("motd")]
    fn motd(&self) -> String {
        self.settings.motd.clone()
    }
}

#[module(providers = [gateway_core::config::Config<Settings>, MotdGateway])]
struct MotdModule;

#[tokio::test]
async fn configuration_values_are_set_by_the_test() -> Result<(), BoxError> {
    // Loaded from its sources, the configuration lacks `motd`: start-up names the key.
    let err = TestingModule::builder::<MotdModule>()
        .compile()
        .await
        .err()
        .expect("no source sets motd");
    assert_eq!(
        err.to_string(),
        "invalid configuration: `motd` (from no source) is required and has no default"
    );

    let app = TestingModule::builder::<MotdModule>()
        .config(Settings {
            motd: "welcome".to_owned(),
        })
        .start()
        .await?;
    let client = app
        .client("/motd")
        .transport(Transport::InProcess)
        .connect()
        .await?;
    let motd: String = client.emit_with_ack("motd", &()).await?;
    assert_eq!(motd, "welcome");
    app.shutdown().await;
    Ok(())
}
