//! Start-up errors: what `GatewayApplication::create` (dependency injection) and `start` (server
//! planning) refuse, and what the error says. No client involved.

use gateway_core::prelude::*;
use gateway_core::{GatewayApplication, RunningApp, StartupError};

/// `create::<M>()`, expecting an error.
async fn create_err<M: gateway_core::Module>() -> StartupError {
    match GatewayApplication::create::<M>().await {
        Ok(_) => panic!("{} should not build", std::any::type_name::<M>()),
        Err(e) => e,
    }
}

/// `create::<M>()` then `start`, with every declared port on a free one.
async fn start<M: gateway_core::Module>(ports: &[u16]) -> Result<RunningApp, StartupError> {
    let mut app = GatewayApplication::create::<M>()
        .await
        .unwrap_or_else(|e| panic!("{} builds: {e}", std::any::type_name::<M>()));
    for &p in ports {
        app = app.map_port(p, 0);
    }
    app.start("127.0.0.1:0").await
}

async fn start_err<M: gateway_core::Module>(ports: &[u16]) -> StartupError {
    match start::<M>(ports).await {
        Ok(app) => {
            app.shutdown().await;
            panic!("{} should not start", std::any::type_name::<M>())
        }
        Err(e) => e,
    }
}

// ---------------------------------------------------------------------------------------------
// Conflicting server options on one port.

#[injectable]
struct SlowPingGateway;

#[web_socket_gateway(port = 4201, namespace = "/slow-ping", ping_interval = 1000)]
impl SlowPingGateway {
    #[subscribe_message("x")]
    fn x(&self) {}
}

#[injectable]
struct FastPingGateway;

#[web_socket_gateway(port = 4201, namespace = "/fast-ping", ping_interval = 2000)]
impl FastPingGateway {
    #[subscribe_message("x")]
    fn x(&self) {}
}

#[module(providers = [SlowPingGateway, FastPingGateway])]
struct PingConflictModule;

#[tokio::test]
async fn different_ping_intervals_on_one_port_fail_to_start_naming_both_gateways() {
    let err = start_err::<PingConflictModule>(&[4201]).await;
    let shown = err.to_string();
    match &err {
        StartupError::ConflictingServerOptions {
            first,
            second,
            what,
            ..
        } => {
            let mut pair = [*first, *second];
            pair.sort();
            assert_eq!(pair, ["FastPingGateway", "SlowPingGateway"], "{shown}");
            assert!(what.contains("ping_interval"), "{what}");
        }
        other => panic!("expected ConflictingServerOptions, got {other:?}"),
    }
    for needle in [
        "SlowPingGateway",
        "FastPingGateway",
        "ping_interval",
        "4201",
    ] {
        assert!(shown.contains(needle), "`{needle}` should be in: {shown}");
    }
}

/// On the main listener too, and for CORS.
#[injectable]
struct OpenCorsGateway;

#[web_socket_gateway(namespace = "/open", cors(origin = "*"))]
impl OpenCorsGateway {}

#[injectable]
struct ClosedCorsGateway;

#[web_socket_gateway(namespace = "/closed", cors(origin = ["http://a.test"]))]
impl ClosedCorsGateway {}

#[module(providers = [OpenCorsGateway, ClosedCorsGateway])]
struct CorsConflictModule;

#[tokio::test]
async fn different_cors_on_the_main_listener_fail_to_start() {
    let err = start_err::<CorsConflictModule>(&[]).await;
    let shown = err.to_string();
    assert!(
        matches!(err, StartupError::ConflictingServerOptions { .. }),
        "{err:?}"
    );
    for needle in ["OpenCorsGateway", "ClosedCorsGateway", "cors"] {
        assert!(shown.contains(needle), "`{needle}` should be in: {shown}");
    }
}

/// Two parsers on one port: a client can only speak one of them.
#[injectable]
struct MsgpackGateway;

#[web_socket_gateway(port = 4202, namespace = "/msgpack", parser = "msgpack")]
impl MsgpackGateway {}

#[injectable]
struct JsonGateway;

#[web_socket_gateway(port = 4202, namespace = "/json", parser = "default")]
impl JsonGateway {}

#[module(providers = [MsgpackGateway, JsonGateway])]
struct ParserConflictModule;

#[tokio::test]
async fn different_parsers_on_one_port_fail_to_start_naming_both_gateways() {
    let err = start_err::<ParserConflictModule>(&[4202]).await;
    let shown = err.to_string();
    assert!(
        matches!(err, StartupError::ConflictingServerOptions { .. }),
        "{err:?}"
    );
    for needle in ["MsgpackGateway", "JsonGateway", "parser", "4202"] {
        assert!(shown.contains(needle), "`{needle}` should be in: {shown}");
    }
}

/// The control: one gateway sets an option, another leaves it unset: no conflict.
#[injectable]
struct UnsetPingGateway;

#[web_socket_gateway(port = 4201, namespace = "/unset-ping")]
impl UnsetPingGateway {}

#[module(providers = [SlowPingGateway, UnsetPingGateway])]
struct PingAgreeModule;

#[tokio::test]
async fn an_option_set_by_one_gateway_only_is_no_conflict() {
    let app = start::<PingAgreeModule>(&[4201])
        .await
        .unwrap_or_else(|e| panic!("should start: {e}"));
    assert!(app.port_addr(4201).is_some());
    app.shutdown().await;
}

/// The error names the gateway that asked for the other value, not the port's first gateway.
#[module(providers = [UnsetPingGateway, SlowPingGateway, FastPingGateway])]
struct PingConflictAfterUnsetModule;

#[tokio::test]
async fn a_conflict_names_the_gateway_that_set_the_other_value() {
    let err = start_err::<PingConflictAfterUnsetModule>(&[4201]).await;
    match &err {
        StartupError::ConflictingServerOptions { first, second, .. } => {
            let mut pair = [*first, *second];
            pair.sort();
            assert_eq!(pair, ["FastPingGateway", "SlowPingGateway"], "{err}");
        }
        other => panic!("expected ConflictingServerOptions, got {other:?}"),
    }
}

#[injectable]
struct FirstChatGateway;

#[web_socket_gateway(namespace = "chat")]
impl FirstChatGateway {}

#[injectable]
struct SecondChatGateway;

#[web_socket_gateway(namespace = "/chat")]
impl SecondChatGateway {}

#[module(providers = [FirstChatGateway, SecondChatGateway])]
struct DuplicateNamespaceModule;

#[tokio::test]
async fn two_gateways_on_one_namespace_fail_to_start() {
    let err = start_err::<DuplicateNamespaceModule>(&[]).await;
    let shown = err.to_string();
    assert!(
        matches!(err, StartupError::DuplicateNamespace { ref namespace, .. } if namespace == "/chat"),
        "{err:?}"
    );
    for needle in ["FirstChatGateway", "SecondChatGateway", "/chat"] {
        assert!(shown.contains(needle), "`{needle}` should be in: {shown}");
    }
}

// ---------------------------------------------------------------------------------------------
// Missing providers.

#[injectable]
struct Missing;

#[injectable]
#[allow(dead_code)] // exists to be injected
struct NeedsMissing {
    missing: Arc<Missing>,
}

#[module(providers = [NeedsMissing])]
struct FeatureModule;

#[module(imports = [FeatureModule])]
struct MissingRootModule;

#[tokio::test]
async fn a_missing_provider_names_provider_dependency_module_and_path() {
    let err = create_err::<MissingRootModule>().await;
    let shown = err.to_string();
    match &err {
        StartupError::MissingProvider {
            provider,
            dependency,
            field,
            index,
            module,
            path,
        } => {
            assert_eq!(*provider, "NeedsMissing");
            assert_eq!(*dependency, "Missing");
            assert_eq!(*field, "missing");
            assert_eq!(*index, 0);
            assert_eq!(*module, "FeatureModule");
            assert_eq!(path, "MissingRootModule > FeatureModule");
        }
        other => panic!("expected MissingProvider, got {other:?}"),
    }
    for needle in [
        "NeedsMissing",
        "Missing",
        "FeatureModule",
        "MissingRootModule > FeatureModule",
        "[0]",
    ] {
        assert!(shown.contains(needle), "`{needle}` should be in: {shown}");
    }
}

/// A gateway is a provider like any other: its missing dependency is reported the same way.
#[injectable]
#[allow(dead_code)] // exists to be injected
struct GatewayNeedingMissing {
    other: Arc<NeedsNothing>,
    missing: Arc<Missing>,
}

#[injectable]
struct NeedsNothing;

#[web_socket_gateway(namespace = "/needs")]
impl GatewayNeedingMissing {}

#[module(providers = [NeedsNothing, GatewayNeedingMissing])]
struct GatewayMissingModule;

#[tokio::test]
async fn a_gateway_with_a_missing_dependency_names_its_index() {
    let err = create_err::<GatewayMissingModule>().await;
    match &err {
        StartupError::MissingProvider {
            provider,
            dependency,
            field,
            index,
            module,
            path,
        } => {
            assert_eq!(
                (
                    *provider,
                    *dependency,
                    *field,
                    *index,
                    *module,
                    path.as_str()
                ),
                (
                    "GatewayNeedingMissing",
                    "Missing",
                    "missing",
                    1,
                    "GatewayMissingModule",
                    "GatewayMissingModule"
                )
            );
        }
        other => panic!("expected MissingProvider, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Cycles.

#[injectable]
#[allow(dead_code)] // exists to be injected
struct CycleA {
    b: Arc<CycleB>,
}

#[injectable]
#[allow(dead_code)] // exists to be injected
struct CycleB {
    a: Arc<CycleA>,
}

#[module(providers = [CycleA, CycleB])]
struct CycleModule;

#[tokio::test]
async fn a_dependency_cycle_is_named() {
    let err = create_err::<CycleModule>().await;
    let shown = err.to_string();
    match &err {
        StartupError::DependencyCycle { cycle } => {
            assert!(
                cycle == "CycleA -> CycleB -> CycleA" || cycle == "CycleB -> CycleA -> CycleB",
                "{cycle}"
            );
            assert!(shown.contains(cycle.as_str()), "{shown}");
        }
        other => panic!("expected DependencyCycle, got {other:?}"),
    }
}

#[injectable]
#[allow(dead_code)] // exists to be injected
struct Narcissus {
    me: Arc<Narcissus>,
}

#[module(providers = [Narcissus])]
struct SelfCycleModule;

#[tokio::test]
async fn a_provider_needing_itself_is_a_cycle() {
    match create_err::<SelfCycleModule>().await {
        StartupError::DependencyCycle { cycle } => assert_eq!(cycle, "Narcissus -> Narcissus"),
        other => panic!("expected DependencyCycle, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Visibility: imports and exports.

#[injectable]
struct Hidden;

#[injectable]
#[allow(dead_code)] // exists to be injected
struct UsesHidden {
    hidden: Arc<Hidden>,
}

#[module(providers = [Hidden])]
struct HidingModule;

#[module(imports = [HidingModule], providers = [UsesHidden])]
struct HidingRootModule;

#[tokio::test]
async fn a_provider_an_imported_module_does_not_export_is_not_visible() {
    match create_err::<HidingRootModule>().await {
        StartupError::MissingProvider {
            provider,
            dependency,
            module,
            path,
            ..
        } => {
            assert_eq!(
                (provider, dependency, module, path.as_str()),
                (
                    "UsesHidden",
                    "Hidden",
                    "HidingRootModule",
                    "HidingRootModule"
                )
            );
        }
        other => panic!("expected MissingProvider, got {other:?}"),
    }
}

#[injectable]
struct Shared;

#[injectable]
struct UsesShared {
    shared: Arc<Shared>,
}

#[module(providers = [Shared], exports = [Shared])]
struct SharingModule;

#[module(imports = [SharingModule], providers = [UsesShared])]
struct SharingRootModule;

#[tokio::test]
async fn an_exported_provider_is_visible_and_a_singleton() {
    let app = GatewayApplication::create::<SharingRootModule>()
        .await
        .unwrap_or_else(|e| panic!("should build: {e}"));
    let user = app.get::<UsesShared>().expect("UsesShared built");
    let shared = app.get::<Shared>().expect("Shared built");
    assert!(
        Arc::ptr_eq(&user.shared, &shared),
        "the injected Shared is the container's singleton"
    );
}

/// Imports are not transitive: Root imports Middle, which imports (but does not re-export)
/// SharingModule.
#[injectable]
#[allow(dead_code)] // exists to be injected
struct RootUsesShared {
    shared: Arc<Shared>,
}

#[module(imports = [SharingModule], providers = [UsesShared])]
struct MiddleModule;

#[module(imports = [MiddleModule], providers = [RootUsesShared])]
struct TransitiveRootModule;

#[tokio::test]
async fn imports_are_not_transitive() {
    match create_err::<TransitiveRootModule>().await {
        StartupError::MissingProvider {
            provider,
            dependency,
            module,
            ..
        } => assert_eq!(
            (provider, dependency, module),
            ("RootUsesShared", "Shared", "TransitiveRootModule")
        ),
        other => panic!("expected MissingProvider, got {other:?}"),
    }
}

/// Re-exported by the middle module: visible.
#[module(imports = [SharingModule], exports = [Shared])]
struct ReexportingModule;

#[module(imports = [ReexportingModule], providers = [RootUsesShared])]
struct ReexportRootModule;

#[tokio::test]
async fn a_reexported_provider_is_visible() {
    let app = GatewayApplication::create::<ReexportRootModule>()
        .await
        .unwrap_or_else(|e| panic!("should build: {e}"));
    let user = app.get::<RootUsesShared>().expect("RootUsesShared built");
    let shared = app.get::<Shared>().expect("Shared built");
    assert!(Arc::ptr_eq(&user.shared, &shared));
}

#[module(exports = [Shared])]
struct ExportsWhatItLacksModule;

#[tokio::test]
async fn exporting_what_a_module_does_not_have_is_an_error() {
    match create_err::<ExportsWhatItLacksModule>().await {
        StartupError::UnknownExport { module, export } => {
            assert_eq!((module, export), ("ExportsWhatItLacksModule", "Shared"))
        }
        other => panic!("expected UnknownExport, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// A failing on_module_init stops start-up.

#[injectable]
struct FailingInit;

impl OnModuleInit for FailingInit {
    async fn on_module_init(&self) -> Result<(), BoxError> {
        Err("no database".into())
    }
}

#[module(providers = [FailingInit])]
struct FailingInitModule;

#[tokio::test]
async fn a_failing_on_module_init_stops_start_up() {
    let err = start_err::<FailingInitModule>(&[]).await;
    let shown = err.to_string();
    assert!(
        matches!(
            err,
            StartupError::ProviderInit {
                provider: "FailingInit",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(shown.contains("no database"), "{shown}");
}
