//! What the parser accepts and the type system cannot check: each option once, an inherent
//! non-generic impl, methods on `&self`, one handler per event, one body per handler, the
//! hooks' shapes, throttles with a limit, a period and a key that can be.

use std::collections::HashMap;

use syn::FnArg;

use super::parse::{Enhancers, Gateway, GatewayArgs, ParamKind, ThrottleBy};
use crate::ctxt::Ctxt;

pub(crate) fn check(g: &Gateway, cx: &mut Ctxt) {
    check_args(&g.args, cx);
    check_throttle(&g.enhancers, cx);
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
        check_throttle(&h.enhancers, cx);
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

/// One `#[throttle]` per handler or gateway, with `limit` and `ttl_ms` positive, and `by`
/// naming `socket`, `ip` or a type.
fn check_throttle(e: &Enhancers, cx: &mut Ctxt) {
    for extra in e.throttle.iter().skip(1) {
        cx.error(
            &extra.attr,
            "#[throttle] is given twice here: one per handler, and one per gateway",
        );
    }
    for t in &e.throttle {
        t.keys.check_unique(cx);
        // An option written but not parsed was reported by the parser.
        let missing: Vec<&str> = [("limit", "`limit = N`"), ("ttl_ms", "`ttl_ms = M`")]
            .into_iter()
            .filter(|(slot, _)| !t.keys.contains(slot))
            .map(|(_, usage)| usage)
            .collect();
        if !missing.is_empty() {
            cx.error(
                &t.attr,
                format!(
                    "#[throttle] needs {}: #[throttle(limit = N, ttl_ms = M)] lets at most N messages through per M milliseconds",
                    missing.join(" and ")
                ),
            );
        }
        let limit = t
            .limit
            .as_ref()
            .and_then(|l| positive::<u32>(l, "limit", cx));
        let ttl_ms = t
            .ttl_ms
            .as_ref()
            .and_then(|l| positive::<u64>(l, "ttl_ms", cx));
        // governor's period is `ttl_ms / limit`, in nanoseconds.
        if let (Some(limit), Some(ttl_ms), Some(lit)) = (limit, ttl_ms, &t.limit)
            && u128::from(limit) > u128::from(ttl_ms) * 1_000_000
        {
            cx.error(
                lit,
                "more than one message per nanosecond: raise `ttl_ms` or lower `limit`",
            );
        }
        match &t.by {
            None => {}
            Some(ThrottleBy::Str(s)) => cx.error(
                s,
                format!(
                    "`by` takes a word or a type, not a string: `by = {}`",
                    s.value()
                ),
            ),
            Some(ThrottleBy::Path(p)) => {
                if let Some(word) = p.get_ident()
                    && word != "socket"
                    && word != "ip"
                    && word.to_string().starts_with(|c: char| c.is_lowercase())
                {
                    cx.error(
                        p,
                        format!("unknown throttle key `{word}`: `by` is `socket` (the default), `ip`, or a type implementing `ThrottlerTracker`"),
                    );
                }
            }
        }
    }
}

/// An integer literal that fits `T` and is not zero.
fn positive<T>(lit: &syn::LitInt, key: &str, cx: &mut Ctxt) -> Option<T>
where
    T: std::str::FromStr + PartialEq + From<u8>,
    T::Err: std::fmt::Display,
{
    match lit.base10_parse::<T>() {
        Ok(n) if n == T::from(0) => {
            cx.error(lit, format!("`{key}` is at least 1"));
            None
        }
        Ok(n) => Some(n),
        Err(e) => {
            cx.error(lit, format!("`{key}`: {e}"));
            None
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
