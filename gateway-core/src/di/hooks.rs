//! Lifecycle hooks of providers, and how `#[module]` finds out which traits a provider
//! implements without specialization: the "autoref" probes of [`probe`].

use std::future::Future;

use crate::error::BoxError;

/// NestJS's `onModuleInit`: runs once every provider is built and every gateway's `after_init`
/// has run, before the application listens. An error stops start-up.
pub trait OnModuleInit: Send + Sync + 'static {
    /// The hook.
    fn on_module_init(&self) -> impl Future<Output = Result<(), BoxError>> + Send;
}

/// NestJS's `onApplicationShutdown`: runs on SIGINT/SIGTERM (or a programmatic shutdown), after
/// every client has been disconnected.
pub trait OnApplicationShutdown: Send + Sync + 'static {
    /// The hook.
    fn on_application_shutdown(&self) -> impl Future<Output = ()> + Send;
}

/// Probes used by the code `#[module]` generates: `(&&Probe::<P>::new()).gateway_tag()` picks
/// the impl on `&Probe<P>` when `P: Gateway`, else the one on `Probe<P>`; each tag then
/// completes the [`ProviderDef`](super::ProviderDef) with the bounds it needs.
pub mod probe {
    use std::marker::PhantomData;
    use std::sync::Arc;

    use socketioxide::adapter::Adapter;

    use crate::AppAdapter;

    use super::{OnApplicationShutdown, OnModuleInit};
    use crate::di::module::{Instance, ProviderDef};
    use crate::gateway::{Gateway, WsServer, mount_gateway};

    /// Stands for provider type `P`.
    pub struct Probe<P>(PhantomData<P>);
    impl<P> Probe<P> {
        /// The probe.
        pub fn new() -> Self {
            Probe(PhantomData)
        }
    }
    impl<P> Default for Probe<P> {
        fn default() -> Self {
            Self::new()
        }
    }

    /// A tag that applies a trait's hooks.
    pub struct Yes<P>(PhantomData<P>);
    /// A tag that applies nothing.
    pub struct No;

    macro_rules! probe_pair {
        ($yes:ident, $no:ident, $method:ident, $bound:path) => {
            /// Selects [`Yes`] when the provider implements the trait.
            pub trait $yes<P> {
                /// The tag.
                fn $method(&self) -> Yes<P> {
                    Yes(PhantomData)
                }
            }
            impl<P: $bound> $yes<P> for &Probe<P> {}
            /// Selects [`No`] otherwise.
            pub trait $no {
                /// The tag.
                fn $method(&self) -> No {
                    No
                }
            }
            impl<P> $no for Probe<P> {}
        };
    }

    probe_pair!(GatewayYes, GatewayNo, gateway_tag, Gateway);
    probe_pair!(InitYes, InitNo, init_tag, OnModuleInit);
    probe_pair!(ShutdownYes, ShutdownNo, shutdown_tag, OnApplicationShutdown);

    fn cast<P: Send + Sync + 'static>(i: Instance) -> Arc<P> {
        match i.downcast::<P>() {
            Ok(p) => p,
            // The container stores each provider under its own TypeId.
            Err(_) => unreachable!("provider stored under another type's id"),
        }
    }

    impl<P: Gateway> Yes<P> {
        /// Marks the provider as a gateway.
        pub fn apply_gateway<A: AppAdapter>(self, mut def: ProviderDef<A>) -> ProviderDef<A> {
            def.gateway = Some((P::meta(), mount_gateway::<A, P>, |i, server: WsServer| {
                Box::pin(async move { cast::<P>(i).after_init(server).await })
            }));
            def
        }
    }
    impl<P: OnModuleInit> Yes<P> {
        /// Adds the `on_module_init` hook.
        pub fn apply_init<A: Adapter>(self, mut def: ProviderDef<A>) -> ProviderDef<A> {
            def.on_module_init =
                Some(|i| Box::pin(async move { cast::<P>(i).on_module_init().await }));
            def
        }
    }
    impl<P: OnApplicationShutdown> Yes<P> {
        /// Adds the `on_application_shutdown` hook.
        pub fn apply_shutdown<A: Adapter>(self, mut def: ProviderDef<A>) -> ProviderDef<A> {
            def.on_application_shutdown = Some(|i| {
                Box::pin(async move {
                    cast::<P>(i).on_application_shutdown().await;
                    Ok(())
                })
            });
            def
        }
    }
    impl No {
        /// Returns `def` unchanged.
        pub fn apply_gateway<A: Adapter>(self, def: ProviderDef<A>) -> ProviderDef<A> {
            def
        }
        /// Returns `def` unchanged.
        pub fn apply_init<A: Adapter>(self, def: ProviderDef<A>) -> ProviderDef<A> {
            def
        }
        /// Returns `def` unchanged.
        pub fn apply_shutdown<A: Adapter>(self, def: ProviderDef<A>) -> ProviderDef<A> {
            def
        }
    }
}

/// The description of provider `$ty` for adapter `$adapter`, with its gateway and hooks found
/// by probing. Expanded by `#[module]`, where `$ty` is concrete.
#[doc(hidden)]
#[macro_export]
macro_rules! __provider {
    ($adapter:ty, $ty:ty) => {{
        #[allow(unused_imports)]
        use $crate::__private::probe::{
            GatewayNo as _, GatewayYes as _, InitNo as _, InitYes as _, ShutdownNo as _,
            ShutdownYes as _,
        };
        let __def = $crate::di::ProviderDef::<$adapter>::new::<$ty>();
        let __def = (&&$crate::__private::probe::Probe::<$ty>::new())
            .gateway_tag()
            .apply_gateway(__def);
        let __def = (&&$crate::__private::probe::Probe::<$ty>::new())
            .init_tag()
            .apply_init(__def);
        (&&$crate::__private::probe::Probe::<$ty>::new())
            .shutdown_tag()
            .apply_shutdown(__def)
    }};
}
