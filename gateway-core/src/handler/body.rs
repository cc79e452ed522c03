//! What a handler's `#[message_body]` decodes into: the whole payload ([`Whole`]), one property
//! of it ([`Property`]), or nothing ([`NoBody`]), and what pipes see of each ([`Body`]).

use std::any::Any;

use serde::de::DeserializeOwned;

/// A body as the dispatcher decodes it: what pipes see of it, and where that came from.
pub trait Body: DeserializeOwned + Send + 'static {
    /// What pipes and validation see: the user's type.
    type Piped: DeserializeOwned + 'static;
    /// `#[message_body("prop")]`'s property.
    const PROPERTY: Option<&'static str>;
    /// What pipes see, to transform in place.
    fn piped(&mut self) -> &mut dyn Any;
}

/// The whole payload, for `#[message_body] dto: T`: decodes exactly as `T`.
#[derive(Debug)]
pub struct Whole<T>(pub T);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Whole<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Whole)
    }
}

impl<T: DeserializeOwned + Send + 'static> Body for Whole<T> {
    type Piped = T;
    const PROPERTY: Option<&'static str> = None;
    fn piped(&mut self) -> &mut dyn Any {
        &mut self.0
    }
}

impl Body for NoBody {
    type Piped = NoBody;
    const PROPERTY: Option<&'static str> = None;
    fn piped(&mut self) -> &mut dyn Any {
        self
    }
}

impl<T: DeserializeOwned + Send + 'static, N: PropertyName + Send + 'static> Body
    for Property<T, N>
{
    type Piped = T;
    const PROPERTY: Option<&'static str> = Some(N::NAME);
    fn piped(&mut self) -> &mut dyn Any {
        &mut self.0
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
    /// The property's name on the wire.
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
pub(crate) fn struct_fields<T: DeserializeOwned>() -> Option<&'static [&'static str]> {
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
