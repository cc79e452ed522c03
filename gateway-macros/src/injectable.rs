//! `#[injectable]`: a struct whose `Arc<T>` fields are injected by type.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Fields, ItemStruct, Type};

use crate::ctxt::Ctxt;

/// How the container fills a field.
enum FieldKind {
    /// `#[web_socket_server]`: the gateway's `WsServer`.
    Server,
    /// `Arc<T>`: the provider `T`.
    Inject(Box<Type>),
    /// `Option<Arc<T>>`: the provider `T` if one is visible.
    Optional(Box<Type>),
    /// Anything else: `Default::default()`.
    Default,
}

/// Reads the fields, removing the `#[web_socket_server]` markers.
fn parse_fields(item: &mut ItemStruct) -> Vec<FieldKind> {
    item.fields
        .iter_mut()
        .map(|field| {
            let before = field.attrs.len();
            field
                .attrs
                .retain(|a| !a.path().is_ident("web_socket_server"));
            if field.attrs.len() != before {
                FieldKind::Server
            } else {
                if let Some(t) = arc_inner(&field.ty) {
                    FieldKind::Inject(Box::new(t.clone()))
                } else if let Some(t) = option_inner(&field.ty).and_then(arc_inner) {
                    FieldKind::Optional(Box::new(t.clone()))
                } else {
                    FieldKind::Default
                }
            }
        })
        .collect()
}

/// `scope = "socket"` or `scope = "singleton"`: the one argument `#[injectable]` takes.
/// `Ok(true)` for socket-scoped.
fn parse_scope(args: TokenStream) -> syn::Result<bool> {
    if args.is_empty() {
        return Ok(false);
    }
    let parser = |input: syn::parse::ParseStream<'_>| {
        let key: syn::Ident = input.parse()?;
        if key != "scope" {
            return Err(syn::Error::new(
                key.span(),
                "#[injectable] takes only `scope = \"socket\"` or `scope = \"singleton\"`",
            ));
        }
        input.parse::<syn::Token![=]>()?;
        let value: syn::LitStr = input.parse()?;
        match value.value().as_str() {
            "socket" => Ok(true),
            "singleton" => Ok(false),
            _ => Err(syn::Error::new(
                value.span(),
                "unknown scope: `scope = \"socket\"` (one per connected socket) or `scope = \"singleton\"` (the default)",
            )),
        }
    };
    syn::parse::Parser::parse2(parser, args)
}

/// No generics, at most one server field.
fn check(item: &ItemStruct, kinds: &[FieldKind], cx: &mut Ctxt) {
    if !item.generics.params.is_empty() {
        cx.error(
            &item.generics,
            "#[injectable] structs cannot be generic: the container builds one instance per type",
        );
    }
    let servers = item
        .fields
        .iter()
        .zip(kinds)
        .filter(|(_, kind)| matches!(kind, FieldKind::Server));
    for (field, _) in servers.skip(1) {
        cx.error(&field.ty, "only one field can be #[web_socket_server]");
    }
}

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let mut item: ItemStruct = match syn::parse2(item) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    let kinds = parse_fields(&mut item);
    let socket_scoped = match parse_scope(args) {
        Ok(scoped) => scoped,
        Err(e) => {
            cx.push(e);
            false
        }
    };
    check(&item, &kinds, &mut cx);

    let mut deps = Vec::new();
    let mut inits = Vec::new();
    let mut server_field = None;
    let named = matches!(item.fields, Fields::Named(_));
    for (i, (field, kind)) in item.fields.iter().zip(&kinds).enumerate() {
        let member = match &field.ident {
            Some(id) => quote!(#id),
            None => {
                let idx = syn::Index::from(i);
                quote!(#idx)
            }
        };
        let name = field
            .ident
            .as_ref()
            .map(|i| i.to_string())
            .unwrap_or_else(|| i.to_string());
        let ty = &field.ty;
        let init = match kind {
            FieldKind::Server => {
                server_field.get_or_insert(member.clone());
                quote_spanned!(ty.span()=> { let __s: #ty = ::gateway_core::WsServer::unset(); __s })
            }
            FieldKind::Inject(inner) => {
                deps.push(
                    quote_spanned!(inner.span()=> ::gateway_core::__private::Dependency {
                        key: ::gateway_core::__private::TypeKey::of::<#inner>(),
                        field: #name,
                        optional: false,
                    }),
                );
                quote_spanned!(inner.span()=> __resolver.get::<#inner>()?)
            }
            FieldKind::Optional(inner) => {
                deps.push(
                    quote_spanned!(inner.span()=> ::gateway_core::__private::Dependency {
                        key: ::gateway_core::__private::TypeKey::of::<#inner>(),
                        field: #name,
                        optional: true,
                    }),
                );
                quote_spanned!(inner.span()=> __resolver.get_optional::<#inner>())
            }
            FieldKind::Default => {
                quote_spanned!(ty.span()=> <#ty as ::core::default::Default>::default())
            }
        };
        inits.push(if named { quote!(#member: #init) } else { init });
    }

    let ident = &item.ident;
    let body = match &item.fields {
        Fields::Named(_) => quote!(Self { #(#inits),* }),
        Fields::Unnamed(_) => quote!(Self ( #(#inits),* )),
        Fields::Unit => quote!(Self),
    };
    let ws_server = server_field.map(|m| {
        quote! {
            fn ws_server(&self) -> ::core::option::Option<&::gateway_core::WsServer> {
                ::core::option::Option::Some(&self.#m)
            }
        }
    });
    let scope = socket_scoped.then(|| {
        quote!(
            const SCOPE: ::gateway_core::Scope = ::gateway_core::Scope::Socket;
        )
    });
    let errors = cx.finish().err();
    quote! {
        #errors
        #item
        #[automatically_derived]
        impl ::gateway_core::Injectable for #ident {
            #scope
            fn dependencies() -> ::std::vec::Vec<::gateway_core::__private::Dependency> {
                ::std::vec![#(#deps),*]
            }
            fn construct(
                __resolver: &::gateway_core::__private::Resolver<'_>,
            ) -> ::core::result::Result<Self, ::gateway_core::StartupError> {
                let _ = __resolver;
                ::core::result::Result::Ok(#body)
            }
            #ws_server
        }
    }
}

/// `T` when `ty` is `Arc<T>` (any path ending in `Arc`).
fn arc_inner(ty: &Type) -> Option<&Type> {
    generic_inner(ty, "Arc")
}

/// `T` when `ty` is `Option<T>` (any path ending in `Option`).
fn option_inner(ty: &Type) -> Option<&Type> {
    generic_inner(ty, "Option")
}

/// `T` when `ty` is `Name<T>`.
fn generic_inner<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) if args.args.len() == 1 => Some(t),
        _ => None,
    }
}
