//! [`Incoming`]: the raw payload of a message, kept for error reports (`cause.data`) and for
//! explaining deserialization failures field by field. Only decoded on the error path.

use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use socketioxide_core::Value;

use crate::error::{FieldError, HandlerError};

/// What arrived with a message besides its decoded body: the raw packet data (a cheap,
/// reference-counted clone).
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    raw: Value,
}

impl Incoming {
    /// The packet's data (a cheap, reference-counted clone of the buffer).
    pub(crate) fn new(raw: Value) -> Self {
        Incoming { raw }
    }

    /// The client's arguments as JSON (the event name left out), whatever the parser: the
    /// default parser's JSON text (binary attachments as their placeholders), or a msgpack
    /// packet's array (binary data as arrays of bytes). A packet that this server cannot read
    /// (JSON nested past serde_json's limit of 128 levels, a number out of range, msgpack that
    /// is not an array of values JSON can hold) gives its error.
    fn args(&self) -> Result<Vec<Json>, String> {
        let mut all = match &self.raw {
            Value::Str(text, _) => {
                serde_json::from_str::<Vec<Json>>(text.as_str()).map_err(|e| e.to_string())?
            }
            Value::Bytes(bytes) => msgpack_args(bytes)?,
        };
        if !all.is_empty() {
            all.remove(0);
        }
        Ok(all)
    }

    /// The payload as NestJS shows it in `cause.data`: the argument, an array when the client
    /// sent several, `None` (no `data` key, as NestJS's `undefined`) when it sent none or
    /// when it cannot be read.
    pub(crate) fn payload(&self) -> Option<Json> {
        let mut args = self.args().ok()?;
        match args.len() {
            0 => None,
            1 => Some(args.remove(0)),
            _ => Some(Json::Array(args)),
        }
    }

    /// [`payload`](Self::payload), `null` when the client sent none.
    pub(crate) fn data(&self) -> Json {
        self.payload().unwrap_or(Json::Null)
    }

    /// Called when socketioxide could not decode the body as `B`: decodes again from JSON,
    /// tracking the path, so that the error names the field. Some payloads that socketioxide
    /// refuses are fine here (no argument at all for an `Option` or a body-less handler); a
    /// payload that is not readable JSON is a validation error saying why, never a `null`.
    pub(crate) fn recover<B: DeserializeOwned>(&self) -> Result<B, HandlerError> {
        let args = self.args().map_err(|e| {
            HandlerError::Validation(vec![FieldError {
                field: String::new(),
                code: "parse".into(),
                message: format!("the payload cannot be read: {e}"),
            }])
        })?;
        let data = if socketioxide_core::parser::is_de_tuple::<B>() {
            Json::Array(args)
        } else {
            args.into_iter().next().unwrap_or(Json::Null)
        };
        serde_path_to_error::deserialize::<_, B>(data)
            .map_err(|e| HandlerError::Validation(vec![field_error(e)]))
    }
}

/// A msgpack packet's `[event, ...args]` as JSON values.
fn msgpack_args(mut bytes: &[u8]) -> Result<Vec<Json>, String> {
    let items = match rmpv::decode::read_value(&mut bytes).map_err(|e| e.to_string())? {
        rmpv::Value::Array(items) => items,
        other => return Err(format!("a msgpack packet's data is an array, not {other}")),
    };
    items
        .into_iter()
        .map(|item| serde_json::to_value(item).map_err(|e| e.to_string()))
        .collect()
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

/// The event name of a packet of socketioxide's default (JSON) parser, read without decoding
/// the rest: the first string of `["event", ...]`. `None` for other parsers, or a name with
/// escapes: the caller then asks socketioxide.
pub(crate) fn event_name(raw: &Value) -> Option<&str> {
    let Value::Str(text, _) = raw else {
        return None;
    };
    let rest = text.as_str().strip_prefix("[\"")?;
    let end = rest.find('"')?;
    let name = &rest[..end];
    (!name.contains('\\')).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Value {
        Value::Str(text.to_owned().into(), None)
    }

    #[test]
    fn unreadable_payloads_are_errors_not_null() {
        let deep = format!(r#"["e",{}1{}]"#, "[".repeat(127), "]".repeat(127));
        for text in [deep.as_str(), r#"["e",1e400]"#] {
            let incoming = Incoming::new(raw(text));
            let Err(HandlerError::Validation(errors)) = incoming.recover::<Json>() else {
                panic!("{text} decoded");
            };
            assert_eq!(errors[0].code, "parse");
            assert!(errors[0].message.starts_with("the payload cannot be read"));
            assert_eq!(incoming.payload(), None);
        }
        let fine = Incoming::new(raw(r#"["e",{"a":1}]"#));
        assert_eq!(fine.recover::<Json>().unwrap(), serde_json::json!({"a": 1}));
    }

    #[test]
    fn event_names_are_read_without_decoding() {
        assert_eq!(
            event_name(&raw(r#"["chat/send",{"a":1}]"#)),
            Some("chat/send")
        );
        assert_eq!(event_name(&raw(r#"["ping"]"#)), Some("ping"));
        // Escapes, spaces and non-JSON payloads are left to socketioxide.
        assert_eq!(event_name(&raw(r#"["a\"b",1]"#)), None);
        assert_eq!(event_name(&raw(r#"[ "ping"]"#)), None);
        assert_eq!(event_name(&Value::Bytes(Default::default())), None);
    }

    /// A msgpack packet's data: `[event, ...args]` encoded as socket.io-msgpack-parser does.
    fn msgpack(args: &[rmpv::Value]) -> Value {
        let mut all = vec![rmpv::Value::from("chat/send")];
        all.extend_from_slice(args);
        let mut out = Vec::new();
        rmpv::encode::write_value(&mut out, &rmpv::Value::Array(all)).unwrap();
        Value::Bytes(out.into())
    }

    #[test]
    fn msgpack_payloads_are_read_for_errors() {
        let dto = rmpv::Value::Map(vec![
            ("roomId".into(), "".into()),
            ("file".into(), rmpv::Value::Binary(vec![1, 2])),
        ]);
        let incoming = Incoming::new(msgpack(&[dto]));
        assert_eq!(
            incoming.payload(),
            Some(serde_json::json!({ "roomId": "", "file": [1, 2] }))
        );
        let two = Incoming::new(msgpack(&[1.into(), "a".into()]));
        assert_eq!(two.payload(), Some(serde_json::json!([1, "a"])));
        assert_eq!(Incoming::new(msgpack(&[])).payload(), None);

        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Dto {
            #[serde(rename = "roomId")]
            room_id: u32,
        }
        let Err(HandlerError::Validation(errors)) = incoming.recover::<Dto>() else {
            panic!("a string where a number goes is a validation error");
        };
        assert_eq!(errors[0].field, "roomId");
    }
}
