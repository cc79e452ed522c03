//! socket.io v5 packets as text: `<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]`.
//!
//! Only the header is read and written here. The JSON array itself (event name, arguments,
//! binary placeholders) goes through socketioxide's own value codec, so that the client's data
//! model (a tuple is several arguments, `Bytes` is an attachment) is the server's.

use std::fmt::Write as _;

/// The packet types of socket.io v5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Connect = 0,
    Disconnect = 1,
    Event = 2,
    Ack = 3,
    ConnectError = 4,
    BinaryEvent = 5,
    BinaryAck = 6,
}

impl Kind {
    fn from_digit(digit: u8) -> Option<Self> {
        Some(match digit {
            b'0' => Self::Connect,
            b'1' => Self::Disconnect,
            b'2' => Self::Event,
            b'3' => Self::Ack,
            b'4' => Self::ConnectError,
            b'5' => Self::BinaryEvent,
            b'6' => Self::BinaryAck,
            _ => return None,
        })
    }

    fn is_binary(self) -> bool {
        matches!(self, Self::BinaryEvent | Self::BinaryAck)
    }
}

/// One socket.io packet, its payload still JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Packet {
    pub kind: Kind,
    pub nsp: String,
    pub id: Option<u64>,
    /// How many binary engine.io messages follow this one (binary kinds only).
    pub attachments: usize,
    pub data: Option<String>,
}

impl Packet {
    pub fn new(kind: Kind, nsp: &str) -> Self {
        Self {
            kind,
            nsp: nsp.to_owned(),
            id: None,
            attachments: 0,
            data: None,
        }
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        out.push(char::from(b'0' + self.kind as u8));
        if self.kind.is_binary() {
            let _ = write!(out, "{}-", self.attachments);
        }
        if self.nsp != "/" {
            out.push_str(&self.nsp);
            out.push(',');
        }
        if let Some(id) = self.id {
            let _ = write!(out, "{id}");
        }
        if let Some(data) = &self.data {
            out.push_str(data);
        }
        out
    }

    pub fn decode(text: &str) -> Result<Self, String> {
        let bad = |why: &str| format!("{why} in socket.io packet {text:?}");
        let kind = text
            .bytes()
            .next()
            .and_then(Kind::from_digit)
            .ok_or_else(|| bad("unknown type"))?;
        let mut rest = &text[1..];

        let mut attachments = 0;
        if kind.is_binary() {
            let (count, after) = rest
                .split_once('-')
                .ok_or_else(|| bad("no attachment count"))?;
            attachments = count.parse().map_err(|_| bad("bad attachment count"))?;
            rest = after;
        }

        let mut nsp = "/";
        if rest.starts_with('/') {
            (nsp, rest) = rest.split_once(',').unwrap_or((rest, ""));
        }

        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let id = match digits {
            0 => None,
            _ => Some(rest[..digits].parse().map_err(|_| bad("bad ack id"))?),
        };
        rest = &rest[digits..];

        Ok(Self {
            kind,
            nsp: nsp.to_owned(),
            id,
            attachments,
            data: (!rest.is_empty()).then(|| rest.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(kind: Kind, nsp: &str, id: Option<u64>, attachments: usize, data: &str) -> Packet {
        Packet {
            kind,
            nsp: nsp.to_owned(),
            id,
            attachments,
            data: (!data.is_empty()).then(|| data.to_owned()),
        }
    }

    /// The examples of the socket.io v5 protocol document, both ways.
    #[test]
    fn round_trips_the_protocol_examples() {
        let cases = [
            ("0", packet(Kind::Connect, "/", None, 0, "")),
            (
                "0/admin,{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}",
                packet(
                    Kind::Connect,
                    "/admin",
                    None,
                    0,
                    "{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}",
                ),
            ),
            (
                "4{\"message\":\"Not authorized\"}",
                packet(
                    Kind::ConnectError,
                    "/",
                    None,
                    0,
                    "{\"message\":\"Not authorized\"}",
                ),
            ),
            ("1/admin,", packet(Kind::Disconnect, "/admin", None, 0, "")),
            ("2[\"foo\"]", packet(Kind::Event, "/", None, 0, "[\"foo\"]")),
            (
                "2/admin,12[\"bar\"]",
                packet(Kind::Event, "/admin", Some(12), 0, "[\"bar\"]"),
            ),
            (
                "3/admin,13[]",
                packet(Kind::Ack, "/admin", Some(13), 0, "[]"),
            ),
            (
                "51-[\"baz\",{\"_placeholder\":true,\"num\":0}]",
                packet(
                    Kind::BinaryEvent,
                    "/",
                    None,
                    1,
                    "[\"baz\",{\"_placeholder\":true,\"num\":0}]",
                ),
            ),
            (
                "61-/admin,15[{\"_placeholder\":true,\"num\":0}]",
                packet(
                    Kind::BinaryAck,
                    "/admin",
                    Some(15),
                    1,
                    "[{\"_placeholder\":true,\"num\":0}]",
                ),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                Packet::decode(text).as_ref(),
                Ok(&expected),
                "decoding {text}"
            );
            assert_eq!(expected.encode(), text, "encoding {expected:?}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_packet() {
        for text in ["", "9", "5[\"no count\"]", "5x-[]"] {
            assert!(Packet::decode(text).is_err(), "{text:?} was accepted");
        }
    }
}
