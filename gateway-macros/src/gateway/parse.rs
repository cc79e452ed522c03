//! Parsing: the gateway's options, and its methods (handlers and lifecycle hooks).

use proc_macro2::{Span, TokenStream};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{FnArg, ImplItem, ImplItemFn, LitInt, LitStr, Pat, Token, Type};

use crate::ctxt::Ctxt;

/// A namespace as written.
pub(crate) enum Namespace {
    Str(LitStr),
    Regex(LitStr),
}

#[derive(Default)]
pub(crate) struct Cors {
    pub origins: Option<Vec<LitStr>>, // None: any
    pub credentials: bool,
    pub methods: Option<Vec<LitStr>>,
}

#[derive(Default)]
pub(crate) struct GatewayArgs {
    pub port: Option<LitInt>,
    pub namespace: Option<Namespace>,
    pub cors: Option<Cors>,
    pub path: Option<LitStr>,
    pub transports: Option<Vec<LitStr>>,
    pub ping_interval: Option<LitInt>,
    pub ping_timeout: Option<LitInt>,
    pub connect_timeout: Option<LitInt>,
    pub max_payload: Option<LitInt>,
    /// `ordered`: one message at a time per socket, in arrival order.
    pub ordered: Option<syn::Ident>,
}

const OPTIONS: &str = "port, namespace, cors, path, transports, ping_interval, ping_timeout, connect_timeout, max_payload, ordered";

fn set<T>(slot: &mut Option<T>, value: T, key: &syn::Ident, cx: &mut Ctxt) {
    if slot.is_some() {
        cx.error(key, format!("`{key}` specified more than once"));
    } else {
        *slot = Some(value);
    }
}

fn str_list(input: ParseStream) -> syn::Result<Vec<LitStr>> {
    if input.peek(LitStr) {
        return Ok(vec![input.parse()?]);
    }
    let content;
    syn::bracketed!(content in input);
    Ok(Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?
        .into_iter()
        .collect())
}

impl GatewayArgs {
    pub fn parse(args: TokenStream, cx: &mut Ctxt) -> Self {
        let mut out = GatewayArgs::default();
        let parser = |input: ParseStream| -> syn::Result<()> {
            // NestJS's positional port: `#[web_socket_gateway(3001, namespace = ...)]`.
            if input.peek(LitInt) {
                out.port = Some(input.parse()?);
                if !input.is_empty() {
                    input.parse::<Token![,]>()?;
                }
            }
            while !input.is_empty() {
                let key: syn::Ident = input.parse()?;
                match key.to_string().as_str() {
                    "port" => {
                        input.parse::<Token![=]>()?;
                        let v = input.parse()?;
                        set(&mut out.port, v, &key, cx);
                    }
                    "namespace" => {
                        input.parse::<Token![=]>()?;
                        let ns = if input.peek(LitStr) {
                            Namespace::Str(input.parse()?)
                        } else {
                            let f: syn::Ident = input.parse()?;
                            if f != "regex" {
                                return Err(syn::Error::new(
                                    f.span(),
                                    "expected a string, or regex(\"...\")",
                                ));
                            }
                            let content;
                            syn::parenthesized!(content in input);
                            Namespace::Regex(content.parse()?)
                        };
                        set(&mut out.namespace, ns, &key, cx);
                    }
                    "cors" => {
                        let mut cors = Cors::default();
                        if input.peek(syn::token::Paren) {
                            let content;
                            syn::parenthesized!(content in input);
                            while !content.is_empty() {
                                let k: syn::Ident = content.parse()?;
                                content.parse::<Token![=]>()?;
                                match k.to_string().as_str() {
                                    "origin" | "origins" => {
                                        let list = str_list(&content)?;
                                        cors.origins = if list.iter().any(|o| o.value() == "*") {
                                            None
                                        } else {
                                            Some(list)
                                        };
                                    }
                                    "credentials" => {
                                        cors.credentials = content.parse::<syn::LitBool>()?.value
                                    }
                                    "methods" => cors.methods = Some(str_list(&content)?),
                                    _ => {
                                        return Err(syn::Error::new(
                                            k.span(),
                                            format!(
                                                "unknown cors option `{k}`; expected one of origin, credentials, methods"
                                            ),
                                        ));
                                    }
                                }
                                if !content.is_empty() {
                                    content.parse::<Token![,]>()?;
                                }
                            }
                        }
                        set(&mut out.cors, cors, &key, cx);
                    }
                    "ordered" => {
                        let on = if input.peek(Token![=]) {
                            input.parse::<Token![=]>()?;
                            input.parse::<syn::LitBool>()?.value
                        } else {
                            true
                        };
                        if on {
                            set(&mut out.ordered, key.clone(), &key, cx);
                        }
                    }
                    "path" => {
                        input.parse::<Token![=]>()?;
                        let v: LitStr = input.parse()?;
                        set(&mut out.path, v, &key, cx);
                    }
                    "transports" => {
                        input.parse::<Token![=]>()?;
                        let v = str_list(input)?;
                        for t in &v {
                            if t.value() != "websocket" && t.value() != "polling" {
                                cx.error(t, "a transport is \"websocket\" or \"polling\"");
                            }
                        }
                        set(&mut out.transports, v, &key, cx);
                    }
                    "ping_interval" | "ping_timeout" | "connect_timeout" | "max_payload" => {
                        input.parse::<Token![=]>()?;
                        let v: LitInt = input.parse()?;
                        let slot = match key.to_string().as_str() {
                            "ping_interval" => &mut out.ping_interval,
                            "ping_timeout" => &mut out.ping_timeout,
                            "connect_timeout" => &mut out.connect_timeout,
                            _ => &mut out.max_payload,
                        };
                        set(slot, v, &key, cx);
                    }
                    _ => {
                        return Err(syn::Error::new(
                            key.span(),
                            format!("unknown gateway option `{key}`; expected one of {OPTIONS}"),
                        ));
                    }
                }
                if !input.is_empty() {
                    input.parse::<Token![,]>()?;
                }
            }
            Ok(())
        };
        if let Err(e) = parser.parse2(args) {
            cx.push(e);
        }
        out
    }
}

/// How a handler parameter is filled.
pub(crate) enum ParamKind {
    /// `#[message_body]`, `#[message_body("prop")]`, `#[message_body(ValidationPipe)]`,
    /// `#[message_body("prop", SomePipe)]`: the property and the parameter's pipes.
    Body(Option<LitStr>, Vec<syn::Path>),
    /// `#[connected_socket]`.
    Socket,
    /// Anything else: through `FromMessageContext`.
    Extract,
}

pub(crate) struct Param {
    pub pat: Pat,
    pub ty: Type,
    pub kind: ParamKind,
}

pub(crate) struct Handler {
    pub event: LitStr,
    pub method: syn::Ident,
    pub is_async: bool,
    pub params: Vec<Param>,
    /// The return type, where errors about what a handler returns point.
    pub output: Span,
    /// `#[use_guards]`, `#[use_pipes]`, `#[set_metadata]`, `#[roles]` on the method.
    pub enhancers: Enhancers,
}

/// Enhancers and metadata bound by attributes on a method or on the impl block.
#[derive(Default, Clone)]
pub(crate) struct Enhancers {
    pub guards: Vec<syn::Path>,
    pub pipes: Vec<syn::Path>,
    pub interceptors: Vec<syn::Path>,
    pub filters: Vec<syn::Path>,
    pub connection_guards: Vec<syn::Path>,
    /// Key, and the value as JSON text.
    pub metadata: Vec<(LitStr, String)>,
}

impl Enhancers {
    /// Removes the enhancer attributes from `attrs` and parses them.
    pub fn take(attrs: &mut Vec<syn::Attribute>, cx: &mut Ctxt) -> Self {
        let mut out = Enhancers::default();
        attrs.retain(|a| {
            let name = match a.path().get_ident() {
                Some(i) => i.to_string(),
                None => return true,
            };
            match name.as_str() {
                "use_guards" | "use_pipes" | "use_interceptors" | "use_filters" | "use_connection_guards" => {
                    match a.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated) {
                        Ok(list) if !list.is_empty() => {
                            let target = match name.as_str() {
                                "use_guards" => &mut out.guards,
                                "use_pipes" => &mut out.pipes,
                                "use_interceptors" => &mut out.interceptors,
                                "use_filters" => &mut out.filters,
                                _ => &mut out.connection_guards,
                            };
                            target.extend(list);
                        }
                        _ => cx.error(a, format!("expected #[{name}(Type, ...)]")),
                    }
                    false
                }
                "set_metadata" => {
                    let parsed = a.parse_args_with(|input: ParseStream| {
                        let key: LitStr = input.parse()?;
                        input.parse::<Token![,]>()?;
                        let value: syn::Expr = input.parse()?;
                        Ok((key, value))
                    });
                    match parsed {
                        Ok((key, value)) => match to_json(&value) {
                            Ok(json) => out.metadata.push((key, json)),
                            Err(e) => cx.push(e),
                        },
                        Err(_) => cx.error(a, "expected #[set_metadata(\"key\", value)] with a literal value or an array of literals"),
                    }
                    false
                }
                "roles" => {
                    match a.parse_args_with(Punctuated::<LitStr, Token![,]>::parse_terminated) {
                        Ok(list) => {
                            let roles: Vec<String> = list.iter().map(LitStr::value).collect();
                            let key = LitStr::new("roles", a.path().span());
                            out.metadata.push((key, serde_json::Value::from(roles).to_string()));
                        }
                        Err(_) => cx.error(a, "expected #[roles(\"admin\", ...)]"),
                    }
                    false
                }
                _ => true,
            }
        });
        out
    }
}

/// A literal expression (or an array of them) as JSON text.
fn to_json(e: &syn::Expr) -> syn::Result<String> {
    to_value(e).map(|v| v.to_string())
}

fn to_value(e: &syn::Expr) -> syn::Result<serde_json::Value> {
    use serde_json::Value;
    use syn::{Expr, Lit};
    let unsupported = |t: &dyn quote::ToTokens| {
        syn::Error::new_spanned(
            t,
            "metadata values are strings, numbers, booleans or arrays of them",
        )
    };
    match e {
        Expr::Lit(l) => match &l.lit {
            Lit::Str(s) => Ok(Value::String(s.value())),
            Lit::Int(i) => i
                .base10_parse::<i64>()
                .map(Value::from)
                .or_else(|_| i.base10_parse::<u64>().map(Value::from)),
            Lit::Float(f) => {
                let n = f.base10_parse::<f64>()?;
                serde_json::Number::from_f64(n)
                    .map(Value::Number)
                    .ok_or_else(|| unsupported(f))
            }
            Lit::Bool(b) => Ok(Value::Bool(b.value)),
            other => Err(unsupported(other)),
        },
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => match to_value(&u.expr)? {
            Value::Number(n) => {
                let negated = n
                    .as_i64()
                    .and_then(|i| i.checked_neg())
                    .map(Value::from)
                    .or_else(|| {
                        n.as_f64()
                            .and_then(|f| serde_json::Number::from_f64(-f))
                            .map(Value::Number)
                    });
                negated.ok_or_else(|| unsupported(u))
            }
            _ => Err(unsupported(u)),
        },
        Expr::Array(a) => a
            .elems
            .iter()
            .map(to_value)
            .collect::<syn::Result<Vec<_>>>()
            .map(Value::Array),
        other => Err(unsupported(other)),
    }
}

/// A lifecycle hook the impl defines.
pub(crate) struct Hook {
    pub method: syn::Ident,
    pub is_async: bool,
    pub arity: usize,
}

pub(crate) struct Gateway {
    pub self_ty: Type,
    pub name: String,
    pub args: GatewayArgs,
    pub handlers: Vec<Handler>,
    pub after_init: Option<Hook>,
    pub handle_connection: Option<Hook>,
    pub handle_disconnect: Option<Hook>,
    pub span: Span,
    /// Enhancers and metadata bound to the whole gateway.
    pub enhancers: Enhancers,
}

impl Gateway {
    /// Reads the impl block, removing the attributes this macro consumes.
    pub fn from_impl(imp: &mut syn::ItemImpl, args: GatewayArgs, cx: &mut Ctxt) -> Self {
        if !imp.generics.params.is_empty() {
            cx.error(&imp.generics, "a gateway impl cannot be generic");
        }
        if let Some((_, path, _)) = &imp.trait_ {
            cx.error(
                path,
                "#[web_socket_gateway] goes on the gateway's own `impl` block, not a trait impl",
            );
        }
        let self_ty = (*imp.self_ty).clone();
        let name = match &self_ty {
            Type::Path(p) => p
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let mut gateway = Gateway {
            self_ty,
            name,
            args,
            handlers: Vec::new(),
            after_init: None,
            handle_connection: None,
            handle_disconnect: None,
            span: imp.impl_token.span,
            enhancers: Enhancers::take(&mut imp.attrs, cx),
        };
        for item in &mut imp.items {
            let ImplItem::Fn(f) = item else { continue };
            let subscribe = take_attr(&mut f.attrs, "subscribe_message");
            let name = f.sig.ident.to_string();
            match subscribe {
                Some(attr) => {
                    if let Some(h) = parse_handler(f, &attr, cx) {
                        gateway.handlers.push(h);
                    }
                }
                None => {
                    let hook = || Hook {
                        method: f.sig.ident.clone(),
                        is_async: f.sig.asyncness.is_some(),
                        arity: f.sig.inputs.len().saturating_sub(1),
                    };
                    match name.as_str() {
                        "after_init" => gateway.after_init = Some(hook()),
                        "handle_connection" => gateway.handle_connection = Some(hook()),
                        "handle_disconnect" => gateway.handle_disconnect = Some(hook()),
                        _ => {}
                    }
                    if gateway_hook(&name) {
                        check_receiver(f, cx);
                    }
                }
            }
        }
        gateway
    }
}

fn gateway_hook(name: &str) -> bool {
    matches!(
        name,
        "after_init" | "handle_connection" | "handle_disconnect"
    )
}

fn take_attr(attrs: &mut Vec<syn::Attribute>, name: &str) -> Option<syn::Attribute> {
    let i = attrs.iter().position(|a| a.path().is_ident(name))?;
    Some(attrs.remove(i))
}

fn check_receiver(f: &ImplItemFn, cx: &mut Ctxt) -> bool {
    match f.sig.inputs.first() {
        Some(FnArg::Receiver(r)) if r.reference.is_some() && r.mutability.is_none() => true,
        Some(FnArg::Receiver(r)) => {
            cx.error(
                r,
                "gateway methods take `&self`: the gateway is shared by every socket",
            );
            false
        }
        _ => {
            cx.error(
                &f.sig.ident,
                "gateway methods take `&self` as their first parameter",
            );
            false
        }
    }
}

/// `"prop"`, then pipe paths, all optional.
fn body_args(input: ParseStream) -> syn::Result<(Option<LitStr>, Vec<syn::Path>)> {
    let prop = if input.peek(LitStr) {
        Some(input.parse::<LitStr>()?)
    } else {
        None
    };
    if prop.is_some() && !input.is_empty() {
        input.parse::<Token![,]>()?;
    }
    let pipes = Punctuated::<syn::Path, Token![,]>::parse_terminated(input)?;
    Ok((prop, pipes.into_iter().collect()))
}

fn parse_handler(f: &mut ImplItemFn, attr: &syn::Attribute, cx: &mut Ctxt) -> Option<Handler> {
    let event: LitStr = match attr.parse_args() {
        Ok(e) => e,
        Err(_) => {
            cx.error(
                attr,
                "expected the event name: #[subscribe_message(\"event\")]",
            );
            return None;
        }
    };
    if event.value().is_empty() {
        cx.error(&event, "the event name cannot be empty");
    }
    check_receiver(f, cx);
    let enhancers = Enhancers::take(&mut f.attrs, cx);
    let mut params = Vec::new();
    for input in f.sig.inputs.iter_mut().skip(1) {
        let FnArg::Typed(pt) = input else { continue };
        let mut kind = ParamKind::Extract;
        let mut marks = 0;
        pt.attrs.retain(|a| {
            if a.path().is_ident("message_body") {
                marks += 1;
                kind = match &a.meta {
                    syn::Meta::Path(_) => ParamKind::Body(None, Vec::new()),
                    _ => match a.parse_args_with(body_args) {
                        Ok((prop, pipes)) => ParamKind::Body(prop, pipes),
                        Err(_) => {
                            cx.error(
                                a,
                                "expected #[message_body], #[message_body(\"property\")] or #[message_body(SomePipe, ...)]",
                            );
                            ParamKind::Body(None, Vec::new())
                        }
                    },
                };
                false
            } else if a.path().is_ident("connected_socket") {
                marks += 1;
                kind = ParamKind::Socket;
                false
            } else {
                true
            }
        });
        if marks > 1 {
            cx.error(
                &pt.pat,
                "a parameter is either #[message_body] or #[connected_socket], not both",
            );
        }
        params.push(Param {
            pat: (*pt.pat).clone(),
            ty: (*pt.ty).clone(),
            kind,
        });
    }
    let output = match &f.sig.output {
        syn::ReturnType::Type(_, ty) => syn::spanned::Spanned::span(ty),
        syn::ReturnType::Default => f.sig.ident.span(),
    };
    Some(Handler {
        event,
        method: f.sig.ident.clone(),
        is_async: f.sig.asyncness.is_some(),
        params,
        output,
        enhancers,
    })
}
