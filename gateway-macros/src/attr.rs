//! What the attribute parsers share: a list of `key = value` options read one at a time so that
//! every bad option is reported in one pass, and the keys as written, for `check` to reject a
//! repeated one.

use proc_macro2::TokenTree;
use syn::Token;
use syn::parse::ParseStream;

use crate::ctxt::Ctxt;

/// Parses `option, option, ...` with `option`, which reads one option. An option that fails is
/// skipped up to the next top-level comma and parsing goes on; the errors of every bad option
/// come back combined.
pub(crate) fn options(
    input: ParseStream,
    mut option: impl FnMut(ParseStream) -> syn::Result<()>,
) -> syn::Result<()> {
    let mut errors: Option<syn::Error> = None;
    while !input.is_empty() {
        let parsed = option(input).and_then(|()| {
            if input.is_empty() || input.peek(Token![,]) {
                Ok(())
            } else {
                Err(input.error("expected `,`"))
            }
        });
        if let Err(e) = parsed {
            match &mut errors {
                Some(all) => all.combine(e),
                None => errors = Some(e),
            }
            skip_to_comma(input);
        }
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
    }
    errors.map_or(Ok(()), Err)
}

/// Moves past the tokens of an option that did not parse, up to the next top-level comma (a
/// comma inside brackets or parentheses is part of one token tree).
fn skip_to_comma(input: ParseStream) {
    let skipped = input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ',') {
                break;
            }
            rest = next;
        }
        Ok(((), rest))
    });
    // `step` only fails when the closure does, and this one does not.
    debug_assert!(skipped.is_ok());
}

/// The option keys of one attribute, as written and in order. Parsing records them; `check`
/// rejects a repeated one.
#[derive(Default, Clone)]
pub(crate) struct Keys(Vec<(&'static str, syn::Ident)>);

impl Keys {
    /// Records that the option `slot` was written as `written`, at `span`.
    pub fn push(&mut self, slot: &'static str, written: &str, span: proc_macro2::Span) {
        self.0.push((slot, syn::Ident::new(written, span)));
    }

    /// Whether the option `slot` was written.
    pub fn contains(&self, slot: &str) -> bool {
        self.0.iter().any(|(s, _)| *s == slot)
    }

    /// Appends the keys of a nested list (`cors(...)`), whose names differ from the outer ones.
    pub fn extend(&mut self, nested: Keys) {
        self.0.extend(nested.0);
    }

    /// "`origin` specified more than once", on every occurrence after the first.
    pub fn check_unique(&self, cx: &mut Ctxt) {
        for (i, (slot, written)) in self.0.iter().enumerate() {
            let Some((_, first)) = self.0[..i].iter().find(|(s, _)| s == slot) else {
                continue;
            };
            if first == written {
                cx.error(written, format!("`{written}` specified more than once"));
            } else {
                cx.error(
                    written,
                    format!("`{written}` specified more than once (`{first}` is the same option)"),
                );
            }
        }
    }
}
