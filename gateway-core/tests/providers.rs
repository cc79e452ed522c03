//! Providers beyond `#[injectable]` defaults: values given at start-up, asynchronous factories
//! with dependencies, optional dependencies, and the errors of each misuse.

use gateway_core::prelude::*;
use gateway_core::{GatewayApplication, StartupError};

/// A type of "another crate": no `#[injectable]`, provided as a value.
struct DbUrl(String);

/// What an asynchronous factory opens from the value. Injected into an `#[injectable]`'s
/// field, so it is `#[injectable]` itself (a field of a type that is no provider does not
/// compile); the factory, not its defaults, makes it.
#[injectable]
struct Pool {
    url: String,
    size: usize,
}

#[injectable]
#[derive(Default)]
struct Metrics;

/// Needs the pool (made by the factory) and maybe a cache nobody provides.
#[injectable]
struct Repo {
    pool: Arc<Pool>,
    metrics: Option<Arc<Metrics>>,
    cache: Option<Arc<Cache>>,
}

#[injectable]
#[derive(Default)]
struct Cache;

#[module(providers = [Repo, Metrics])]
struct DataModule;

#[module(imports = [DataModule])]
struct AppModule;

fn builder() -> gateway_core::ApplicationBuilder<AppModule> {
    GatewayApplication::builder::<AppModule>()
        .provide(DbUrl("postgres://db".to_owned()))
        .provide_with(
            |(url, metrics): (Arc<DbUrl>, Option<Arc<Metrics>>)| async move {
                tokio::task::yield_now().await; // a real await, as a connection would
                Ok(Pool {
                    url: url.0.clone(),
                    size: if metrics.is_some() { 4 } else { 1 },
                })
            },
        )
}

#[tokio::test]
async fn values_and_async_factories_are_injected_in_every_module() -> Result<(), BoxError> {
    let app = builder().create().await?;
    let repo = app.get::<Repo>().expect("a provider");
    assert_eq!(repo.pool.url, "postgres://db");
    assert_eq!(repo.pool.size, 4, "the factory got the optional Metrics");
    assert!(
        repo.metrics.is_some(),
        "an optional dependency that exists is injected"
    );
    assert!(
        repo.cache.is_none(),
        "an optional dependency nobody provides is None"
    );
    Ok(())
}

#[tokio::test]
async fn a_failing_factory_stops_start_up_naming_its_type() {
    let err = GatewayApplication::builder::<AppModule>()
        .provide_with(|(): ()| async { Err::<Pool, BoxError>("connection refused".into()) })
        .create()
        .await
        .err()
        .expect("fails");
    assert_eq!(
        err.to_string(),
        "Pool failed to initialise: connection refused"
    );
}

#[tokio::test]
async fn a_factory_missing_a_dependency_is_named() {
    let err = GatewayApplication::builder::<AppModule>()
        .provide_with(|(url,): (Arc<DbUrl>,)| async move {
            Ok(Pool {
                url: url.0.clone(),
                size: 1,
            })
        })
        .create()
        .await
        .err()
        .expect("fails");
    assert!(
        matches!(
            &err,
            StartupError::MissingProvider {
                provider: "Pool",
                dependency: "DbUrl",
                field: "argument 0",
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_required_dependency_left_out_is_still_an_error() {
    // Without the factory, Repo's `pool` is missing: optional fields do not hide that.
    let err = GatewayApplication::create::<AppModule>()
        .await
        .err()
        .expect("fails")
        .to_string();
    assert!(
        err.starts_with("can't resolve dependencies of Repo: Pool (field `pool`, index [0])"),
        "{err}"
    );
}

/// How many `Draft`s exist right now.
static DRAFTS: std::sync::atomic::AtomicIsize = std::sync::atomic::AtomicIsize::new(0);

/// One per socket: the text that socket typed so far.
#[injectable(scope = "socket")]
struct Draft {
    metrics: Arc<Metrics>,
    text: std::sync::Mutex<String>,
    _counted: Counted,
}

/// Counts the live drafts.
struct Counted;
impl Default for Counted {
    fn default() -> Self {
        DRAFTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Counted
    }
}
impl Drop for Counted {
    fn drop(&mut self) {
        DRAFTS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[injectable]
struct EditorGateway;

#[web_socket_gateway(namespace = "/editor")]
impl EditorGateway {
    #[subscribe_message("type")]
    fn type_text(&self, Scoped(draft): Scoped<Draft>, #[message_body] text: String) -> String {
        let _ = &draft.metrics;
        let mut mine = draft.text.lock().unwrap_or_else(|e| e.into_inner());
        mine.push_str(&text);
        mine.clone()
    }

    #[subscribe_message("metrics")]
    fn metrics(&self, Scoped(metrics): Scoped<Metrics>) -> bool {
        let _ = metrics;
        true
    }
}

#[module(providers = [EditorGateway, Draft, Metrics])]
struct EditorModule;

#[tokio::test]
async fn a_socket_scoped_provider_is_one_per_socket_and_goes_with_it() -> Result<(), BoxError> {
    use gateway_core::testing::{TestingModule, Transport};
    let app = TestingModule::builder::<EditorModule>().start().await?;
    assert!(app.get::<Draft>().is_none(), "not built at start-up");
    let a = app
        .client("/editor")
        .transport(Transport::InProcess)
        .connect()
        .await?;
    let b = app.client("/editor").connect().await?;
    assert_eq!(a.emit_with_ack::<String>("type", &"he").await?, "he");
    assert_eq!(a.emit_with_ack::<String>("type", &"llo").await?, "hello");
    assert_eq!(
        b.emit_with_ack::<String>("type", &"hi").await?,
        "hi",
        "b has its own"
    );
    assert_eq!(DRAFTS.load(std::sync::atomic::Ordering::SeqCst), 2);

    // A singleton taken as Scoped<T> is a handler error (500 on the wire), not a panic.
    b.emit("metrics", &()).await?;
    let refused: serde_json::Value = b.expect("exception").await?;
    assert_eq!(refused["message"], "Internal server error");

    a.disconnect().await?;
    b.disconnect().await?;
    // Dropped with their sockets (bounded wait: socketioxide drops the socket after its
    // disconnect handler has run).
    let gone = async {
        while DRAFTS.load(std::sync::atomic::Ordering::SeqCst) != 0 {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(5), gone)
        .await
        .expect("the drafts are dropped with their sockets");
    app.shutdown().await;
    Ok(())
}

/// A singleton that holds a socket-scoped provider: the scope rules forbid it.
#[injectable]
struct Autosave {
    _draft: Arc<Draft>,
}

#[module(providers = [Autosave, Draft, Metrics])]
struct BadScopeModule;

#[tokio::test]
async fn a_singleton_depending_on_a_socket_scoped_provider_names_both() {
    let err = GatewayApplication::create::<BadScopeModule>()
        .await
        .err()
        .expect("fails")
        .to_string();
    assert!(
        err.starts_with("Autosave: it is a singleton, and Draft is socket-scoped (one per socket)"),
        "{err}"
    );
}
