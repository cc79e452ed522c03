//! The bytes on the wire, without any JSON: WebSocket frames (RFC 6455), engine.io v4 packets
//! and socket.io v5 packets, as the load generator writes and recognises them.
//!
//! Client frames must be masked; this generator masks with the key `0, 0, 0, 0`, which leaves the
//! payload as it is, so a whole frame can be encoded once and written as it is for every message.

/// WebSocket opcode: continuation frame.
pub const OP_CONTINUATION: u8 = 0x0;
/// WebSocket opcode: text frame.
pub const OP_TEXT: u8 = 0x1;
/// WebSocket opcode: binary frame.
pub const OP_BINARY: u8 = 0x2;
/// WebSocket opcode: close.
pub const OP_CLOSE: u8 = 0x8;
/// WebSocket opcode: ping.
pub const OP_PING: u8 = 0x9;
/// WebSocket opcode: pong.
pub const OP_PONG: u8 = 0xA;

/// The engine.io ping the server sends (`2`), answered by [`EIO_PONG`].
pub const EIO_PING: &[u8] = b"2";
/// The engine.io pong (`3`).
pub const EIO_PONG: &[u8] = b"3";

/// A client frame (FIN set, masked with a zero key) carrying `payload`.
pub fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let len = payload.len();
    let mut out = Vec::with_capacity(len + 14);
    out.push(0x80 | (opcode & 0x0f));
    if len < 126 {
        out.push(0x80 | len as u8);
    } else if len <= u16::MAX as usize {
        out.push(0x80 | 126);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0x80 | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(payload);
    out
}

/// A client text frame.
pub fn text_frame(payload: &[u8]) -> Vec<u8> {
    client_frame(OP_TEXT, payload)
}

/// The header of a frame the server sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// Last frame of the message.
    pub fin: bool,
    /// The opcode.
    pub opcode: u8,
    /// Bytes before the payload.
    pub header_len: usize,
    /// Bytes of payload.
    pub payload_len: usize,
}

/// Why a frame cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// The server masked its frame, which RFC 6455 forbids.
    Masked,
    /// A length that does not fit in memory.
    TooLong,
}

/// Parses the header of the server frame at the start of `buf`: `Ok(None)` when more bytes are
/// needed (for the header or the payload).
pub fn parse_server_frame(buf: &[u8]) -> Result<Option<FrameHeader>, FrameError> {
    if buf.len() < 2 {
        return Ok(None);
    }
    let (b0, b1) = (buf[0], buf[1]);
    if b1 & 0x80 != 0 {
        return Err(FrameError::Masked);
    }
    let (header_len, payload_len) = match b1 & 0x7f {
        126 => {
            if buf.len() < 4 {
                return Ok(None);
            }
            (4, u16::from_be_bytes([buf[2], buf[3]]) as usize)
        }
        127 => {
            if buf.len() < 10 {
                return Ok(None);
            }
            let mut n = [0u8; 8];
            n.copy_from_slice(&buf[2..10]);
            let n = u64::from_be_bytes(n);
            (10, usize::try_from(n).map_err(|_| FrameError::TooLong)?)
        }
        n => (2, n as usize),
    };
    if buf.len() < header_len + payload_len {
        return Ok(None);
    }
    Ok(Some(FrameHeader {
        fin: b0 & 0x80 != 0,
        opcode: b0 & 0x0f,
        header_len,
        payload_len,
    }))
}

/// The HTTP request that opens an engine.io v4 WebSocket, with no polling first.
pub fn upgrade_request(host: &str) -> Vec<u8> {
    format!(
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n\
         Host: {host}\r\n\
         Upgrade: websocket\r\n\
         Connection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    )
    .into_bytes()
}

/// Where the HTTP response head ends (after `\r\n\r\n`), if it has arrived.
pub fn http_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// The socket.io CONNECT packet for namespace `ns` (`40`, or `40/chat,`).
pub fn sio_connect(ns: &str) -> Vec<u8> {
    if ns == "/" {
        b"40".to_vec()
    } else {
        format!("40{ns},").into_bytes()
    }
}

/// Whether `msg` is the server's answer to CONNECT on `ns`: `Ok(true)` for `40{"sid":...}`,
/// `Err` for `44` (refused).
pub fn sio_connect_reply(ns: &str, msg: &[u8]) -> Result<bool, String> {
    let rest = |prefix: &[u8]| -> Option<Vec<u8>> {
        let tail = msg.strip_prefix(prefix)?;
        if ns == "/" {
            Some(tail.to_vec())
        } else {
            let ns_part = format!("{ns},");
            tail.strip_prefix(ns_part.as_bytes()).map(<[u8]>::to_vec)
        }
    };
    if let Some(t) = rest(b"40")
        && t.starts_with(b"{")
    {
        return Ok(true);
    }
    if let Some(t) = rest(b"44") {
        return Err(format!(
            "connection refused: {}",
            String::from_utf8_lossy(&t)
        ));
    }
    Ok(false)
}

/// A socket.io EVENT packet on `/`: `42["event",data]`, or `42<id>["event",data]` to ask for
/// an ack. `data_json` is written as it is.
pub fn sio_event(event: &str, data_json: &str, ack_id: Option<u64>) -> Vec<u8> {
    sio_event_ns("/", event, data_json, ack_id)
}

/// A socket.io EVENT packet on namespace `ns`: on `/` as [`sio_event`], elsewhere with the
/// namespace before the ack id, `42/ten,1["event",data]`.
pub fn sio_event_ns(ns: &str, event: &str, data_json: &str, ack_id: Option<u64>) -> Vec<u8> {
    let id = ack_id.map(|i| i.to_string()).unwrap_or_default();
    format!("42{}{id}[\"{event}\",{data_json}]", ns_part(ns)).into_bytes()
}

/// The prefix of an EVENT packet for `event` on `/`: `42["event",`.
pub fn sio_event_prefix(event: &str) -> Vec<u8> {
    format!("42[\"{event}\",").into_bytes()
}

/// The prefix of the ACK packet answering ack id `id` on `/`: `43<id>[`.
pub fn sio_ack_prefix(id: u64) -> Vec<u8> {
    sio_ack_prefix_ns("/", id)
}

/// The prefix of the ACK packet answering ack id `id` on `ns`: `43/ten,<id>[`.
pub fn sio_ack_prefix_ns(ns: &str, id: u64) -> Vec<u8> {
    format!("43{}{id}[", ns_part(ns)).into_bytes()
}

/// The prefix of every ACK packet on `ns`, before the ack id: `43`, or `43/ten,`.
pub fn sio_ack_any_prefix_ns(ns: &str) -> Vec<u8> {
    format!("43{}", ns_part(ns)).into_bytes()
}

/// What a packet carries between its type and its ack id: nothing on `/`, `/ten,` elsewhere.
fn ns_part(ns: &str) -> String {
    if ns == "/" {
        String::new()
    } else {
        format!("{ns},")
    }
}

/// The unsigned integer that follows `key` (e.g. `"t":`) in `msg`, found by scanning bytes.
pub fn scan_u64(msg: &[u8], key: &[u8]) -> Option<u64> {
    let at = msg.windows(key.len()).position(|w| w == key)? + key.len();
    leading_u64(&msg[at..])
}

/// The unsigned integer `msg` starts with (e.g. the ack id after `43/ns,`).
pub fn leading_u64(msg: &[u8]) -> Option<u64> {
    let mut n: u64 = 0;
    let mut seen = false;
    for &b in msg {
        if b.is_ascii_digit() {
            n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            seen = true;
        } else {
            break;
        }
    }
    seen.then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frames_are_masked_with_a_zero_key() {
        let f = text_frame(b"40");
        assert_eq!(f, vec![0x81, 0x82, 0, 0, 0, 0, b'4', b'0']);
        let long = vec![b'x'; 300];
        let f = text_frame(&long);
        assert_eq!(&f[..4], &[0x81, 0x80 | 126, 0x01, 0x2c]);
        assert_eq!(&f[4..8], &[0, 0, 0, 0]);
        assert_eq!(f.len(), 8 + 300);
        let huge = vec![b'x'; 70_000];
        let f = client_frame(OP_BINARY, &huge);
        assert_eq!(f[1], 0x80 | 127);
        assert_eq!(f.len(), 14 + 70_000);
    }

    #[test]
    fn server_frames_parse_incrementally() {
        // An unmasked text frame "42[\"echo\",1]".
        let payload = b"42[\"echo\",1]";
        let mut frame = vec![0x81, payload.len() as u8];
        frame.extend_from_slice(payload);
        for cut in 0..frame.len() {
            assert_eq!(parse_server_frame(&frame[..cut]), Ok(None), "cut at {cut}");
        }
        let h = parse_server_frame(&frame).unwrap().unwrap();
        assert_eq!(
            h,
            FrameHeader {
                fin: true,
                opcode: OP_TEXT,
                header_len: 2,
                payload_len: payload.len()
            }
        );
        // 16-bit length, not final.
        let mut frame = vec![0x01, 126, 0x01, 0x00];
        frame.extend(std::iter::repeat_n(b'a', 256));
        let h = parse_server_frame(&frame).unwrap().unwrap();
        assert_eq!((h.fin, h.header_len, h.payload_len), (false, 4, 256));
        // 64-bit length.
        let mut frame = vec![0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0];
        frame.extend(std::iter::repeat_n(0u8, 65536));
        let h = parse_server_frame(&frame).unwrap().unwrap();
        assert_eq!(
            (h.opcode, h.header_len, h.payload_len),
            (OP_BINARY, 10, 65536)
        );
        assert_eq!(parse_server_frame(&[0x81, 0x81]), Err(FrameError::Masked));
    }

    #[test]
    fn socket_io_packets() {
        assert_eq!(sio_connect("/"), b"40");
        assert_eq!(sio_connect("/chat"), b"40/chat,");
        assert_eq!(sio_connect_reply("/", br#"40{"sid":"abc"}"#), Ok(true));
        assert_eq!(
            sio_connect_reply("/chat", br#"40/chat,{"sid":"abc"}"#),
            Ok(true)
        );
        assert_eq!(sio_connect_reply("/", br#"42["x"]"#), Ok(false));
        assert!(sio_connect_reply("/", br#"44{"message":"no"}"#).is_err());
        assert_eq!(
            sio_event("echo", r#"{"n":1}"#, None),
            br#"42["echo",{"n":1}]"#
        );
        assert_eq!(
            sio_event("echo-ack", r#"{"n":1}"#, Some(1)),
            br#"421["echo-ack",{"n":1}]"#
        );
        assert_eq!(sio_event_prefix("echo"), br#"42["echo","#);
        assert_eq!(sio_ack_prefix(1), b"431[");
        assert_eq!(
            sio_event_ns("/ten", "e0", r#"{"n":1}"#, Some(7)),
            br#"42/ten,7["e0",{"n":1}]"#
        );
        assert_eq!(sio_event_ns("/ten", "e0", "1", None), br#"42/ten,["e0",1]"#);
        assert_eq!(sio_ack_prefix_ns("/ten", 7), b"43/ten,7[");
        assert_eq!(sio_ack_any_prefix_ns("/ordered"), b"43/ordered,");
        assert_eq!(sio_ack_any_prefix_ns("/"), b"43");
    }

    #[test]
    fn numbers_are_scanned_without_json() {
        let msg = br#"42["fanout",{"s":3,"t":1234567}]"#;
        assert_eq!(scan_u64(msg, b"\"s\":"), Some(3));
        assert_eq!(scan_u64(msg, b"\"t\":"), Some(1234567));
        assert_eq!(scan_u64(msg, b"\"x\":"), None);
        assert_eq!(scan_u64(br#"{"t":}"#, b"\"t\":"), None);
        assert_eq!(leading_u64(b"417[{}]"), Some(417));
        assert_eq!(leading_u64(b"[1]"), None);
    }

    #[test]
    fn http_head() {
        let r = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x01x";
        let end = http_head_end(r).unwrap();
        assert_eq!(&r[end..], b"\x81\x01x");
        assert_eq!(http_head_end(b"HTTP/1.1 101\r\n"), None);
        let req = String::from_utf8(upgrade_request("127.0.0.1:1")).unwrap();
        assert!(req.starts_with("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"));
        assert!(req.ends_with("\r\n\r\n"));
    }
}
