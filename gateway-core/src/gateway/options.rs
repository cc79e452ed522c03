//! socket.io server options as `#[web_socket_gateway(...)]` states them, and how the gateways
//! of one port agree on them.

use std::time::Duration;

use socketioxide::{ParserConfig, SocketIoBuilder, TransportType};

/// socket.io's default `maxHttpBufferSize`, 1 MB.
pub const DEFAULT_MAX_PAYLOAD: u64 = 1_000_000;

/// The read buffer of each websocket, bytes.
const WS_READ_BUFFER: usize = 1024;

/// The socket.io server options NestJS passes through (`path`, `transports`, `pingInterval`,
/// `pingTimeout`, `connectTimeout`, `maxHttpBufferSize`, `cors`). `None`: no preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServerOptions {
    /// The HTTP path of the socket.io endpoint (default `/socket.io`).
    pub path: Option<&'static str>,
    /// Allowed transports.
    pub transports: Option<&'static [Transport]>,
    /// Heartbeat interval, ms.
    pub ping_interval: Option<u64>,
    /// Heartbeat timeout, ms.
    pub ping_timeout: Option<u64>,
    /// How long a client has to join a namespace after the handshake, ms.
    pub connect_timeout: Option<u64>,
    /// The largest packet accepted, bytes, on either transport (default 1 MB, as socket.io).
    pub max_payload: Option<u64>,
    /// CORS.
    pub cors: Option<CorsOptions>,
    /// How packets are encoded on the wire (`parser = "msgpack"`).
    pub parser: Option<Parser>,
}

/// The socket.io parser of a server: how packets are encoded on the wire. A client must use
/// the same one (socket.io-client's `parser` option, `socket.io-msgpack-parser` for msgpack).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Parser {
    /// socket.io's default: JSON text, binary data as separate attachments.
    #[default]
    Default,
    /// MessagePack (`socket.io-msgpack-parser`): one binary frame per packet.
    Msgpack,
}

impl Parser {
    /// The parser a name gives: `"default"` (or `"json"`) and `"msgpack"`, any case; `None`
    /// for another name (what `SOCKETIO_PARSER` is read with).
    pub fn from_name(name: &str) -> Option<Parser> {
        match name.trim().to_ascii_lowercase().as_str() {
            "default" | "json" => Some(Parser::Default),
            "msgpack" => Some(Parser::Msgpack),
            _ => None,
        }
    }
}

/// A transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// HTTP long-polling.
    Polling,
    /// WebSocket.
    Websocket,
}

/// `cors(origin = ..., credentials = ..., methods = [...])`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorsOptions {
    /// Allowed origins.
    pub origins: Origins,
    /// `Access-Control-Allow-Credentials`.
    pub credentials: bool,
    /// Allowed methods (default GET, POST).
    pub methods: Option<&'static [&'static str]>,
}

/// Which origins may connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origins {
    /// `origin = "*"`: any.
    Any,
    /// `origin = ["https://a.example", ...]`: these only; any other `Origin` header is refused.
    List(&'static [&'static str]),
}

impl Origins {
    /// Whether a request with this `Origin` header may connect (no header: not a browser, allowed).
    pub fn allows(&self, origin: Option<&str>) -> bool {
        match (self, origin) {
            (Origins::Any, _) | (_, None) => true,
            (Origins::List(list), Some(o)) => list.contains(&o),
        }
    }
}

impl ServerOptions {
    /// No preference on anything: what a gateway that sets no option has.
    pub const DEFAULT: ServerOptions = ServerOptions {
        path: None,
        transports: None,
        ping_interval: None,
        ping_timeout: None,
        connect_timeout: None,
        max_payload: None,
        cors: None,
        parser: None,
    };

    /// Merges `other` into `self`. An option both set to different values is a conflict, named
    /// in the error.
    pub fn merge(&mut self, other: &ServerOptions) -> Result<(), String> {
        fn one<T: PartialEq + Copy + std::fmt::Debug>(
            name: &str,
            mine: &mut Option<T>,
            theirs: Option<T>,
        ) -> Result<(), String> {
            match (*mine, theirs) {
                (Some(a), Some(b)) if a != b => Err(format!("{name}: {a:?} vs {b:?}")),
                (None, Some(b)) => {
                    *mine = Some(b);
                    Ok(())
                }
                _ => Ok(()),
            }
        }
        one("path", &mut self.path, other.path)?;
        one("transports", &mut self.transports, other.transports)?;
        one(
            "ping_interval",
            &mut self.ping_interval,
            other.ping_interval,
        )?;
        one("ping_timeout", &mut self.ping_timeout, other.ping_timeout)?;
        one(
            "connect_timeout",
            &mut self.connect_timeout,
            other.connect_timeout,
        )?;
        one("max_payload", &mut self.max_payload, other.max_payload)?;
        one("cors", &mut self.cors, other.cors)?;
        one("parser", &mut self.parser, other.parser)
    }

    /// Applies the options to a socketioxide builder.
    pub fn apply<A: socketioxide::adapter::Adapter>(
        &self,
        mut b: SocketIoBuilder<A>,
    ) -> SocketIoBuilder<A> {
        if let Some(path) = self.path {
            b = b.req_path(path);
        }
        if let Some(t) = self.transports {
            let has = |x| t.contains(&x);
            b = match (has(Transport::Polling), has(Transport::Websocket)) {
                (true, false) => b.transports([TransportType::Polling]),
                (false, true) => b.transports([TransportType::Websocket]),
                _ => b.transports([TransportType::Polling, TransportType::Websocket]),
            };
        }
        if let Some(ms) = self.ping_interval {
            b = b.ping_interval(Duration::from_millis(ms));
        }
        if let Some(ms) = self.ping_timeout {
            b = b.ping_timeout(Duration::from_millis(ms));
        }
        if let Some(ms) = self.connect_timeout {
            b = b.connect_timeout(Duration::from_millis(ms));
        }
        // socket.io's maxHttpBufferSize: 1 MB by default, on both transports (socketioxide's
        // own default is 100 kB, which would refuse messages a NestJS server accepts). The
        // websocket frame limit follows it: left at its 16 MB default, a client could make the
        // server read 16 MB frames before the message limit refuses them.
        if self.parser == Some(Parser::Msgpack) {
            b = b.with_parser(ParserConfig::msgpack());
        }
        let bytes = self.max_payload.unwrap_or(DEFAULT_MAX_PAYLOAD);
        let ws_bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
        // Each websocket reads into a buffer of this size, kept for the connection's life:
        // 1 KiB instead of socketioxide's 4 KiB saves 3 KB per idle connection (29.1 -> 26.1 KB
        // at 10k, bench `idle-10k`); a larger message grows it as it needs.
        b.max_payload(bytes)
            .ws_max_message_size(ws_bytes)
            .ws_max_frame_size(ws_bytes)
            .ws_read_buffer_size(WS_READ_BUFFER)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_fills_gaps_and_names_conflicts() {
        let mut a = ServerOptions {
            ping_interval: Some(1000),
            ..Default::default()
        };
        a.merge(&ServerOptions {
            path: Some("/ws"),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(a.path, Some("/ws"));
        let err = a.merge(&ServerOptions {
            ping_interval: Some(2000),
            ..Default::default()
        });
        assert_eq!(err.unwrap_err(), "ping_interval: 1000 vs 2000");
        let err = a.merge(&ServerOptions {
            parser: Some(Parser::Msgpack),
            ..Default::default()
        });
        assert!(err.is_ok());
        let err = a.merge(&ServerOptions {
            parser: Some(Parser::Default),
            ..Default::default()
        });
        assert_eq!(err.unwrap_err(), "parser: Msgpack vs Default");
    }

    #[test]
    fn origins() {
        let list = Origins::List(&["http://a.test"]);
        assert!(list.allows(Some("http://a.test")));
        assert!(!list.allows(Some("http://evil.test")));
        assert!(list.allows(None));
        assert!(Origins::Any.allows(Some("http://evil.test")));
    }
}
