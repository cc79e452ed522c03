//! Grouping gateways into socket.io servers: one per port, one namespace per gateway, server
//! options merged (a conflict is a start-up error naming both gateways, where NestJS silently
//! ignores the later gateway's options).

use socketioxide::adapter::Adapter;

use crate::di::{Instance, ProviderDef};
use crate::error::StartupError;
use crate::gateway::{GatewayDef, GatewayMeta, ServerOptions};
use crate::socket::{Matcher, WsServer};

/// Which listener a server is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum PortKey {
    Main,
    Port(u16),
}

impl PortKey {
    /// `"main"`, or the declared port.
    pub(crate) fn key(&self) -> String {
        match self {
            PortKey::Main => "main".to_owned(),
            PortKey::Port(p) => p.to_string(),
        }
    }
}

impl std::fmt::Display for PortKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortKey::Main => f.write_str("the main listener"),
            PortKey::Port(p) => write!(f, "port {p}"),
        }
    }
}

pub(crate) struct PlannedGateway<'a, A: Adapter> {
    pub meta: &'static GatewayMeta,
    pub def: &'a GatewayDef<A>,
    pub instance: Instance,
    pub matcher: Matcher,
    /// The gateway's `#[web_socket_server]` field, or a handle of its own for `after_init`.
    pub server: WsServer,
}

pub(crate) struct ServerPlan<'a, A: Adapter> {
    pub port: PortKey,
    pub options: ServerOptions,
    pub gateways: Vec<PlannedGateway<'a, A>>,
}

pub(crate) fn plan_servers<'a, A: Adapter>(
    providers: impl Iterator<Item = (&'a ProviderDef<GatewayDef<A>>, &'a Instance)>,
) -> Result<Vec<ServerPlan<'a, A>>, StartupError> {
    let mut plans: Vec<ServerPlan<A>> = Vec::new();
    for (provider, instance) in providers {
        let Some(def) = &provider.gateway else {
            continue;
        };
        let meta = def.meta;
        let port = meta.port.map_or(PortKey::Main, PortKey::Port);
        let matcher = Matcher::compile(meta.namespace, meta.name)?;
        let server = (provider.ws_server)(instance).unwrap_or_default();
        let planned = PlannedGateway {
            meta,
            def,
            instance: instance.clone(),
            matcher,
            server,
        };
        let Some(plan) = plans.iter_mut().find(|p| p.port == port) else {
            plans.push(ServerPlan {
                port,
                options: meta.options,
                gateways: vec![planned],
            });
            continue;
        };
        if let Err(what) = plan.options.merge(&meta.options) {
            // Name the gateway that set the other value, not merely the port's first one.
            let first = plan
                .gateways
                .iter()
                .find(|g| {
                    let mut mine = g.meta.options;
                    mine.merge(&meta.options).is_err()
                })
                .map_or(plan.gateways[0].meta.name, |g| g.meta.name);
            return Err(StartupError::ConflictingServerOptions {
                first,
                second: meta.name,
                port: port.to_string(),
                what,
            });
        }
        for other in &plan.gateways {
            let clash = match (&other.matcher, &planned.matcher) {
                (Matcher::Static(a), Matcher::Static(b)) => a == b,
                (Matcher::Regex(_), Matcher::Regex(_)) => true,
                (a, b) => a.router_pattern().is_some() && a.router_pattern() == b.router_pattern(),
            };
            if clash {
                return Err(StartupError::DuplicateNamespace {
                    first: other.meta.name,
                    second: meta.name,
                    namespace: meta.namespace.display(),
                    port: port.to_string(),
                });
            }
        }
        plan.gateways.push(planned);
    }
    plans.sort_by_key(|p| p.port);
    Ok(plans)
}
