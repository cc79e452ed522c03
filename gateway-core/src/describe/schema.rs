//! JSON Schemas of the payload types: the probe the macros use (a type that does not implement
//! `JsonSchema` is described as `{}`, any value), and the generators that collect the named
//! types of one document.

use schemars::generate::SchemaSettings;
use schemars::{Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::handler::SchemaFn;

/// Finds a type's schema when it implements `JsonSchema`: `(&&Probe::<T>::new()).schema(g)`
/// picks [`Described`] on `&Probe<T>` when it does, else [`Undescribed`] on `Probe<T>`.
pub mod probe {
    use std::marker::PhantomData;

    use schemars::{JsonSchema, Schema, SchemaGenerator};

    /// Stands for the payload type `T`.
    pub struct Probe<T: ?Sized>(PhantomData<T>);

    impl<T: ?Sized> Probe<T> {
        /// The probe of `T`.
        pub const fn new() -> Self {
            Probe(PhantomData)
        }
    }

    impl<T: ?Sized> Default for Probe<T> {
        fn default() -> Self {
            Self::new()
        }
    }

    /// `T: JsonSchema`: its schema.
    pub trait Described {
        /// The schema, its named types added to the generator's definitions.
        fn schema(&self, generator: &mut SchemaGenerator) -> Schema;
    }

    impl<T: JsonSchema + ?Sized> Described for &Probe<T> {
        fn schema(&self, generator: &mut SchemaGenerator) -> Schema {
            generator.subschema_for::<T>()
        }
    }

    /// Any other type: `{}`, which any value fits.
    pub trait Undescribed {
        /// `{}`.
        fn schema(&self, _generator: &mut SchemaGenerator) -> Schema {
            Schema::from(serde_json::Map::new())
        }
    }

    impl<T: ?Sized> Undescribed for Probe<T> {}
}

/// The schema of type `$ty` with generator `$g`, `{}` when the type does not implement
/// `JsonSchema`; with a property name, the schema of an object holding it there (a
/// `#[message_body("prop")]`).
#[doc(hidden)]
#[macro_export]
macro_rules! __schema {
    ($g:expr, $ty:ty) => {{
        #[allow(unused_imports)]
        use $crate::__private::schema_probe::{Described as _, Undescribed as _};
        (&&$crate::__private::schema_probe::Probe::<$ty>::new()).schema($g)
    }};
    ($g:expr, $ty:ty, $prop:expr) => {
        $crate::__private::property_schema($prop, $crate::__schema!($g, $ty))
    };
}

/// `{}`: any value (what a handler answering its ack itself with an `AckSender` acks).
pub fn any_schema(_: &mut SchemaGenerator) -> Schema {
    Schema::from(Map::new())
}

/// A handler's `body` or `ack` in its static: `Some` schema function of the type (`__schema!`),
/// or of any value with `@any`.
#[doc(hidden)]
#[macro_export]
macro_rules! __schema_fn {
    (@any) => {
        ::core::option::Option::Some($crate::__private::any_schema)
    };
    ($ty:ty $(, $prop:expr)?) => {
        ::core::option::Option::Some(|__g| $crate::__schema!(__g, $ty $(, $prop)?))
    };
}

/// `{"type":"object","properties":{name: schema},"required":[name]}`.
pub fn property_schema(name: &str, schema: Schema) -> Schema {
    let mut properties = Map::new();
    properties.insert(name.to_owned(), schema.to_value());
    Schema::from(
        json!({ "type": "object", "properties": properties, "required": [name] })
            .as_object()
            .cloned()
            .unwrap_or_default(),
    )
}

/// The schemas of one document: what clients send is described as it is deserialized, what
/// the server sends as it is serialized (serde may differ: `skip_serializing_if`, defaults).
pub(crate) struct Schemas {
    inputs: SchemaGenerator,
    outputs: SchemaGenerator,
}

impl Schemas {
    /// Generators whose `$ref`s point under `path` (`/components/schemas`).
    pub(crate) fn new(path: &str) -> Self {
        let settings = SchemaSettings::draft07().with(|s| {
            s.definitions_path = path.to_owned().into();
            s.meta_schema = None;
        });
        Schemas {
            inputs: settings.clone().for_deserialize().into_generator(),
            outputs: settings.for_serialize().into_generator(),
        }
    }

    /// The schema of something a client sends.
    pub(crate) fn input(&mut self, f: SchemaFn) -> Value {
        described(&mut self.inputs, f)
    }

    /// The schema of something the server sends.
    pub(crate) fn output(&mut self, f: SchemaFn) -> Value {
        described(&mut self.outputs, f)
    }

    /// The generator of what clients send, for the handshake's `auth`.
    pub(crate) fn inputs(&mut self) -> &mut SchemaGenerator {
        &mut self.inputs
    }

    /// Every named type met, by name: those clients send first. A type met in both directions
    /// is described once, as clients send it.
    pub(crate) fn definitions(mut self) -> Map<String, Value> {
        let mut all = self.inputs.take_definitions(true);
        for (name, schema) in self.outputs.take_definitions(true) {
            all.entry(name).or_insert(schema);
        }
        all
    }
}

/// `f`'s schema, with the generator's draft 7 transforms applied (schemars applies them to the
/// definitions it collects, not to the schema it returns: a tuple would keep its
/// `prefixItems`).
fn described(generator: &mut SchemaGenerator, f: SchemaFn) -> Value {
    let mut schema = f(generator);
    for t in generator.transforms_mut() {
        t.transform(&mut schema);
    }
    schema.to_value()
}

/// The `exception` event's payload, in NestJS's shapes (README, "Errors on the wire"), or any
/// object a `WsException::object(v)` sends.
pub(crate) fn exception_schema() -> Value {
    let cause = json!({
        "type": "object",
        "description": "The message that failed: its event (`connection` for handle_connection) and payload.",
        "properties": { "pattern": { "type": "string" }, "data": {} },
        "required": ["pattern"]
    });
    json!({
        "title": "WsExceptionPayload",
        "description": "Sent as `exception` when a handler, guard, pipe or hook fails. A `WsException::object(v)` sends `v` as it is.",
        "type": "object",
        "properties": {
            "status": { "type": "string", "const": "error" },
            "message": { "type": "string" },
            "errors": {
                "type": "array",
                "description": "With \"Validation failed\": each field that does not fit, as the client named it.",
                "items": {
                    "type": "object",
                    "properties": {
                        "field": { "type": "string" },
                        "code": { "type": "string" },
                        "message": { "type": "string" }
                    },
                    "required": ["field", "code", "message"]
                }
            },
            "cause": cause
        },
        "additionalProperties": true
    })
}
