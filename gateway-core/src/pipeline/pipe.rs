//! Pipes: transform or validate the body before the handler sees it. [`ValidationPipe`]
//! validates with `validator::Validate` and names every failing field.

use std::any::Any;
use std::borrow::Cow;

use crate::error::{FieldError, HandlerError};

/// Validates a body given as `dyn Any`, when its type implements `validator::Validate`.
pub type Validator = Option<fn(&dyn Any) -> Result<(), validator::ValidationErrors>>;

/// What a pipe knows of the body besides its value.
pub struct ArgumentMetadata {
    /// The body type's name.
    pub type_name: &'static str,
    /// Validates the body, when its type implements `validator::Validate`.
    pub validate: Validator,
}

/// A pipe, NestJS's `PipeTransform`: sees the body (as `dyn Any`: downcast to the types it
/// knows) and may change it in place, or refuse it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a pipe",
    label = "not a pipe",
    note = "implement `PipeTransform` for `{Self}`"
)]
pub trait PipeTransform: Send + Sync + 'static {
    /// Transforms or validates.
    fn transform(&self, value: &mut dyn Any, meta: &ArgumentMetadata) -> Result<(), HandlerError>;
}

/// Validates bodies whose type implements `validator::Validate` (nested structs too, with
/// `#[validate(nested)]`). A failure answers
/// `{"status":"error","message":"Validation failed","errors":[{"field","code","message"}],"cause":{...}}`
/// with every failing field, nested ones as dotted paths (`address.city`, `items[0].name`).
/// Bodies of other types pass through, as with NestJS's `ValidationPipe`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidationPipe;

impl crate::di::Injectable for ValidationPipe {
    fn dependencies() -> Vec<crate::di::Dependency> {
        Vec::new()
    }
    fn construct(_: &crate::di::Resolver<'_>) -> Result<Self, crate::StartupError> {
        Ok(ValidationPipe)
    }
}

impl PipeTransform for ValidationPipe {
    fn transform(&self, value: &mut dyn Any, meta: &ArgumentMetadata) -> Result<(), HandlerError> {
        match meta.validate {
            Some(validate) => {
                validate(value).map_err(|e| HandlerError::Validation(field_errors(&e)))
            }
            None => Ok(()),
        }
    }
}

/// Every error of `errors`, flattened to dotted paths, sorted by field.
pub(crate) fn field_errors(errors: &validator::ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    flatten(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

fn flatten(errors: &validator::ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    use validator::ValidationErrorsKind as Kind;
    for (field, kind) in errors.errors() {
        // validator names the elements of a top-level `Vec` body `_tmp_validator[i]`.
        let field: &str = if field.as_ref() == "_tmp_validator" {
            ""
        } else {
            field.as_ref()
        };
        let path = match (prefix.is_empty(), field.is_empty()) {
            (true, _) => field.to_owned(),
            (false, true) => prefix.to_owned(),
            (false, false) => format!("{prefix}.{field}"),
        };
        match kind {
            Kind::Field(list) => {
                for e in list {
                    let message = e
                        .message
                        .as_ref()
                        .map(Cow::to_string)
                        .unwrap_or_else(|| describe(&path, e));
                    out.push(FieldError {
                        field: path.clone(),
                        code: e.code.to_string(),
                        message,
                    });
                }
            }
            Kind::Struct(inner) => flatten(inner, &path, out),
            Kind::List(items) => {
                for (i, inner) in items {
                    flatten(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}

/// Renames the fields of validation errors to the names they have in `payload` (`room_id`
/// becomes `roomId` under `#[serde(rename_all = "camelCase")]`): each path segment is matched
/// to a key of the payload that is the same but for case, `_` and `-`. Unmatched segments stay.
pub(crate) fn wire_names(
    errors: &mut [FieldError],
    payload: &serde_json::Value,
    fields: Option<&'static [&'static str]>,
) {
    fn norm(s: &str) -> String {
        s.chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect()
    }
    for e in errors {
        let mut at = payload;
        let mut out = Vec::new();
        for segment in e.field.split('.') {
            let (name, index) = match segment.split_once('[') {
                Some((n, rest)) => (n, Some(rest.trim_end_matches(']'))),
                None => (segment, None),
            };
            let key = at.as_object().and_then(|o| {
                o.keys()
                    .find(|k| k.as_str() == name)
                    .or_else(|| o.keys().find(|k| norm(k) == norm(name)))
            });
            // A field the client left out: take the casing its siblings use.
            let camel_siblings = at
                .as_object()
                .is_some_and(|o| o.keys().any(|k| k.chars().any(char::is_uppercase)));
            // At the top, serde's own names say it even for fields the client left out.
            let declared = match out.is_empty() {
                true => fields.and_then(|f| f.iter().find(|f| norm(f) == norm(name))),
                false => None,
            };
            let wire = match (key, declared) {
                (Some(k), _) => k.clone(),
                (None, Some(d)) => (*d).to_owned(),
                (None, None) if camel_siblings => camel(name),
                (None, None) => name.to_owned(),
            };
            if !wire.is_empty() {
                at = at.get(&wire).unwrap_or(&serde_json::Value::Null);
            }
            match index {
                Some(i) => {
                    at = i
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| at.get(i))
                        .unwrap_or(&serde_json::Value::Null);
                    out.push(format!("{wire}[{i}]"));
                }
                None => out.push(wire),
            }
        }
        let renamed = out.join(".");
        if renamed != e.field {
            e.message = e.message.replace(&e.field, &renamed);
            e.field = renamed;
        }
    }
}

/// `coupon_code` -> `couponCode`.
fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A readable message for a validator error without one of its own.
fn describe(field: &str, e: &validator::ValidationError) -> String {
    let param = |k: &str| e.params.get(k).map(|v| v.to_string());
    match e.code.as_ref() {
        "length" => match (param("min"), param("max"), param("equal")) {
            (_, _, Some(eq)) => format!("{field} must be exactly {eq} characters long"),
            (Some(min), Some(max), _) => {
                format!("{field} must be between {min} and {max} characters long")
            }
            (Some(min), None, _) => format!("{field} must be at least {min} characters long"),
            (None, Some(max), _) => format!("{field} must be at most {max} characters long"),
            _ => format!("{field} has an invalid length"),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("{field} must be between {min} and {max}"),
            (Some(min), None) => format!("{field} must be at least {min}"),
            (None, Some(max)) => format!("{field} must be at most {max}"),
            _ => format!("{field} is out of range"),
        },
        "email" => format!("{field} must be an email address"),
        "url" => format!("{field} must be a URL"),
        "required" => format!("{field} is required"),
        code => format!("{field} is invalid ({code})"),
    }
}

/// The validator of a body type, when it implements `Validate`: expanded by the generated code,
/// where the type is concrete.
#[doc(hidden)]
#[macro_export]
macro_rules! __validator {
    ($ty:ty) => {{
        #[allow(unused_imports)]
        use $crate::__private::validate_probe::{
            HasOptionValidate as _, HasValidate as _, NoValidate as _,
        };
        (&&&$crate::__private::validate_probe::Probe::<$ty>::new()).validator()
    }};
}

/// Fails to compile when `$ty` implements the user's `::validator::Validate` but not
/// gateway-core's: a derive from another major version of `validator`. Expanded only in crates
/// that depend on `validator` themselves (`::validator` names their version here).
#[doc(hidden)]
#[macro_export]
macro_rules! __same_validator {
    ($ty:ty) => {{
        struct Probe<T>(::core::marker::PhantomData<T>);
        trait Ours {
            fn check(&self) -> $crate::__private::validate_probe::Same {
                $crate::__private::validate_probe::Same
            }
        }
        impl<T: $crate::__private::validate_probe::Validate> Ours for &&Probe<T> {}
        trait Theirs {
            fn check(&self) -> $crate::__private::validate_probe::Other {
                $crate::__private::validate_probe::Other
            }
        }
        impl<T: ::validator::Validate> Theirs for &Probe<T> {}
        trait Neither {
            fn check(&self) -> $crate::__private::validate_probe::Same {
                $crate::__private::validate_probe::Same
            }
        }
        impl<T> Neither for Probe<T> {}
        (&&&Probe::<$ty>(::core::marker::PhantomData))
            .check()
            .assert::<$ty>();
    }};
}

/// The validator of `T` when it implements `Validate`: found by [`__validator!`]'s probe.
pub mod probe {
    use std::marker::PhantomData;

    /// Stands for the body type.
    pub struct Probe<T>(PhantomData<T>);
    impl<T> Probe<T> {
        /// The probe of `T`.
        pub const fn new() -> Self {
            Probe(PhantomData)
        }
    }
    impl<T> Default for Probe<T> {
        fn default() -> Self {
            Self::new()
        }
    }

    /// Selected for `Option<T>` when `T: Validate`: `Some` is validated.
    pub trait HasOptionValidate<T> {
        /// The validator of `Some`.
        fn validator(&self) -> super::Validator;
    }
    impl<T: validator::Validate + 'static> HasOptionValidate<Option<T>> for &&Probe<Option<T>> {
        fn validator(&self) -> super::Validator {
            Some(|v| match v.downcast_ref::<Option<T>>() {
                Some(Some(t)) => t.validate(),
                _ => Ok(()),
            })
        }
    }

    /// Selected when `T: Validate`.
    pub trait HasValidate<T> {
        /// `T`'s validator.
        fn validator(&self) -> super::Validator;
    }
    impl<T: validator::Validate + 'static> HasValidate<T> for &Probe<T> {
        fn validator(&self) -> super::Validator {
            Some(|v| match v.downcast_ref::<T>() {
                Some(t) => t.validate(),
                None => Ok(()),
            })
        }
    }

    pub use validator::Validate;

    /// The body's `Validate` is gateway-core's, or it has none.
    pub struct Same;
    impl Same {
        /// Compiles.
        pub fn assert<T>(self) {}
    }

    /// The body derives `Validate` from another version of `validator`.
    pub struct Other;
    impl Other {
        /// Does not compile: `T` is not [`ValidatorOfGatewayCore`].
        pub fn assert<T: ValidatorOfGatewayCore>(self) {}
    }

    /// Implemented by nothing: the compile error for a body whose `Validate` comes from another
    /// major version of `validator` than gateway-core's.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` derives `Validate` from another version of the `validator` crate than gateway-core's (0.21)",
        label = "ValidationPipe could not validate this body",
        note = "depend on `validator = \"0.21\"`, the version gateway-core uses"
    )]
    pub trait ValidatorOfGatewayCore {}

    /// Selected otherwise.
    pub trait NoValidate {
        /// No validator.
        fn validator(&self) -> super::Validator {
            None
        }
    }
    impl<T> NoValidate for Probe<T> {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(field: &str) -> FieldError {
        FieldError {
            field: field.into(),
            code: "length".into(),
            message: format!("{field} is too long"),
        }
    }

    #[test]
    fn fields_take_their_wire_names() {
        let payload =
            json!({"roomId": "x", "homeAddress": {"zipCode": 1}, "items": [{"itemName": "a"}]});
        let mut errors = vec![
            err("room_id"),
            err("home_address.zip_code"),
            err("items[0].item_name"),
            err("coupon_code"),
        ];
        wire_names(&mut errors, &payload, None);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        // coupon_code is missing from the payload: its siblings' casing is used.
        assert_eq!(
            fields,
            [
                "roomId",
                "homeAddress.zipCode",
                "items[0].itemName",
                "couponCode"
            ]
        );
        assert_eq!(errors[0].message, "roomId is too long");

        let mut list = vec![err("[1].room_id")];
        wire_names(&mut list, &json!([{"roomId": "a"}, {"roomId": ""}]), None);
        assert_eq!(list[0].field, "[1].roomId");

        let mut snake = vec![err("room_id")];
        wire_names(&mut snake, &json!({"other_field": 1}), None);

        let mut absent = vec![err("coupon_code")];
        wire_names(&mut absent, &json!({}), Some(&["couponCode"]));
        assert_eq!(
            absent[0].field, "couponCode",
            "serde's names cover fields the client left out"
        );
        assert_eq!(
            snake[0].field, "room_id",
            "snake_case payloads keep snake_case names"
        );
    }
}
