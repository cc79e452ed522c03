//! Acks the server asks of its clients (`emit_with_ack`): one socket's answer, typed, or the
//! reason it did not come ([`AckResponse`]), whatever the adapter and the parser.

use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use serde::de::DeserializeOwned;
use socketioxide::AckError;

use super::{EmitError, Sid};

/// A client's answer before it is typed. Kept self-describing (binary data stays binary), so
/// that the adapter-erased layer need not know the caller's type: socketioxide decodes it with
/// the socket's parser (JSON or msgpack), then [`typed`] turns it into the caller's `T`.
pub(crate) type RawAnswer = rmpv::Value;

/// The answer of one socket, still raw.
pub(crate) type AnswerFuture = BoxFuture<'static, Result<RawAnswer, AckError>>;

/// The answers of many sockets (of every node, with a remote adapter), as they come.
pub(crate) type AnswerStream = BoxStream<'static, (Sid, Result<RawAnswer, AckError>)>;

/// How long the sockets have to answer, and whether the message may be dropped.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EmitFlags {
    /// The ack's deadline; socketioxide's `ack_timeout` (5 s) when `None`.
    pub(crate) timeout: Option<Duration>,
    /// Dropped, rather than queued, when the client is not ready to receive it.
    pub(crate) volatile: bool,
}

/// One socket's answer to an emit with an ack sent to many sockets (a room, a namespace, the
/// server): the socket, and the answer decoded as `T` or why there is none.
///
/// A socket that does not answer before the timeout is reported with
/// [`EmitError::AckTimeout`], one whose answer does not decode as `T` with
/// [`EmitError::AckDecode`], one that left meanwhile with [`EmitError::Closed`]: every
/// targeted socket gets one response, none is dropped silently. With a remote adapter, the
/// sockets of a node that does not answer at all (Redis down) are not known, so not listed.
#[derive(Debug, Clone, PartialEq)]
pub struct AckResponse<T> {
    /// The socket that was asked.
    pub socket: Sid,
    /// Its answer (the first argument of the client's ack callback), or why there is none.
    pub result: Result<T, EmitError>,
}

impl<T> AckResponse<T> {
    /// The answer, if the socket gave one that fits `T`.
    pub fn answer(&self) -> Option<&T> {
        self.result.as_ref().ok()
    }

    /// Whether the socket did not answer in time.
    pub fn timed_out(&self) -> bool {
        matches!(self.result, Err(EmitError::AckTimeout))
    }
}

impl From<AckError> for EmitError {
    fn from(e: AckError) -> Self {
        match e {
            AckError::Timeout => EmitError::AckTimeout,
            AckError::Decode(e) => EmitError::AckDecode(e.to_string()),
            AckError::Socket(e) => e.into(),
        }
    }
}

impl From<socketioxide::EmitWithAckError> for EmitError {
    fn from(e: socketioxide::EmitWithAckError) -> Self {
        match e {
            socketioxide::EmitWithAckError::Encode(e) => EmitError::Serialize(e.to_string()),
            socketioxide::EmitWithAckError::Adapter(e) => EmitError::Adapter(e.to_string()),
        }
    }
}

/// A raw answer as the caller's type.
pub(crate) fn typed<T: DeserializeOwned>(
    answer: Result<RawAnswer, AckError>,
) -> Result<T, EmitError> {
    let raw = answer.map_err(EmitError::from)?;
    rmpv::ext::from_value(raw).map_err(|e| EmitError::AckDecode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Confirm {
        ok: bool,
        bytes: serde_bytes_like::Buf,
    }

    mod serde_bytes_like {
        /// Bytes read as serde bytes (what socketioxide gives for an attachment).
        #[derive(Debug, PartialEq)]
        pub struct Buf(pub Vec<u8>);
        impl<'de> serde::Deserialize<'de> for Buf {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = Buf;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("bytes")
                    }
                    fn visit_bytes<E>(self, v: &[u8]) -> Result<Buf, E> {
                        Ok(Buf(v.to_vec()))
                    }
                }
                d.deserialize_byte_buf(V)
            }
        }
    }

    #[test]
    fn answers_are_typed_after_capture_binary_included() {
        let raw = RawAnswer::Map(vec![
            (RawAnswer::from("ok"), RawAnswer::from(true)),
            (RawAnswer::from("bytes"), RawAnswer::Binary(vec![0, 1, 2])),
        ]);
        let confirm: Confirm = typed(Ok(raw)).unwrap();
        assert_eq!(
            confirm,
            Confirm {
                ok: true,
                bytes: serde_bytes_like::Buf(vec![0, 1, 2])
            }
        );
    }

    #[test]
    fn each_failure_has_its_error() {
        assert_eq!(
            typed::<bool>(Err(AckError::Timeout)),
            Err(EmitError::AckTimeout)
        );
        assert!(matches!(
            typed::<bool>(Ok(RawAnswer::from("no"))),
            Err(EmitError::AckDecode(_))
        ));
        assert_eq!(
            typed::<bool>(Err(AckError::Socket(socketioxide::SocketError::Closed))),
            Err(EmitError::Closed)
        );
    }
}
