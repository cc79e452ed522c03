//! Generation: the gateway's static description, its `inventory` registration, and a
//! `Gateway` impl whose per-handler trampolines fill the parameters and send the result.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::parse::{Cors, Enhancers, Gateway, Handler, Hook, Namespace, ParamKind};

pub(crate) fn expand(imp: &syn::ItemImpl, g: &Gateway) -> TokenStream {
    let _ = imp;
    let self_ty = &g.self_ty;
    let name = &g.name;
    let meta = gateway_meta(g);
    let handler_metas = g.handlers.iter().map(|h| {
        let event = &h.event;
        let method = h.method.to_string();
        let line = quote_spanned!(h.method.span()=> ::core::line!());
        let param_pipes = h.params.iter().flat_map(|p| match &p.kind {
            ParamKind::Body(_, pipes) => pipes.clone(),
            _ => Vec::new(),
        });
        let pipes: Vec<syn::Path> = h
            .enhancers
            .pipes
            .iter()
            .cloned()
            .chain(param_pipes)
            .collect();
        let bindings = bindings(&Enhancers {
            pipes,
            ..h.enhancers.clone()
        });
        let metadata = metadata(&h.enhancers);
        quote! {
            ::gateway_core::gateway::HandlerMeta {
                gateway: #name,
                event: #event,
                method: #method,
                bindings: #bindings,
                metadata: #metadata,
                file: ::core::file!(),
                line: #line,
            }
        }
    });
    let count = g.handlers.len();
    let mut markers = Vec::new();
    let bindings: Vec<TokenStream> = g
        .handlers
        .iter()
        .enumerate()
        .map(|(i, h)| bind_handler(i, h, self_ty, &mut markers))
        .collect();
    let hooks = hooks(g);

    quote! {
        const _: () = {
            static __HANDLERS: [::gateway_core::gateway::HandlerMeta; #count] = [#(#handler_metas),*];
            static __GATEWAY: ::gateway_core::gateway::GatewayMeta = #meta;
            ::gateway_core::__private::inventory::submit! {
                ::gateway_core::gateway::GatewayRegistration { meta: &__GATEWAY }
            }
            #(#markers)*

            #[automatically_derived]
            impl ::gateway_core::Gateway for #self_ty {
                fn meta() -> &'static ::gateway_core::gateway::GatewayMeta {
                    &__GATEWAY
                }

                fn bind_handlers<__A: ::gateway_core::__private::Adapter>(
                    self: &::std::sync::Arc<Self>,
                    __socket: &::gateway_core::__private::socketioxide::extract::SocketRef<__A>,
                    __binding: &::gateway_core::gateway::Binding<'_>,
                ) {
                    #(#bindings)*
                }

                #hooks
            }
        };
    }
}

fn bind_handler(
    i: usize,
    h: &Handler,
    self_ty: &syn::Type,
    markers: &mut Vec<TokenStream>,
) -> TokenStream {
    let mut body_ty = quote!(::gateway_core::__private::NoBody);
    // What pipes see: the body, or the property of `#[message_body("prop")]`.
    let mut piped_ty = body_ty.clone();
    let mut pipe_target = quote!(|__b: &mut #body_ty| __b as &mut dyn ::core::any::Any);
    let mut property = quote!(::core::option::Option::None);
    let mut lets = Vec::new();
    let mut args = Vec::new();
    let mut checks = Vec::new();
    for (n, p) in h.params.iter().enumerate() {
        let arg = format_ident!("__arg{}", n);
        let ty = &p.ty;
        let span = ty.span();
        match &p.kind {
            ParamKind::Body(None, _) => {
                body_ty = quote!(#ty);
                piped_ty = quote!(#ty);
                pipe_target = quote!(|__b: &mut #ty| __b as &mut dyn ::core::any::Any);
                checks.push(assert_body(ty));
                lets.push(quote_spanned!(span=> let #arg: #ty = __body;));
            }
            ParamKind::Body(Some(prop), _) => {
                let marker = format_ident!("__Property{}_{}", i, n);
                markers.push(quote! {
                    struct #marker;
                    #[automatically_derived]
                    impl ::gateway_core::__private::PropertyName for #marker {
                        const NAME: &'static str = #prop;
                    }
                });
                body_ty = quote!(::gateway_core::__private::Property<#ty, #marker>);
                piped_ty = quote!(#ty);
                pipe_target = quote!(|__b: &mut #body_ty| &mut __b.0 as &mut dyn ::core::any::Any);
                property = quote!(::core::option::Option::Some(#prop));
                checks.push(assert_body(ty));
                lets.push(quote_spanned!(span=> let #arg: #ty = __body.0;));
            }
            ParamKind::Socket => {
                lets.push(quote_spanned!(span=> let #arg: #ty = ::core::clone::Clone::clone(__ctx.socket());));
            }
            ParamKind::Extract => {
                lets.push(quote_spanned!(span=>
                    let #arg = <#ty as ::gateway_core::handler::FromMessageContext>::from_context(&mut __ctx)?;
                ));
            }
        }
        args.push(arg);
    }
    let method = &h.method;
    let call = quote_spanned!(method.span()=> <#self_ty>::#method(&*__gw, #(#args),*));
    let call = if h.is_async {
        quote!(#call.await)
    } else {
        call
    };
    let reply =
        quote_spanned!(h.output=> ::gateway_core::__private::reply_value!(&mut __ctx, __value));
    quote! {
        #(#checks)*
        ::gateway_core::__private::on_message::<__A, Self, #body_ty, _, _>(
            __socket,
            self,
            __binding,
            #i,
            ::gateway_core::__private::BodyMeta::<#body_ty> {
                validate: {
                    #[allow(unused_imports)]
                    use ::gateway_core::__private::validate_probe::{
                        HasOptionValidate as _, HasValidate as _, NoValidate as _,
                    };
                    (&&&::gateway_core::__private::validate_probe::Probe::<#piped_ty>::new()).validator()
                },
                target: #pipe_target,
                fields: ::gateway_core::__private::struct_fields::<#piped_ty>,
                property: #property,
            },
            |__gw: ::std::sync::Arc<Self>, mut __ctx: ::gateway_core::handler::MessageContext, __body: #body_ty| async move {
                let _ = &__body;
                #(#lets)*
                let __value = #call;
                let __sent: ::core::result::Result<(), ::gateway_core::HandlerError> = #reply;
                __sent
            },
        );
    }
}

/// Points a body type that is not `Deserialize` at the user's type.
fn assert_body(ty: &syn::Type) -> TokenStream {
    quote_spanned! {ty.span()=>
        {
            fn __assert_body<T: ::gateway_core::__private::serde::de::DeserializeOwned>() {}
            let _ = __assert_body::<#ty>;
        }
    }
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

fn opt<T: quote::ToTokens>(v: &Option<T>) -> TokenStream {
    match v {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

fn bindings(e: &Enhancers) -> TokenStream {
    let refs = |paths: &[syn::Path], kind: &str| -> Vec<TokenStream> {
        let kind = syn::Ident::new(kind, proc_macro2::Span::call_site());
        paths
            .iter()
            .map(|p| {
                let name = quote!(#p).to_string().replace(' ', "");
                quote_spanned!(p.span()=> ::gateway_core::__private::EnhancerRef::#kind::<#p>(#name))
            })
            .collect()
    };
    let guards = refs(&e.guards, "guard");
    let pipes = refs(&e.pipes, "pipe");
    let interceptors = refs(&e.interceptors, "interceptor");
    let filters = refs(&e.filters, "filter");
    let connection_guards = refs(&e.connection_guards, "connection_guard");
    quote!(::gateway_core::pipeline::Bindings {
        guards: &[#(#guards),*],
        pipes: &[#(#pipes),*],
        interceptors: &[#(#interceptors),*],
        filters: &[#(#filters),*],
        connection_guards: &[#(#connection_guards),*],
    })
}

fn metadata(e: &Enhancers) -> TokenStream {
    let entries = e.metadata.iter().map(|(k, json)| quote!((#k, #json)));
    quote!(&[#(#entries),*])
}

fn gateway_meta(g: &Gateway) -> TokenStream {
    let name = &g.name;
    let bindings = bindings(&g.enhancers);
    let ordered = g.args.ordered.is_some();
    let metadata = metadata(&g.enhancers);
    let a = &g.args;
    let port = match &a.port {
        Some(p) if p.base10_parse::<u16>().ok() == Some(0) => quote!(::core::option::Option::None),
        Some(p) => quote!(::core::option::Option::Some(#p)),
        None => quote!(::core::option::Option::None),
    };
    let namespace = match &a.namespace {
        None => quote!(::gateway_core::gateway::NamespaceSpec::Static("/")),
        Some(Namespace::Str(s)) => quote!(::gateway_core::gateway::NamespaceSpec::from_str_lit(#s)),
        Some(Namespace::Regex(r)) => quote!(::gateway_core::gateway::NamespaceSpec::Regex(#r)),
    };
    let path = opt(&a.path);
    let transports = match &a.transports {
        None => quote!(::core::option::Option::None),
        Some(list) => {
            let items = list.iter().map(|t| {
                if t.value() == "polling" {
                    quote!(::gateway_core::gateway::options::Transport::Polling)
                } else {
                    quote!(::gateway_core::gateway::options::Transport::Websocket)
                }
            });
            quote!(::core::option::Option::Some(&[#(#items),*]))
        }
    };
    let ping_interval = opt(&a.ping_interval);
    let ping_timeout = opt(&a.ping_timeout);
    let connect_timeout = opt(&a.connect_timeout);
    let max_payload = opt(&a.max_payload);
    let cors = match &a.cors {
        None => quote!(::core::option::Option::None),
        Some(Cors {
            origins,
            credentials,
            methods,
        }) => {
            let origins = match origins {
                None => quote!(::gateway_core::gateway::Origins::Any),
                Some(list) => quote!(::gateway_core::gateway::Origins::List(&[#(#list),*])),
            };
            let methods = match methods {
                None => quote!(::core::option::Option::None),
                Some(m) => quote!(::core::option::Option::Some(&[#(#m),*])),
            };
            quote!(::core::option::Option::Some(::gateway_core::gateway::CorsOptions {
                origins: #origins,
                credentials: #credentials,
                methods: #methods,
            }))
        }
    };
    quote! {
        ::gateway_core::gateway::GatewayMeta {
            name: #name,
            port: #port,
            namespace: #namespace,
            options: ::gateway_core::gateway::ServerOptions {
                path: #path,
                transports: #transports,
                ping_interval: #ping_interval,
                ping_timeout: #ping_timeout,
                connect_timeout: #connect_timeout,
                max_payload: #max_payload,
                cors: #cors,
            },
            handlers: &__HANDLERS,
            bindings: #bindings,
            ordered: #ordered,
            metadata: #metadata,
            file: ::core::file!(),
            line: ::core::line!(),
        }
    }
}
