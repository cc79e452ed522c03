//! [`Data`]: a payload serialized once into a tree that keeps what JSON would lose: binary data
//! stays binary (so socketioxide still sends it as an attachment) and object keys keep their
//! order. serde_json's `Value` has no bytes, and the tree values of msgpack crates write structs
//! as arrays; this one writes them as serde_json does.

use std::fmt;

use serde::ser::{self, Serialize, SerializeMap, SerializeSeq};

/// One node of a serialized payload.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F32(f32),
    F64(f64),
    Str(String),
    Bytes(Vec<u8>),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    pub(crate) fn of<T: Serialize + ?Sized>(value: &T) -> Result<Node, Error> {
        value.serialize(ToNode)
    }
}

impl Serialize for Node {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Null => s.serialize_unit(),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::I64(n) => s.serialize_i64(*n),
            Node::U64(n) => s.serialize_u64(*n),
            Node::F32(n) => s.serialize_f32(*n),
            Node::F64(n) => s.serialize_f64(*n),
            Node::Str(v) => s.serialize_str(v),
            Node::Bytes(v) => s.serialize_bytes(v),
            Node::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// A value that could not be turned into a payload (a map key that is not a string, a number
/// wider than 64 bits, or the type's own `Serialize` error).
#[derive(Debug)]
pub(crate) struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// Serializes into a [`Node`].
struct ToNode;

/// A sequence or a map being built; `variant` wraps it as `{variant: ...}` (serde_json's
/// externally tagged enums).
struct Building {
    items: Vec<Node>,
    entries: Vec<(String, Node)>,
    key: Option<String>,
    variant: Option<&'static str>,
}

impl Building {
    fn new(len: usize, variant: Option<&'static str>) -> Self {
        Building {
            items: Vec::with_capacity(len),
            entries: Vec::new(),
            key: None,
            variant,
        }
    }

    fn wrap(variant: Option<&'static str>, node: Node) -> Node {
        match variant {
            Some(v) => Node::Map(vec![(v.to_owned(), node)]),
            None => node,
        }
    }

    fn seq(self) -> Node {
        Building::wrap(self.variant, Node::Seq(self.items))
    }

    fn map(self) -> Node {
        Building::wrap(self.variant, Node::Map(self.entries))
    }
}

impl ser::Serializer for ToNode {
    type Ok = Node;
    type Error = Error;
    type SerializeSeq = Building;
    type SerializeTuple = Building;
    type SerializeTupleStruct = Building;
    type SerializeTupleVariant = Building;
    type SerializeMap = Building;
    type SerializeStruct = Building;
    type SerializeStructVariant = Building;

    fn serialize_bool(self, v: bool) -> Result<Node, Error> {
        Ok(Node::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Node, Error> {
        Ok(Node::I64(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Node, Error> {
        Ok(Node::I64(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Node, Error> {
        Ok(Node::I64(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Node, Error> {
        Ok(Node::I64(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Node, Error> {
        match (i64::try_from(v), u64::try_from(v)) {
            (Ok(n), _) => Ok(Node::I64(n)),
            (_, Ok(n)) => Ok(Node::U64(n)),
            _ => Err(ser::Error::custom(
                "number out of range: wider than 64 bits",
            )),
        }
    }
    fn serialize_u8(self, v: u8) -> Result<Node, Error> {
        Ok(Node::U64(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Node, Error> {
        Ok(Node::U64(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Node, Error> {
        Ok(Node::U64(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Node, Error> {
        Ok(Node::U64(v))
    }
    fn serialize_u128(self, v: u128) -> Result<Node, Error> {
        u64::try_from(v)
            .map(Node::U64)
            .map_err(|_| ser::Error::custom("number out of range: wider than 64 bits"))
    }
    fn serialize_f32(self, v: f32) -> Result<Node, Error> {
        Ok(Node::F32(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Node, Error> {
        Ok(Node::F64(v))
    }
    fn serialize_char(self, v: char) -> Result<Node, Error> {
        Ok(Node::Str(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Node, Error> {
        Ok(Node::Str(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Node, Error> {
        Ok(Node::Bytes(v.to_owned()))
    }
    fn serialize_none(self) -> Result<Node, Error> {
        Ok(Node::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Node, Error> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Node, Error> {
        Ok(Node::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Node, Error> {
        Ok(Node::Null)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        v: &'static str,
    ) -> Result<Node, Error> {
        Ok(Node::Str(v.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<Node, Error> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<Node, Error> {
        Ok(Building::wrap(Some(variant), v.serialize(self)?))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Building, Error> {
        Ok(Building::new(len.unwrap_or(0), None))
    }
    fn serialize_tuple(self, len: usize) -> Result<Building, Error> {
        Ok(Building::new(len, None))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Building, Error> {
        Ok(Building::new(len, None))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Building, Error> {
        Ok(Building::new(len, Some(variant)))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Building, Error> {
        Ok(Building::new(0, None))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Building, Error> {
        Ok(Building::new(0, None))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Building, Error> {
        Ok(Building::new(0, Some(variant)))
    }
}

impl SerializeSeq for Building {
    type Ok = Node;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.items.push(v.serialize(ToNode)?);
        Ok(())
    }
    fn end(self) -> Result<Node, Error> {
        Ok(self.seq())
    }
}

impl ser::SerializeTuple for Building {
    type Ok = Node;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Node, Error> {
        Ok(self.seq())
    }
}

impl ser::SerializeTupleStruct for Building {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Node, Error> {
        Ok(self.seq())
    }
}

impl ser::SerializeTupleVariant for Building {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Node, Error> {
        Ok(self.seq())
    }
}

impl SerializeMap for Building {
    type Ok = Node;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Error> {
        // JSON keys are strings: numbers, booleans and chars are written as text, as serde_json
        // writes them.
        let key = match k.serialize(ToNode)? {
            Node::Str(s) => s,
            Node::I64(n) => n.to_string(),
            Node::U64(n) => n.to_string(),
            Node::Bool(b) => b.to_string(),
            _ => return Err(ser::Error::custom("a map key must be a string")),
        };
        self.key = Some(key);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| <Error as ser::Error>::custom("a map value without its key"))?;
        self.entries.push((key, v.serialize(ToNode)?));
        Ok(())
    }
    fn end(self) -> Result<Node, Error> {
        Ok(self.map())
    }
}

impl ser::SerializeStruct for Building {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        self.entries.push((key.to_owned(), v.serialize(ToNode)?));
        Ok(())
    }
    fn end(self) -> Result<Node, Error> {
        Ok(self.map())
    }
}

impl ser::SerializeStructVariant for Building {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(self, key, v)
    }
    fn end(self) -> Result<Node, Error> {
        Ok(self.map())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Doc {
        zeta: u8,
        alpha: &'static str,
        #[serde(with = "serde_bytes_like")]
        blob: Vec<u8>,
        kind: Kind,
    }

    #[derive(serde::Serialize)]
    enum Kind {
        Text { len: u32 },
    }

    mod serde_bytes_like {
        pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(v)
        }
    }

    #[test]
    fn keeps_key_order_binary_and_serde_json_shapes() {
        let doc = Doc {
            zeta: 1,
            alpha: "a",
            blob: vec![1, 2],
            kind: Kind::Text { len: 3 },
        };
        let node = Node::of(&doc).unwrap();
        let Node::Map(entries) = &node else {
            panic!("a struct is a map: {node:?}")
        };
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["zeta", "alpha", "blob", "kind"]);
        assert_eq!(entries[2].1, Node::Bytes(vec![1, 2]));
        // Apart from the bytes (numbers in JSON), the same JSON as serde_json's.
        assert_eq!(
            serde_json::to_string(&node).unwrap(),
            serde_json::to_string(&doc).unwrap()
        );
        assert_eq!(
            serde_json::to_string(&Node::of(&0.30000001192092896_f64).unwrap()).unwrap(),
            "0.30000001192092896"
        );
    }
}
