//! Collects every error of one expansion so that a user sees them all in one build
//! (serde_derive's `Ctxt`).

use proc_macro2::TokenStream;

#[derive(Default)]
pub(crate) struct Ctxt {
    errors: Option<syn::Error>,
}

impl Ctxt {
    pub fn push(&mut self, e: syn::Error) {
        match &mut self.errors {
            Some(all) => all.combine(e),
            None => self.errors = Some(e),
        }
    }

    pub fn error(&mut self, tokens: impl quote::ToTokens, msg: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, msg))
    }

    /// The errors as `compile_error!`s, or nothing.
    pub fn finish(self) -> Result<(), TokenStream> {
        match self.errors {
            Some(e) => Err(e.to_compile_error()),
            None => Ok(()),
        }
    }
}
