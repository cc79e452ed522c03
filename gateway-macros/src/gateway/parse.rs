//! Parsing: the gateway's options, and its methods (handlers and lifecycle hooks).

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{FnArg, ImplItem, ImplItemFn, LitInt, LitStr, Pat, Token, Type};

use crate::attr::{self, Keys};
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
    /// `parser = "msgpack"` (or `"default"`), as NestJS passes `parser` to socket.io.
    pub parser: Option<LitStr>,
    /// `ordered`: one message at a time per socket, in arrival order.
    pub ordered: Option<syn::Ident>,
    /// `emits = [ChatReceive, ...]`: the event types the gateway sends.
    pub emits: Option<Vec<Type>>,
    /// The keys as written (the positional port as `port`, then those inside the first
    /// `cors(...)` in place), for `check` to reject a repeated one.
    pub keys: Keys,
}

mod kw {
    syn::custom_keyword!(port);
    syn::custom_keyword!(namespace);
    syn::custom_keyword!(regex);
    syn::custom_keyword!(cors);
    syn::custom_keyword!(origin);
    syn::custom_keyword!(origins);
    syn::custom_keyword!(credentials);
    syn::custom_keyword!(methods);
    syn::custom_keyword!(path);
    syn::custom_keyword!(transports);
    syn::custom_keyword!(ping_interval);
    syn::custom_keyword!(ping_timeout);
    syn::custom_keyword!(connect_timeout);
    syn::custom_keyword!(max_payload);
    syn::custom_keyword!(parser);
    syn::custom_keyword!(ordered);
    syn::custom_keyword!(emits);
    syn::custom_keyword!(limit);
    syn::custom_keyword!(ttl_ms);
    syn::custom_keyword!(by);
}

/// `= value`; the first value of a repeated option stays, `check` reports the repeat.
fn value<T: Parse>(input: ParseStream, slot: &mut Option<T>) -> syn::Result<()> {
    input.parse::<Token![=]>()?;
    let v = input.parse()?;
    slot.get_or_insert(v);
    Ok(())
}

/// `"a"` or `["a", "b"]`.
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

/// `= "/chat"` or `= regex("^/\\w+$")`.
fn namespace(input: ParseStream) -> syn::Result<Namespace> {
    input.parse::<Token![=]>()?;
    let look = input.lookahead1();
    if look.peek(LitStr) {
        Ok(Namespace::Str(input.parse()?))
    } else if look.peek(kw::regex) {
        input.parse::<kw::regex>()?;
        let content;
        syn::parenthesized!(content in input);
        let pattern = content.parse()?;
        if !content.is_empty() {
            return Err(content.error("expected `)`: regex(\"pattern\") takes one string"));
        }
        Ok(Namespace::Regex(pattern))
    } else {
        Err(look.error())
    }
}

/// `cors`, or `cors(origin = .., credentials = .., methods = [..])`.
fn cors(input: ParseStream) -> syn::Result<(Cors, Keys)> {
    let mut cors = Cors::default();
    let mut keys = Keys::default();
    if !input.peek(syn::token::Paren) {
        return Ok((cors, keys));
    }
    let content;
    syn::parenthesized!(content in input);
    let mut origins: Option<Vec<LitStr>> = None;
    let mut credentials = None;
    attr::options(&content, |input| {
        let look = input.lookahead1();
        if look.peek(kw::origin) || look.peek(kw::origins) {
            let (written, span) = if input.peek(kw::origin) {
                ("origin", input.parse::<kw::origin>()?.span)
            } else {
                ("origins", input.parse::<kw::origins>()?.span)
            };
            keys.push("origin", written, span);
            input.parse::<Token![=]>()?;
            let list = str_list(input)?;
            origins.get_or_insert(list);
        } else if look.peek(kw::credentials) {
            let key = input.parse::<kw::credentials>()?;
            keys.push("credentials", "credentials", key.span);
            value::<syn::LitBool>(input, &mut credentials)?;
        } else if look.peek(kw::methods) {
            let key = input.parse::<kw::methods>()?;
            keys.push("methods", "methods", key.span);
            input.parse::<Token![=]>()?;
            let list = str_list(input)?;
            cors.methods.get_or_insert(list);
        } else {
            return Err(look.error());
        }
        Ok(())
    })?;
    // `"*"` among the origins: any origin.
    cors.origins = origins.filter(|list| !list.iter().any(|o| o.value() == "*"));
    cors.credentials = credentials.is_some_and(|b: syn::LitBool| b.value);
    Ok((cors, keys))
}

impl GatewayArgs {
    pub fn parse(args: TokenStream, cx: &mut Ctxt) -> Self {
        let mut out = GatewayArgs::default();
        let parser = |input: ParseStream| -> syn::Result<()> {
            // NestJS's positional port: `#[web_socket_gateway(3001, namespace = ...)]`.
            if input.peek(LitInt) {
                let port: LitInt = input.parse()?;
                out.keys.push("port", "port", port.span());
                out.port = Some(port);
                if !input.is_empty() {
                    input.parse::<Token![,]>()?;
                }
            }
            attr::options(input, |input| out.option(input))
        };
        if let Err(e) = parser.parse2(args) {
            cx.push(e);
        }
        out
    }

    /// One `key = value` option.
    fn option(&mut self, input: ParseStream) -> syn::Result<()> {
        macro_rules! key {
            ($kw:ident) => {{
                let key = input.parse::<kw::$kw>()?;
                self.keys.push(stringify!($kw), stringify!($kw), key.span);
            }};
        }
        let look = input.lookahead1();
        if look.peek(kw::port) {
            key!(port);
            value(input, &mut self.port)
        } else if look.peek(kw::namespace) {
            key!(namespace);
            let ns = namespace(input)?;
            self.namespace.get_or_insert(ns);
            Ok(())
        } else if look.peek(kw::cors) {
            key!(cors);
            let (cors, keys) = cors(input)?;
            if self.cors.is_none() {
                self.cors = Some(cors);
                self.keys.extend(keys);
            }
            Ok(())
        } else if look.peek(kw::path) {
            key!(path);
            value(input, &mut self.path)
        } else if look.peek(kw::transports) {
            key!(transports);
            input.parse::<Token![=]>()?;
            let list = str_list(input)?;
            self.transports.get_or_insert(list);
            Ok(())
        } else if look.peek(kw::ping_interval) {
            key!(ping_interval);
            value(input, &mut self.ping_interval)
        } else if look.peek(kw::ping_timeout) {
            key!(ping_timeout);
            value(input, &mut self.ping_timeout)
        } else if look.peek(kw::connect_timeout) {
            key!(connect_timeout);
            value(input, &mut self.connect_timeout)
        } else if look.peek(kw::max_payload) {
            key!(max_payload);
            value(input, &mut self.max_payload)
        } else if look.peek(kw::emits) {
            key!(emits);
            input.parse::<Token![=]>()?;
            let content;
            syn::bracketed!(content in input);
            let list = Punctuated::<Type, Token![,]>::parse_terminated(&content)?;
            self.emits.get_or_insert(list.into_iter().collect());
            Ok(())
        } else if look.peek(kw::parser) {
            key!(parser);
            value(input, &mut self.parser)
        } else if look.peek(kw::ordered) {
            let key = input.parse::<kw::ordered>()?;
            self.keys.push("ordered", "ordered", key.span);
            let on = if input.peek(Token![=]) {
                input.parse::<Token![=]>()?;
                input.parse::<syn::LitBool>()?.value
            } else {
                true
            };
            if on {
                self.ordered
                    .get_or_insert_with(|| syn::Ident::new("ordered", key.span));
            }
            Ok(())
        } else {
            Err(look.error())
        }
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
    /// How many of `#[message_body]` and `#[connected_socket]` it carries.
    pub marks: usize,
}

pub(crate) struct Handler {
    pub event: LitStr,
    pub method: syn::Ident,
    /// The signature, without the parameter attributes, for `check`.
    pub sig: syn::Signature,
    pub is_async: bool,
    pub params: Vec<Param>,
    /// The return type, where errors about what a handler returns point.
    pub output: Span,
    /// The return type as written.
    pub ret: Option<Type>,
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
    /// `#[throttle(...)]`, as written (`check` rejects a second one).
    pub throttle: Vec<Throttle>,
}

/// `#[throttle(limit = N, ttl_ms = M, by = ...)]` as written; `check` says what is missing or
/// out of range.
#[derive(Clone)]
pub(crate) struct Throttle {
    /// The whole attribute, where errors about a missing option point.
    pub attr: syn::Attribute,
    pub limit: Option<LitInt>,
    pub ttl_ms: Option<LitInt>,
    pub by: Option<ThrottleBy>,
    pub keys: Keys,
}

/// Whose budget a message spends: `socket`, `ip` or a tracker type, all written as paths.
#[derive(Clone)]
pub(crate) enum ThrottleBy {
    Path(syn::Path),
    /// `by = "ip"`: rejected by `check`, which tells to drop the quotes.
    Str(LitStr),
}

impl Throttle {
    /// Parses the attribute, keeping the options that parse; an attribute without arguments
    /// is an empty list.
    fn parse(a: &syn::Attribute, cx: &mut Ctxt) -> Self {
        let mut t = Throttle {
            attr: a.clone(),
            limit: None,
            ttl_ms: None,
            by: None,
            keys: Keys::default(),
        };
        if let syn::Meta::Path(_) = a.meta {
            return t;
        }
        let parsed = a.parse_args_with(|input: ParseStream| {
            attr::options(input, |input| {
                let look = input.lookahead1();
                if look.peek(kw::limit) {
                    let key = input.parse::<kw::limit>()?;
                    t.keys.push("limit", "limit", key.span);
                    value(input, &mut t.limit)
                } else if look.peek(kw::ttl_ms) {
                    let key = input.parse::<kw::ttl_ms>()?;
                    t.keys.push("ttl_ms", "ttl_ms", key.span);
                    value(input, &mut t.ttl_ms)
                } else if look.peek(kw::by) {
                    let key = input.parse::<kw::by>()?;
                    t.keys.push("by", "by", key.span);
                    input.parse::<Token![=]>()?;
                    let by = if input.peek(LitStr) {
                        ThrottleBy::Str(input.parse()?)
                    } else {
                        ThrottleBy::Path(input.parse()?)
                    };
                    t.by.get_or_insert(by);
                    Ok(())
                } else {
                    Err(look.error())
                }
            })
        });
        if let Err(e) = parsed {
            cx.push(e);
        }
        t
    }
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
                "throttle" => {
                    out.throttle.push(Throttle::parse(a, cx));
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
    /// The signature, for `check`.
    pub sig: syn::Signature,
    pub is_async: bool,
    pub arity: usize,
}

pub(crate) struct Gateway {
    pub self_ty: Type,
    /// The impl block's generics, for `check` (a gateway cannot be generic).
    pub generics: syn::Generics,
    /// The trait of `impl Trait for ..`, for `check` (a gateway impl is inherent).
    pub trait_path: Option<syn::Path>,
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
            generics: imp.generics.clone(),
            trait_path: imp.trait_.as_ref().map(|(_, path, _)| path.clone()),
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
                        sig: f.sig.clone(),
                        is_async: f.sig.asyncness.is_some(),
                        arity: f.sig.inputs.len().saturating_sub(1),
                    };
                    match name.as_str() {
                        "after_init" => gateway.after_init = Some(hook()),
                        "handle_connection" => gateway.handle_connection = Some(hook()),
                        "handle_disconnect" => gateway.handle_disconnect = Some(hook()),
                        _ => {}
                    }
                }
            }
        }
        gateway
    }
}

fn take_attr(attrs: &mut Vec<syn::Attribute>, name: &str) -> Option<syn::Attribute> {
    let i = attrs.iter().position(|a| a.path().is_ident(name))?;
    Some(attrs.remove(i))
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
        params.push(Param {
            pat: (*pt.pat).clone(),
            ty: (*pt.ty).clone(),
            kind,
            marks,
        });
    }
    let output = match &f.sig.output {
        syn::ReturnType::Type(_, ty) => syn::spanned::Spanned::span(ty),
        syn::ReturnType::Default => f.sig.ident.span(),
    };
    Some(Handler {
        event,
        method: f.sig.ident.clone(),
        sig: f.sig.clone(),
        is_async: f.sig.asyncness.is_some(),
        params,
        output,
        ret: match &f.sig.output {
            syn::ReturnType::Type(_, ty) => Some((**ty).clone()),
            syn::ReturnType::Default => None,
        },
        enhancers,
    })
}
