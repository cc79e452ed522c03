//! `#[web_socket_gateway]`: [`parse`] the arguments and the impl block, [`check`] what the
//! types cannot, [`expand`] into the gateway's static description and its `Gateway` impl.

mod check;
mod expand;
mod parse;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ctxt::Ctxt;

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let options = parse::GatewayArgs::parse(args, &mut cx);
    let mut imp: syn::ItemImpl = match syn::parse2(item.clone()) {
        Ok(i) => i,
        Err(_) => {
            cx.error(
                &item,
                "#[web_socket_gateway] goes on an `impl` block: `#[web_socket_gateway(...)] impl MyGateway { ... }`",
            );
            let errors = cx.finish().err();
            return quote!(#item #errors);
        }
    };
    let gateway = parse::Gateway::from_impl(&mut imp, options, &mut cx);
    check::check(&gateway, &mut cx);
    let generated = expand::expand(&gateway);
    // On error, still emit the impl (so its methods exist) and the errors, not the glue.
    match cx.finish() {
        Ok(()) => quote!(#imp #generated),
        Err(errors) => quote!(#imp #errors),
    }
}

/// `#[subscribe_message]` and friends reached the compiler on their own: they are not inside a
/// gateway impl (the gateway macro removes them when they are).
pub(crate) fn misplaced(name: &str, item: TokenStream) -> TokenStream {
    let msg = match name {
        "subscribe_message" | "message_body" | "connected_socket" => format!(
            "#[{name}] only works inside an `impl` block marked #[web_socket_gateway]: put #[web_socket_gateway(...)] on the impl"
        ),
        _ => format!(
            "#[{name}] goes on a #[subscribe_message] method, or on a gateway's impl block *after* #[web_socket_gateway(...)] (attributes expand top to bottom)"
        ),
    };
    let e = syn::Error::new(proc_macro2::Span::call_site(), msg).to_compile_error();
    quote!(#e #item)
}
