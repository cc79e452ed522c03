//! What the parser accepts and the type system cannot check: each option once, an inherent
//! non-generic impl, methods on `&self`, one handler per event, one body per handler, the
//! hooks' shapes.

use std::collections::HashMap;

use syn::FnArg;

use super::parse::{Gateway, GatewayArgs, ParamKind};
use crate::ctxt::Ctxt;

pub(crate) fn check(g: &Gateway, cx: &mut Ctxt) {
    check_args(&g.args, cx);
    if !g.generics.params.is_empty() {
        cx.error(&g.generics, "a gateway impl cannot be generic");
    }
    if let Some(path) = &g.trait_path {
        cx.error(
            path,
            "#[web_socket_gateway] goes on the gateway's own `impl` block, not a trait impl",
        );
    }
    let mut seen: HashMap<String, &syn::Ident> = HashMap::new();
    for h in &g.handlers {
        if h.event.value().is_empty() {
            cx.error(&h.event, "the event name cannot be empty");
        }
        check_receiver(&h.sig, cx);
        check_not_generic(
            &h.sig,
            "a handler cannot be generic: the gateway extracts each parameter by its concrete type",
            cx,
        );
        for p in &h.params {
            if let syn::Type::ImplTrait(ty) = &p.ty {
                cx.error(
                    ty,
                    "a handler cannot be generic: `impl Trait` parameters have no concrete type to extract; name the type",
                );
            }
            if p.marks > 1 {
                cx.error(
                    &p.pat,
                    "a parameter is either #[message_body] or #[connected_socket], not both",
                );
            }
        }
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
        let Some(hook) = hook else { continue };
        check_receiver(&hook.sig, cx);
        check_not_generic(
            &hook.sig,
            "a lifecycle hook cannot be generic: the gateway calls it with concrete types",
            cx,
        );
        if !arity.contains(&hook.arity) {
            cx.error(&hook.method, shape);
        }
    }
    if g.name.is_empty() {
        cx.push(syn::Error::new(g.span, "a gateway is a named struct type"));
    }
}

/// Each option once; only the transports and parsers socket.io knows.
fn check_args(args: &GatewayArgs, cx: &mut Ctxt) {
    args.keys.check_unique(cx);
    if let Some(p) = &args.parser
        && p.value() != "default"
        && p.value() != "msgpack"
    {
        cx.error(p, "a parser is \"default\" (JSON) or \"msgpack\"");
    }
    for t in args.transports.iter().flatten() {
        if t.value() != "websocket" && t.value() != "polling" {
            cx.error(t, "a transport is \"websocket\" or \"polling\"");
        }
    }
}

/// Gateway methods take `&self`: one gateway instance serves every socket.
fn check_receiver(sig: &syn::Signature, cx: &mut Ctxt) {
    match sig.inputs.first() {
        Some(FnArg::Receiver(r)) if r.reference.is_some() && r.mutability.is_none() => {}
        Some(FnArg::Receiver(r)) => cx.error(
            r,
            "gateway methods take `&self`: the gateway is shared by every socket",
        ),
        _ => cx.error(
            &sig.ident,
            "gateway methods take `&self` as their first parameter",
        ),
    }
}

/// Type and const parameters, on the `<..>`; lifetimes are fine (the caller's are inferred).
fn check_not_generic(sig: &syn::Signature, msg: &str, cx: &mut Ctxt) {
    let generic = sig
        .generics
        .params
        .iter()
        .any(|p| !matches!(p, syn::GenericParam::Lifetime(_)));
    if generic {
        cx.error(&sig.generics, msg);
    }
}
