//! Generation: the gateway's static description, its `inventory` registration, and a
//! `Gateway` impl whose routes are one short trampoline per handler. Everything that does not
//! depend on the user's types lives in `gateway_core`; what the user left out is a constant
//! (`..GatewayMeta::DEFAULT`, `Bindings::NONE`), so an expansion shows what the user wrote.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::parse::{
    Cors, Enhancers, Gateway, Handler, Hook, Namespace, ParamKind, Throttle, ThrottleBy,
};

pub(crate) fn expand(g: &Gateway) -> TokenStream {
    let self_ty = &g.self_ty;
    let meta = gateway_meta(g);
    let handler_metas = g.handlers.iter().map(|h| handler_meta(g, h));
    let count = g.handlers.len();
    let mut markers = Vec::new();
    let routes: Vec<TokenStream> = g
        .handlers
        .iter()
        .enumerate()
        .map(|(i, h)| route(i, h, self_ty, &mut markers))
        .collect();
    let hooks = hooks(g);

    quote! {
        const _: () = {
            static __HANDLERS: [::gateway_core::__private::HandlerMeta; #count] = [#(#handler_metas),*];
            static __GATEWAY: ::gateway_core::__private::GatewayMeta = #meta;
            ::gateway_core::__private::inventory::submit! {
                ::gateway_core::__private::GatewayRegistration { meta: &__GATEWAY }
            }
            #(#markers)*

            #[automatically_derived]
            impl ::gateway_core::Gateway for #self_ty {
                fn meta() -> &'static ::gateway_core::__private::GatewayMeta {
                    &__GATEWAY
                }

                fn routes<__A: ::gateway_core::__private::Adapter>(
                    __routes: &mut ::gateway_core::__private::Routes<'_, __A, Self>,
                ) {
                    #(#routes)*
                }

                #hooks
            }
        };
    }
}

/// A handler's static: `handler_meta!(gateway, event, method, fields...)`, with its
/// bindings, metadata and schemas when it has any.
fn handler_meta(g: &Gateway, h: &Handler) -> TokenStream {
    let gateway = &g.name;
    let event = &h.event;
    let method = h.method.to_string();
    // The body's pipes run after the handler's own.
    let param_pipes = h.params.iter().flat_map(|p| match &p.kind {
        ParamKind::Body(_, pipes) => pipes.clone(),
        _ => Vec::new(),
    });
    let enhancers = Enhancers {
        pipes: h
            .enhancers
            .pipes
            .iter()
            .cloned()
            .chain(param_pipes)
            .collect(),
        ..h.enhancers.clone()
    };
    // The throttler runs once per message, after the other guards, keyed as the `#[throttle]`
    // that applies says: the handler's own, else the gateway's.
    let throttle = h
        .enhancers
        .throttle
        .first()
        .or(g.enhancers.throttle.first());
    let mut fields = Vec::new();
    if let Some(b) = bindings(&enhancers, throttle.map(throttler)) {
        fields.push(quote!(bindings(#b)));
    }
    if let Some(m) = metadata(&enhancers) {
        fields.push(quote!(metadata(#m)));
    }
    fields.extend(schemas(h));
    quote!(::gateway_core::__private::handler_meta!(#gateway, #event, #method #(, #fields)*))
}

/// The handler's `body` and `ack` schemas, for the API description: the body's type, and what
/// the return type acks (`T` of `Result<T, E>` and `Option<T>`; nothing for `()`, a
/// `WsResponse` or a stream); anything when it answers the ack itself with an `AckSender`.
fn schemas(h: &Handler) -> Vec<TokenStream> {
    let mut fields = Vec::new();
    let schema = |ty: &syn::Type, prop: Option<&syn::LitStr>| {
        // `Self` means nothing in the static, outside the impl: described as any value.
        if mentions_self(ty) {
            return quote!(@any);
        }
        let prop = prop.map(|p| quote!(, #p));
        quote_spanned!(ty.span()=> #ty #prop)
    };
    for p in &h.params {
        if let ParamKind::Body(prop, _) = &p.kind {
            let f = schema(&p.ty, prop.as_ref());
            fields.push(quote!(body(#f)));
        }
    }
    let answers_itself = h.params.iter().any(|p| {
        matches!(p.kind, ParamKind::Extract)
            && last_segment(&p.ty).is_some_and(|s| s.ident == "AckSender")
    });
    let ack = if answers_itself {
        Some(quote!(@any))
    } else {
        h.ret.as_ref().and_then(acked).map(|ty| schema(ty, None))
    };
    if let Some(f) = ack {
        fields.push(quote!(ack(#f)));
    }
    fields
}

fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last(),
        _ => None,
    }
}

/// What a handler returning `ty` acks, as far as the written type tells.
fn acked(ty: &syn::Type) -> Option<&syn::Type> {
    match ty {
        syn::Type::Tuple(t) if t.elems.is_empty() => None,
        syn::Type::ImplTrait(_) | syn::Type::Never(_) => None,
        syn::Type::Paren(p) => acked(&p.elem),
        syn::Type::Group(g) => acked(&g.elem),
        syn::Type::Path(_) => {
            let seg = last_segment(ty)?;
            let name = seg.ident.to_string();
            if name == "WsResponse" || name.contains("Stream") {
                return None;
            }
            if matches!(name.as_str(), "Result" | "WsResult" | "Option")
                && let syn::PathArguments::AngleBracketed(args) = &seg.arguments
                && let Some(syn::GenericArgument::Type(inner)) = args.args.first()
            {
                return acked(inner);
            }
            Some(ty)
        }
        _ => Some(ty),
    }
}

fn mentions_self(ty: &syn::Type) -> bool {
    fn walk(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|t| match t {
            proc_macro2::TokenTree::Ident(i) => i == "Self",
            proc_macro2::TokenTree::Group(g) => walk(g.stream()),
            _ => false,
        })
    }
    walk(quote!(#ty))
}

/// One handler's route: its body type, its validator, and the trampoline that fills the other
/// parameters from the context, calls the method and sends what it returns.
fn route(
    i: usize,
    h: &Handler,
    self_ty: &syn::Type,
    markers: &mut Vec<TokenStream>,
) -> TokenStream {
    let mut body_ty = quote!(::gateway_core::__private::NoBody);
    // What pipes and validation see: the user's type.
    let mut piped_ty = body_ty.clone();
    let mut checks = Vec::new();
    // A body type that is not `Deserialize` fails `add`'s bound: point that error at it.
    let mut add = quote!(add);
    let mut lets = Vec::new();
    let mut args = Vec::new();
    for (n, p) in h.params.iter().enumerate() {
        let ty = &p.ty;
        let span = ty.span();
        match &p.kind {
            ParamKind::Body(None, _) => {
                checks.extend(same_validator(ty));
                add = quote_spanned!(span=> add);
                body_ty = quote_spanned!(span=> ::gateway_core::__private::Whole<#ty>);
                piped_ty = quote!(#ty);
                args.push(quote_spanned!(span=> __body.0));
            }
            ParamKind::Body(Some(prop), _) => {
                let marker = format_ident!("__Property{}_{}", i, n);
                checks.extend(same_validator(ty));
                add = quote_spanned!(span=> add);
                body_ty = if mentions_self(ty) {
                    markers
                        .push(quote!(::gateway_core::__private::property_name!(#marker, #prop);));
                    quote_spanned!(span=> ::gateway_core::__private::Property<#ty, #marker>)
                } else {
                    // `Property<T, Marker>` under a short name, so that the trampoline's
                    // signature stays on one line.
                    let alias = format_ident!("__Body{}", i);
                    markers.push(quote!(::gateway_core::__private::property_name!(#marker, #prop, #alias = #ty);));
                    quote_spanned!(span=> #alias)
                };
                piped_ty = quote!(#ty);
                args.push(quote_spanned!(span=> __body.0));
            }
            ParamKind::Socket => {
                let arg = format_ident!("__arg{}", n);
                lets.push(quote_spanned!(span=> let #arg: #ty = ::core::clone::Clone::clone(__ctx.socket());));
                args.push(quote!(#arg));
            }
            ParamKind::Extract => {
                let arg = format_ident!("__arg{}", n);
                lets.push(quote_spanned!(span=>
                    let #arg = <#ty as ::gateway_core::FromMessageContext>::from_context(&mut __ctx)?;
                ));
                args.push(quote!(#arg));
            }
        }
    }
    let method = &h.method;
    let call = quote_spanned!(method.span()=> <#self_ty>::#method(&*__gw, #(#args),*));
    let call = if h.is_async {
        quote!(#call.await)
    } else {
        call
    };
    let reply =
        quote_spanned!(h.output=> ::gateway_core::__private::reply_value!(&mut __ctx, #call));
    quote! {
        #(#checks)*
        __routes.#add(
            &__HANDLERS[#i],
            ::gateway_core::__private::validator!(#piped_ty),
            |__gw, mut __ctx, __body: #body_ty| async move {
                #(#lets)*
                #reply
            },
        );
    }
}

/// When the user's crate depends on `validator` itself: a compile error at a body type that
/// derives `Validate` from another major version than gateway-core's (which `ValidationPipe`
/// could not see: its bodies would go unvalidated).
fn same_validator(ty: &syn::Type) -> Option<TokenStream> {
    crate::manifest::depends_on("validator")
        .then(|| quote_spanned!(ty.span()=> ::gateway_core::__private::same_validator!(#ty);))
}

fn hooks(g: &Gateway) -> TokenStream {
    let self_ty = &g.self_ty;
    let call = |hook: &Hook, args: TokenStream| {
        let m = &hook.method;
        let c = quote_spanned!(m.span()=> <#self_ty>::#m(&*__gw, #args));
        if hook.is_async { quote!(#c.await) } else { c }
    };
    let after_init = g.after_init.as_ref().map(|h| {
        let c = call(
            h,
            if h.arity == 1 {
                quote!(__server)
            } else {
                quote!()
            },
        );
        quote! {
            fn after_init(
                self: &::std::sync::Arc<Self>,
                __server: ::gateway_core::WsServer,
            ) -> impl ::core::future::Future<Output = ()> + ::core::marker::Send {
                let __gw = ::std::sync::Arc::clone(self);
                async move {
                    let _ = &__server;
                    #c
                }
            }
        }
    });
    let handle_connection = g.handle_connection.as_ref().map(|h| {
        let c = call(h, quote!(__socket));
        quote! {
            fn handle_connection(
                self: &::std::sync::Arc<Self>,
                __socket: ::gateway_core::SocketRef,
            ) -> impl ::core::future::Future<Output = ::core::result::Result<(), ::gateway_core::HandlerError>> + ::core::marker::Send {
                let __gw = ::std::sync::Arc::clone(self);
                async move { ::gateway_core::__private::hook_result(#c) }
            }
        }
    });
    let handle_disconnect = g.handle_disconnect.as_ref().map(|h| {
        let c = call(
            h,
            if h.arity == 2 {
                quote!(__socket, __reason)
            } else {
                quote!(__socket)
            },
        );
        quote! {
            fn handle_disconnect(
                self: &::std::sync::Arc<Self>,
                __socket: ::gateway_core::SocketRef,
                __reason: ::gateway_core::DisconnectReason,
            ) -> impl ::core::future::Future<Output = ()> + ::core::marker::Send {
                let __gw = ::std::sync::Arc::clone(self);
                async move {
                    let _ = &__reason;
                    #c
                }
            }
        }
    });
    quote!(#after_init #handle_connection #handle_disconnect)
}

/// The throttler guard of `t`, keyed by its `by`; a tracker type that is not one is reported
/// at the user's path.
fn throttler(t: &Throttle) -> TokenStream {
    let at = t.attr.path().span();
    let builtin = |name: &str| {
        let name = format_ident!("{}", name, span = at);
        quote_spanned!(at=> ::gateway_core::pipeline::#name)
    };
    let tracker = match &t.by {
        Some(ThrottleBy::Path(p)) if p.is_ident("ip") => builtin("ByIp"),
        Some(ThrottleBy::Path(p)) if !p.is_ident("socket") => quote!(#p),
        _ => builtin("BySocket"),
    };
    let span = match &t.by {
        Some(ThrottleBy::Path(p)) => p.span(),
        _ => at,
    };
    quote_spanned!(span=> ::gateway_core::__private::EnhancerRef::throttler::<#tracker>())
}

/// `Bindings { guards: &[...], ..Bindings::NONE }` with only the kinds bound (the throttler
/// after the other guards); `None` when nothing is.
fn bindings(e: &Enhancers, throttler: Option<TokenStream>) -> Option<TokenStream> {
    let kinds = [
        ("guards", "guard", &e.guards),
        ("pipes", "pipe", &e.pipes),
        ("interceptors", "interceptor", &e.interceptors),
        ("filters", "filter", &e.filters),
        (
            "connection_guards",
            "connection_guard",
            &e.connection_guards,
        ),
    ];
    let fields: Vec<TokenStream> = kinds
        .iter()
        .filter_map(|(field, kind, paths)| {
            let kind = format_ident!("{}", kind);
            let mut refs: Vec<TokenStream> = paths
                .iter()
                .map(|p| {
                    quote_spanned!(p.span()=> ::gateway_core::__private::EnhancerRef::#kind::<#p>())
                })
                .collect();
            if *field == "guards" {
                refs.extend(throttler.clone());
            }
            let field = format_ident!("{}", field);
            (!refs.is_empty()).then(|| quote!(#field: &[#(#refs),*],))
        })
        .collect();
    (!fields.is_empty()).then(|| {
        quote!(::gateway_core::__private::Bindings { #(#fields)* ..::gateway_core::__private::Bindings::NONE })
    })
}

/// `#[set_metadata]` and `#[roles]` entries, then `#[throttle]`'s limit (key `throttle`);
/// `None` when there are none.
fn metadata(e: &Enhancers) -> Option<TokenStream> {
    let mut entries: Vec<TokenStream> = e
        .metadata
        .iter()
        .map(|(k, json)| quote!((#k, #json)))
        .collect();
    if let Some(t) = e.throttle.first() {
        // What does not parse was reported by `check`; this expansion is then discarded.
        let parse =
            |lit: &Option<syn::LitInt>| lit.as_ref().and_then(|l| l.base10_parse::<u64>().ok());
        let json = serde_json::json!({ "limit": parse(&t.limit), "ttl_ms": parse(&t.ttl_ms) });
        let key = syn::LitStr::new("throttle", t.attr.path().span());
        let json = json.to_string();
        entries.push(quote!((#key, #json)));
    }
    (!entries.is_empty()).then(|| quote!(&[#(#entries),*]))
}

fn some<T: quote::ToTokens>(v: &T) -> TokenStream {
    quote!(::core::option::Option::Some(#v))
}

/// `ServerOptions { ..., ..ServerOptions::DEFAULT }` with only the options set; `None` when
/// none is.
fn server_options(g: &Gateway) -> Option<TokenStream> {
    let a = &g.args;
    let mut fields = Vec::new();
    if let Some(path) = &a.path {
        let v = some(path);
        fields.push(quote!(path: #v,));
    }
    if let Some(list) = &a.transports {
        let items = list.iter().map(|t| {
            if t.value() == "polling" {
                quote!(::gateway_core::__private::Transport::Polling)
            } else {
                quote!(::gateway_core::__private::Transport::Websocket)
            }
        });
        fields.push(quote!(transports: ::core::option::Option::Some(&[#(#items),*]),));
    }
    if let Some(p) = &a.parser {
        let parser = if p.value() == "msgpack" {
            quote!(::gateway_core::__private::Parser::Msgpack)
        } else {
            quote!(::gateway_core::__private::Parser::Default)
        };
        fields.push(quote!(parser: ::core::option::Option::Some(#parser),));
    }
    for (name, value) in [
        ("ping_interval", &a.ping_interval),
        ("ping_timeout", &a.ping_timeout),
        ("connect_timeout", &a.connect_timeout),
        ("max_payload", &a.max_payload),
    ] {
        if let Some(v) = value {
            let name = format_ident!("{}", name);
            let v = some(v);
            fields.push(quote!(#name: #v,));
        }
    }
    if let Some(Cors {
        origins,
        credentials,
        methods,
    }) = &a.cors
    {
        let origins = match origins {
            None => quote!(::gateway_core::__private::Origins::Any),
            Some(list) => quote!(::gateway_core::__private::Origins::List(&[#(#list),*])),
        };
        let methods = match methods {
            None => quote!(::core::option::Option::None),
            Some(m) => quote!(::core::option::Option::Some(&[#(#m),*])),
        };
        fields.push(
            quote!(cors: ::core::option::Option::Some(::gateway_core::__private::CorsOptions {
            origins: #origins,
            credentials: #credentials,
            methods: #methods,
        }),),
        );
    }
    (!fields.is_empty()).then(|| {
        quote!(::gateway_core::__private::ServerOptions { #(#fields)* ..::gateway_core::__private::ServerOptions::DEFAULT })
    })
}

fn gateway_meta(g: &Gateway) -> TokenStream {
    let name = &g.name;
    let a = &g.args;
    let mut fields = vec![quote!(name: #name,)];
    if let Some(p) = &a.port
        && p.base10_parse::<u16>().ok() != Some(0)
    {
        let p = some(p);
        fields.push(quote!(port: #p,));
    }
    match &a.namespace {
        None => {}
        Some(Namespace::Str(s)) => fields
            .push(quote!(namespace: ::gateway_core::__private::NamespaceSpec::from_str_lit(#s),)),
        Some(Namespace::Regex(r)) => {
            fields.push(quote!(namespace: ::gateway_core::__private::NamespaceSpec::Regex(#r),))
        }
    }
    if let Some(options) = server_options(g) {
        fields.push(quote!(options: #options,));
    }
    fields.push(quote!(handlers: &__HANDLERS,));
    if let Some(emits) = &a.emits {
        let metas = emits.iter().map(|ty| {
            quote_spanned!(ty.span()=> ::gateway_core::__private::EmitMeta {
                event: <#ty as ::gateway_core::Event>::NAME,
                schema: |__g| ::gateway_core::__private::schema!(__g, #ty),
            })
        });
        fields.push(quote!(emits: &[#(#metas),*],));
    }
    if let Some(b) = bindings(&g.enhancers, None) {
        fields.push(quote!(bindings: #b,));
    }
    if a.ordered.is_some() {
        fields.push(quote!(ordered: true,));
    }
    if let Some(m) = metadata(&g.enhancers) {
        fields.push(quote!(metadata: #m,));
    }
    quote! {
        ::gateway_core::__private::GatewayMeta {
            #(#fields)*
            file: ::core::file!(),
            line: ::core::line!(),
            ..::gateway_core::__private::GatewayMeta::DEFAULT
        }
    }
}
