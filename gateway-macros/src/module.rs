//! `#[module(imports = [...], providers = [...], exports = [...])]` on a unit struct.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{ItemStruct, Token, Type};

use crate::ctxt::Ctxt;

mod kw {
    syn::custom_keyword!(imports);
    syn::custom_keyword!(providers);
    syn::custom_keyword!(exports);
}

#[derive(Default)]
struct ModuleArgs {
    imports: Option<Vec<Type>>,
    providers: Option<Vec<Type>>,
    exports: Option<Vec<Type>>,
}

impl Parse for ModuleArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut args = ModuleArgs::default();
        while !input.is_empty() {
            let look = input.lookahead1();
            let (slot, key) = if look.peek(kw::imports) {
                (&mut args.imports, input.parse::<kw::imports>()?.span)
            } else if look.peek(kw::providers) {
                (&mut args.providers, input.parse::<kw::providers>()?.span)
            } else if look.peek(kw::exports) {
                (&mut args.exports, input.parse::<kw::exports>()?.span)
            } else {
                return Err(look.error());
            };
            input.parse::<Token![=]>()?;
            let content;
            syn::bracketed!(content in input);
            let list: Punctuated<Type, Token![,]> =
                content.parse_terminated(Type::parse, Token![,])?;
            if slot.is_some() {
                return Err(syn::Error::new(key, "specified more than once"));
            }
            *slot = Some(list.into_iter().collect());
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    }
}

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let args: ModuleArgs = match syn::parse2(args) {
        Ok(a) => a,
        Err(e) => {
            cx.push(e);
            ModuleArgs::default()
        }
    };
    let item: ItemStruct = match syn::parse2(item) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    if !matches!(item.fields, syn::Fields::Unit) || !item.generics.params.is_empty() {
        cx.error(
            &item.ident,
            "#[module] goes on a unit struct: `struct AppModule;`",
        );
    }
    let ident = &item.ident;
    let imports = args.imports.unwrap_or_default();
    let providers = args.providers.unwrap_or_default();
    let exports = args.exports.unwrap_or_default();
    for (i, p) in providers.iter().enumerate() {
        if providers[..i]
            .iter()
            .any(|q| quote!(#q).to_string() == quote!(#p).to_string())
        {
            cx.error(p, "this provider is listed twice");
        }
    }
    let imports = imports
        .iter()
        .map(|m| quote_spanned!(m.span()=> <#m as ::gateway_core::Module>::definition::<__A>));
    let providers = providers
        .iter()
        .map(|p| quote_spanned!(p.span()=> ::gateway_core::__private::provider!(__A, #p)));
    let exports = exports
        .iter()
        .map(|e| quote_spanned!(e.span()=> ::gateway_core::__private::TypeKey::of::<#e>()));
    let errors = cx.finish().err();
    quote! {
        #errors
        #item
        #[automatically_derived]
        impl ::gateway_core::Module for #ident {
            fn definition<__A: ::gateway_core::__private::AppAdapter>() -> ::gateway_core::__private::ModuleDef<::gateway_core::__private::GatewayDef<__A>> {
                ::gateway_core::__private::ModuleDef {
                    key: ::gateway_core::__private::TypeKey::of::<Self>(),
                    imports: ::std::vec![#(#imports),*],
                    providers: ::std::vec![#(#providers),*],
                    exports: ::std::vec![#(#exports),*],
                }
            }
        }
    }
}
