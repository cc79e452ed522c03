//! The static descriptions of modules and providers.

use std::any::{Any, TypeId};
use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::container::Resolver;
use crate::error::{BoxError, StartupError};
use crate::socket::WsServer;

/// A type, by id and by name (for messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TypeKey {
    /// Its id.
    pub id: TypeId,
    /// Its name, as written.
    pub name: &'static str,
}

impl TypeKey {
    /// The key of `T`, named by its last path segment.
    pub fn of<T: 'static>() -> Self {
        let full = std::any::type_name::<T>();
        let name = full.rsplit("::").next().unwrap_or(full);
        TypeKey {
            id: TypeId::of::<T>(),
            name,
        }
    }
}

/// One injected field of a provider.
#[derive(Debug, Clone, Copy)]
pub struct Dependency {
    /// The type it needs.
    pub key: TypeKey,
    /// The field's name.
    pub field: &'static str,
    /// `Option<Arc<T>>`: `None` when no visible provider gives `T`, instead of an error.
    pub optional: bool,
}

/// How many instances of a provider there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One for the whole application, built at start-up (NestJS's default scope).
    Singleton,
    /// One per connected socket, built the first time a handler of that socket takes it
    /// (`Scoped<T>`), dropped when the socket disconnects. It may depend on singletons only,
    /// and no singleton may depend on it.
    Socket,
}

/// A provider that the container can build: implemented by `#[injectable]`.
///
/// Fields of type `Arc<T>` are injected (`T` must be a provider visible in the module), and
/// `Option<Arc<T>>` ones when `T` is (else `None`); a field
/// marked `#[web_socket_server]` gets the gateway's [`WsServer`]; other fields start as
/// `Default::default()`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a provider",
    label = "not a provider",
    note = "put #[injectable] on the struct `{Self}`"
)]
pub trait Injectable: Send + Sync + Sized + 'static {
    /// How many instances there are: one per application (the default), or one per socket
    /// (`#[injectable(scope = "socket")]`).
    const SCOPE: Scope = Scope::Singleton;
    /// The injected fields, in order.
    fn dependencies() -> Vec<Dependency>;
    /// Builds the provider from its dependencies (already built).
    fn construct(resolver: &Resolver<'_>) -> Result<Self, StartupError>;
    /// The `#[web_socket_server]` field, if any.
    fn ws_server(&self) -> Option<&WsServer> {
        None
    }
}

/// What `#[module]` says. `G` is what a provider may be besides a provider (a gateway, for the
/// application layer); the container carries it along without looking.
pub struct ModuleDef<G> {
    /// The module's type name.
    pub key: TypeKey,
    /// `imports = [...]`.
    pub imports: Vec<fn() -> ModuleDef<G>>,
    /// `providers = [...]`.
    pub providers: Vec<ProviderDef<G>>,
    /// `exports = [...]`.
    pub exports: Vec<TypeKey>,
}

pub(crate) type Instance = Arc<dyn Any + Send + Sync>;
pub(crate) type Hook = fn(Instance) -> BoxFuture<'static, Result<(), BoxError>>;

/// Starts an asynchronous factory from the providers built before it.
pub(crate) type AsyncFactory = Box<
    dyn FnOnce(
            &Resolver<'_>,
        ) -> Result<BoxFuture<'static, Result<Instance, BoxError>>, StartupError>
        + Send,
>;

/// How the container makes a provider.
pub(crate) enum Construct {
    /// `#[injectable]`: from its fields.
    Sync(fn(&Resolver<'_>) -> Result<Instance, StartupError>),
    /// A value the application gives.
    Value(Instance),
    /// An asynchronous factory the application gives, with dependencies.
    Async(AsyncFactory),
    /// A test's replacement.
    Replaced(super::container::Factory),
    /// Already run (the definition is kept for its hooks).
    Taken,
}

impl Construct {
    /// Makes the instance; `built` holds every provider planned before it.
    pub(crate) async fn run(
        self,
        name: &'static str,
        built: &std::collections::HashMap<std::any::TypeId, Instance>,
    ) -> Result<Instance, StartupError> {
        let failed = |source: BoxError| StartupError::ProviderInit {
            provider: name,
            source,
        };
        let resolver = Resolver::new(built, name);
        match self {
            Construct::Sync(construct) => construct(&resolver),
            Construct::Value(instance) => Ok(instance),
            Construct::Async(factory) => factory(&resolver)?.await.map_err(failed),
            Construct::Replaced(factory) => factory().map_err(failed),
            Construct::Taken => Err(failed("built twice".into())),
        }
    }
}
/// A provider the application gives itself, beside its modules: a value, or an asynchronous
/// factory with dependencies. Visible to every module.
pub(crate) struct Provided {
    key: TypeKey,
    dependencies: fn() -> Vec<Dependency>,
    construct: Construct,
}

impl Provided {
    /// A provider that is `value`.
    pub(crate) fn value<T: Send + Sync + 'static>(value: T) -> Self {
        Provided {
            key: TypeKey::of::<T>(),
            dependencies: Vec::new,
            construct: Construct::Value(Arc::new(value)),
        }
    }

    /// A provider made by an asynchronous factory from the providers in `D`.
    pub(crate) fn factory<T, D, F, Fut>(factory: F) -> Self
    where
        T: Send + Sync + 'static,
        D: super::Deps,
        F: FnOnce(D) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<T, BoxError>> + Send + 'static,
    {
        Provided {
            key: TypeKey::of::<T>(),
            dependencies: D::dependencies,
            construct: Construct::Async(Box::new(move |r: &Resolver<'_>| {
                let deps = D::resolve(r)?;
                let made = factory(deps);
                Ok(
                    Box::pin(async move { made.await.map(|t| Arc::new(t) as Instance) })
                        as BoxFuture<'static, _>,
                )
            })),
        }
    }
}

impl<G> From<Provided> for ProviderDef<G> {
    fn from(p: Provided) -> Self {
        ProviderDef {
            key: p.key,
            dependencies: p.dependencies,
            construct: p.construct,
            scope: Scope::Singleton,
            ws_server: |_| None,
            gateway: None,
            on_module_init: None,
            on_application_shutdown: None,
        }
    }
}

/// One provider of a module, with what its type turned out to be (gateway, hooks).
pub struct ProviderDef<G> {
    /// The provider's type.
    pub key: TypeKey,
    pub(crate) dependencies: fn() -> Vec<Dependency>,
    pub(crate) construct: Construct,
    pub(crate) scope: Scope,
    pub(crate) ws_server: fn(&Instance) -> Option<WsServer>,
    pub(crate) gateway: Option<G>,
    pub(crate) on_module_init: Option<Hook>,
    pub(crate) on_application_shutdown: Option<Hook>,
}

impl<G> ProviderDef<G> {
    /// The description of provider `P`.
    pub fn new<P: Injectable>() -> Self {
        ProviderDef {
            key: TypeKey::of::<P>(),
            dependencies: P::dependencies,
            construct: Construct::Sync(|r| P::construct(r).map(|p| Arc::new(p) as Instance)),
            scope: P::SCOPE,
            ws_server: |i| i.downcast_ref::<P>().and_then(|p| p.ws_server().cloned()),
            gateway: None,
            on_module_init: None,
            on_application_shutdown: None,
        }
    }
}
