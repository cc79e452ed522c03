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
