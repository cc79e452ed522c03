//! The raw payload of a message, kept for error reports (`cause.data`) and for explaining
//! deserialization failures field by field. Only touched on the error path.

use std::convert::Infallible;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use socketioxide::adapter::Adapter;
use socketioxide::handler::FromMessageParts;
use socketioxide::socket::Socket;
use socketioxide_core::Value;

use crate::error::{FieldError, HandlerError};

/// What arrived with a message besides its decoded body: the raw packet data (a cheap,
/// reference-counted clone) and whether the client asked for an ack.
#[derive(Debug, Clone)]
pub struct Incoming {
    raw: Value,
    pub(crate) wants_ack: bool,
}

impl<A: Adapter> FromMessageParts<A> for Incoming {
    type Error = Infallible;
    fn from_message_parts(
        _: &Arc<Socket<A>>,
        v: &mut Value,
        ack_id: &Option<i64>,
    ) -> Result<Self, Infallible> {
        Ok(Incoming {
            raw: v.clone(),
            wants_ack: ack_id.is_some(),
        })
    }
}

impl Incoming {
    /// The client's arguments as JSON (the event name left out). Binary attachments and
    /// non-JSON parsers give an empty list.
    fn args(&self) -> Vec<Json> {
        let Value::Str(text, _) = &self.raw else {
            return Vec::new();
        };
        match serde_json::from_str::<Vec<Json>>(text.as_str()) {
            Ok(mut all) if !all.is_empty() => {
                all.remove(0);
                all
            }
            _ => Vec::new(),
        }
    }

    /// The payload as NestJS shows it in `cause.data`: the argument, an array when the client
    /// sent several, `None` (no `data` key, as NestJS's `undefined`) when it sent none.
    pub fn payload(&self) -> Option<Json> {
        let mut args = self.args();
        match args.len() {
            0 => None,
            1 => Some(args.remove(0)),
            _ => Some(Json::Array(args)),
        }
    }

    /// [`payload`](Self::payload), `null` when the client sent none.
    pub fn data(&self) -> Json {
        self.payload().unwrap_or(Json::Null)
    }

    /// Called when socketioxide could not decode the body as `B`: decodes again from JSON,
    /// tracking the path, so that the error names the field. Some payloads that socketioxide
    /// refuses are fine here (no argument at all for an `Option` or a body-less handler).
    pub fn recover<B: DeserializeOwned>(&self) -> Result<B, HandlerError> {
        let args = self.args();
        let data = if socketioxide_core::parser::is_de_tuple::<B>() {
            Json::Array(args)
        } else {
            args.into_iter().next().unwrap_or(Json::Null)
        };
        serde_path_to_error::deserialize::<_, B>(data)
            .map_err(|e| HandlerError::Validation(vec![field_error(e)]))
    }
}

fn field_error(e: serde_path_to_error::Error<serde_json::Error>) -> FieldError {
    let path = e.path().to_string();
    let path = if path == "." { String::new() } else { path };
    let message = e.inner().to_string();
    // serde reports a missing field at its parent; name the field itself.
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
    {
        let field = if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        };
        return FieldError {
            field,
            code: "required".into(),
            message,
        };
    }
    let message = if path.is_empty() {
        message
    } else {
        format!("{path}: {message}")
    };
    FieldError {
        field: path,
        code: "type".into(),
        message,
    }
}

/// The body of a handler that takes none: accepts any payload, or none.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoBody;

impl<'de> serde::Deserialize<'de> for NoBody {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_ignored_any(serde::de::IgnoredAny)
            .map(|_| NoBody)
    }
}

/// The name of one property of the payload, for `#[message_body("prop")]`.
pub trait PropertyName {
    /// The property.
    const NAME: &'static str;
}

/// One property of an object payload, for `#[message_body("prop")]`: `data?.[prop]` in NestJS.
/// A missing property decodes as if it were `null` (so `Option<T>` gives `None`).
#[derive(Debug)]
pub struct Property<T, N>(pub T, std::marker::PhantomData<N>);

impl<'de, T: serde::Deserialize<'de>, N: PropertyName> serde::Deserialize<'de> for Property<T, N> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<T, N>(std::marker::PhantomData<(T, N)>);
        impl<'de, T: serde::Deserialize<'de>, N: PropertyName> serde::de::Visitor<'de> for Visit<T, N> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "an object with a `{}` property", N::NAME)
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<T, M::Error> {
                let mut found = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key == N::NAME && found.is_none() {
                        found = Some(map.next_value::<T>()?);
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                match found {
                    Some(v) => Ok(v),
                    None => T::deserialize(serde::de::value::UnitDeserializer::<M::Error>::new())
                        .map_err(|_| serde::de::Error::missing_field(N::NAME)),
                }
            }
        }
        d.deserialize_map(Visit::<T, N>(std::marker::PhantomData))
            .map(|v| Property(v, std::marker::PhantomData))
    }
}

/// The names serde gives the fields of struct `T` on the wire (after `rename`/`rename_all`),
/// or `None` when `T` is not a struct. Asks `T`'s `Deserialize` impl, which names them to
/// the deserializer; nothing is decoded.
pub fn struct_fields<T: DeserializeOwned>() -> Option<&'static [&'static str]> {
    use serde::de::{Error, Visitor};

    #[derive(Debug)]
    struct Found(Option<&'static [&'static str]>);
    impl std::fmt::Display for Found {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("field names probe")
        }
    }
    impl std::error::Error for Found {}
    impl Error for Found {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Found(None)
        }
    }

    struct Probe;
    impl<'de> serde::Deserializer<'de> for Probe {
        type Error = Found;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Found> {
            Err(Found(None))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Found> {
            Err(Found(Some(fields)))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    match T::deserialize(Probe) {
        Err(Found(fields)) => fields,
        Ok(_) => None,
    }
}
