//! `#[derive(Event)]` with `#[event("name")]`: the payload type's event name.

use proc_macro2::TokenStream;
use quote::quote;

pub(crate) fn expand(item: TokenStream) -> TokenStream {
    let input: syn::DeriveInput = match syn::parse2(item) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    let usage = "expected #[event(\"name\")]: the event this type is sent as";
    let mut names = input.attrs.iter().filter(|a| a.path().is_ident("event"));
    let name: syn::LitStr = match names.next().map(|a| (a, a.parse_args::<syn::LitStr>())) {
        Some((_, Ok(name))) if !name.value().is_empty() => name,
        Some((a, Ok(_))) => {
            return syn::Error::new_spanned(a, "the event name cannot be empty").to_compile_error();
        }
        Some((_, Err(e))) => return syn::Error::new(e.span(), usage).to_compile_error(),
        None => {
            return syn::Error::new_spanned(
                &input.ident,
                format!("#[derive(Event)] needs the event name: {usage}"),
            )
            .to_compile_error();
        }
    };
    if let Some(again) = names.next() {
        return syn::Error::new_spanned(again, "#[event] given twice: a type is sent as one event")
            .to_compile_error();
    }
    // socketioxide sends a newtype struct as a list of arguments, which for one value is not a
    // valid packet: serde must see the inner value.
    if let syn::Data::Struct(syn::DataStruct {
        fields: syn::Fields::Unnamed(f),
        ..
    }) = &input.data
        && f.unnamed.len() == 1
        && !input.attrs.iter().any(is_transparent)
    {
        return syn::Error::new_spanned(
            &input.ident,
            "a one-field tuple struct sent as an event needs #[serde(transparent)] (socketioxide would send a newtype as a malformed list of arguments)",
        )
        .to_compile_error();
    }
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::gateway_core::Event for #ident #ty_generics #where_clause {
            const NAME: &'static str = #name;
        }
    }
}

/// `#[serde(transparent)]` (or `#[serde(..., transparent, ...)]`).
fn is_transparent(a: &syn::Attribute) -> bool {
    a.path().is_ident("serde")
        && a.parse_args_with(|input: syn::parse::ParseStream| {
            let mut found = false;
            while !input.is_empty() {
                let tt: proc_macro2::TokenTree = input.parse()?;
                found |= matches!(&tt, proc_macro2::TokenTree::Ident(i) if i == "transparent");
            }
            Ok(found)
        })
        .unwrap_or(false)
}
