//! [`Module`]: what an application is built from. `#[module]` implements it; its providers are
//! completed here with what their types turn out to be (a gateway, lifecycle hooks).

use crate::AppAdapter;
use crate::di::ModuleDef;
use crate::gateway::GatewayDef;

/// A module, NestJS's `@Module`: implemented by `#[module(imports, providers, exports)]`.
pub trait Module: 'static {
    /// What the module lists, for an application on adapter `A` (its gateways are mounted on
    /// servers of that adapter).
    fn definition<A: AppAdapter>() -> ModuleDef<GatewayDef<A>>;
}

/// Probes used by the code `#[module]` generates: `(&&Probe::<P>::new()).gateway_tag()` picks
/// the impl on `&Probe<P>` when `P: Gateway`, else the one on `Probe<P>`; each tag then
/// completes the `ProviderDef` with the bounds it needs.
pub mod probe {
    use std::marker::PhantomData;
    use std::sync::Arc;

    use crate::AppAdapter;
    use crate::di::{Instance, OnApplicationShutdown, OnModuleInit, ProviderDef};
    use crate::gateway::{Gateway, GatewayDef};
    use crate::socket::WsServer;

    /// A provider of an application on adapter `A`.
    pub type Def<A> = ProviderDef<GatewayDef<A>>;

    /// Stands for provider type `P`.
    pub struct Probe<P>(PhantomData<P>);
    impl<P> Probe<P> {
        /// The probe of `P`.
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
                /// Picks this tag for the probed provider type.
                fn $method(&self) -> Yes<P> {
                    Yes(PhantomData)
                }
            }
            impl<P: $bound> $yes<P> for &Probe<P> {}
            /// Selects [`No`] otherwise.
            pub trait $no {
                /// Picks this tag for the probed provider type.
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
        pub fn apply_gateway<A: AppAdapter>(self, mut def: Def<A>) -> Def<A> {
            def.gateway = Some(GatewayDef::of::<P>(|i, server: WsServer| {
                Box::pin(async move { cast::<P>(i).after_init(server).await })
            }));
            def
        }
    }
    impl<P: OnModuleInit> Yes<P> {
        /// Adds the `on_module_init` hook.
        pub fn apply_init<A: AppAdapter>(self, mut def: Def<A>) -> Def<A> {
            def.on_module_init =
                Some(|i| Box::pin(async move { cast::<P>(i).on_module_init().await }));
            def
        }
    }
    impl<P: OnApplicationShutdown> Yes<P> {
        /// Adds the `on_application_shutdown` hook.
        pub fn apply_shutdown<A: AppAdapter>(self, mut def: Def<A>) -> Def<A> {
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
        pub fn apply_gateway<A: AppAdapter>(self, def: Def<A>) -> Def<A> {
            def
        }
        /// Returns `def` unchanged.
        pub fn apply_init<A: AppAdapter>(self, def: Def<A>) -> Def<A> {
            def
        }
        /// Returns `def` unchanged.
        pub fn apply_shutdown<A: AppAdapter>(self, def: Def<A>) -> Def<A> {
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
        let __def =
            $crate::__private::ProviderDef::<$crate::__private::GatewayDef<$adapter>>::new::<$ty>();
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
