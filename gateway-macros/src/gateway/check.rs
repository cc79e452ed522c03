//! What the type system cannot check: one handler per event, one body per handler, the hooks'
//! shapes.

use std::collections::HashMap;

use super::parse::{Gateway, ParamKind};
use crate::ctxt::Ctxt;

pub(crate) fn check(g: &Gateway, cx: &mut Ctxt) {
    let mut seen: HashMap<String, &syn::Ident> = HashMap::new();
    for h in &g.handlers {
        for cg in &h.enhancers.connection_guards {
            cx.error(cg, "connection guards run at the handshake, for the whole gateway: put #[use_connection_guards] on the impl block");
        }
        if let Some(first) = seen.get(&h.event.value()) {
            cx.error(
                &h.event,
                format!("event \"{}\" is already handled by `{first}`: one handler per event per gateway", h.event.value()),
            );
        } else {
            seen.insert(h.event.value(), &h.method);
        }
        let bodies: Vec<_> = h
            .params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::Body(..)))
            .collect();
        for extra in bodies.iter().skip(1) {
            cx.error(
                &extra.pat,
                "only one #[message_body] per handler: take a tuple for several arguments",
            );
        }
    }
    let hooks = [
        (
            &g.after_init,
            0..=1,
            "after_init takes `&self` and at most the server: `after_init(&self, server: WsServer)`",
        ),
        (
            &g.handle_connection,
            1..=1,
            "handle_connection takes `&self` and the socket: `handle_connection(&self, socket: SocketRef)`",
        ),
        (
            &g.handle_disconnect,
            1..=2,
            "handle_disconnect takes `&self`, the socket and optionally the reason: `handle_disconnect(&self, socket: SocketRef, reason: DisconnectReason)`",
        ),
    ];
    for (hook, arity, shape) in hooks {
        if let Some(hook) = hook.as_ref().filter(|h| !arity.contains(&h.arity)) {
            cx.error(&hook.method, shape);
        }
    }
    if g.name.is_empty() {
        cx.push(syn::Error::new(g.span, "a gateway is a named struct type"));
    }
}
