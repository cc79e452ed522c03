//! `#[module(imports = [...], providers = [...], exports = [...])]` on a unit struct.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{ItemStruct, Token, Type};

use crate::attr::{self, Keys};
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
    /// The keys as written, for `check` to reject a repeated one.
    keys: Keys,
}

impl ModuleArgs {
    /// Every key is read, the bad ones reported together; a repeated key keeps its first list.
    fn parse(args: TokenStream, cx: &mut Ctxt) -> Self {
        let mut out = ModuleArgs::default();
        let parser = |input: ParseStream| attr::options(input, |input| out.option(input));
        if let Err(e) = parser.parse2(args) {
            cx.push(e);
        }
        out
    }

    /// `key = [Type, ...]`.
    fn option(&mut self, input: ParseStream) -> syn::Result<()> {
        let look = input.lookahead1();
        let (slot, key, span) = if look.peek(kw::imports) {
            let span = input.parse::<kw::imports>()?.span;
            (&mut self.imports, "imports", span)
        } else if look.peek(kw::providers) {
            let span = input.parse::<kw::providers>()?.span;
            (&mut self.providers, "providers", span)
        } else if look.peek(kw::exports) {
            let span = input.parse::<kw::exports>()?.span;
            (&mut self.exports, "exports", span)
        } else {
            return Err(look.error());
        };
        self.keys.push(key, key, span);
        input.parse::<Token![=]>()?;
        let content;
        syn::bracketed!(content in input);
        let list: Punctuated<Type, Token![,]> = content.parse_terminated(Type::parse, Token![,])?;
        slot.get_or_insert(list.into_iter().collect());
        Ok(())
    }
}

/// Each key once, on a unit struct, each provider once.
fn check(args: &ModuleArgs, item: &ItemStruct, cx: &mut Ctxt) {
    args.keys.check_unique(cx);
    if !matches!(item.fields, syn::Fields::Unit) || !item.generics.params.is_empty() {
        cx.error(
            &item.ident,
            "#[module] goes on a unit struct: `struct AppModule;`",
        );
    }
    let providers = args.providers.as_deref().unwrap_or_default();
    for (i, p) in providers.iter().enumerate() {
        if providers[..i]
            .iter()
            .any(|q| quote!(#q).to_string() == quote!(#p).to_string())
        {
            cx.error(p, "this provider is listed twice");
        }
    }
}

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let args = ModuleArgs::parse(args, &mut cx);
    let item: ItemStruct = match syn::parse2(item) {
        Ok(i) => i,
        Err(e) => {
            cx.push(e);
            return cx.finish().err().unwrap_or_default();
        }
    };
    check(&args, &item, &mut cx);
    let ident = &item.ident;
    let imports = args.imports.unwrap_or_default();
    let providers = args.providers.unwrap_or_default();
    let exports = args.exports.unwrap_or_default();
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
