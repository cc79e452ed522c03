//! Describing the API from the gateways: JSON Schemas of every payload (from the Rust types,
//! with `schemars`), an AsyncAPI 3.0 document of the whole application, and TypeScript event
//! maps for socket.io-client.
//!
//! ```
//! use gateway_core::prelude::*;
//!
//! #[derive(Deserialize, JsonSchema)]
//! struct Ping { n: u32 }
//!
//! #[derive(Serialize, JsonSchema, Event)]
//! #[event("pong")]
//! struct Pong { n: u32 }
//!
//! #[injectable]
//! struct PingGateway;
//!
//! #[web_socket_gateway(namespace = "/ping", emits = [Pong])]
//! impl PingGateway {
//!     #[subscribe_message("ping")]
//!     fn ping(&self, #[connected_socket] socket: SocketRef, #[message_body] p: Ping) {
//!         socket.emit_event(&Pong { n: p.n }).ok();
//!     }
//! }
//!
//! #[module(providers = [PingGateway])]
//! struct AppModule;
//!
//! let api = GatewayApplication::describe::<AppModule>().title("Ping").server("127.0.0.1", 3000);
//! let doc = api.asyncapi();
//! assert_eq!(doc["channels"]["ping"]["address"], "/ping");
//! let ts = api.typescript();
//! assert!(ts[0].contents.contains("pong: (payload: Pong) => void;"));
//! ```

mod asyncapi;
pub(crate) mod schema;
mod typescript;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

pub use typescript::TypeScriptFile;

use crate::gateway::GatewayMeta;
use crate::socket::NamespaceSpec;

/// The API of a set of gateways, to write down as an AsyncAPI 3.0 document
/// ([`asyncapi`](Self::asyncapi)) or as TypeScript event maps
/// ([`typescript`](Self::typescript)). Get the application's with
/// [`GatewayApplication::describe`](crate::GatewayApplication::describe).
#[derive(Debug, Clone)]
pub struct ApiDescription {
    gateways: Vec<&'static GatewayMeta>,
    title: String,
    version: String,
    description: Option<String>,
    host: String,
    port: u16,
    ports: BTreeMap<u16, u16>,
}

impl ApiDescription {
    /// The API of these gateways (`MyGateway::meta()`), titled "API", version 1.0.0, served on
    /// `localhost:3000`.
    pub fn new(gateways: impl IntoIterator<Item = &'static GatewayMeta>) -> Self {
        let mut gateways: Vec<_> = gateways.into_iter().collect();
        gateways.sort_by_key(|g| (g.port, g.namespace.display(), g.name));
        ApiDescription {
            gateways,
            title: "API".to_owned(),
            version: "1.0.0".to_owned(),
            description: None,
            host: "localhost".to_owned(),
            port: 3000,
            ports: BTreeMap::new(),
        }
    }

    /// The document's title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// The API's version (not AsyncAPI's).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// A description of the whole API.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Where the application listens: its main listener's host and port (gateways with a
    /// `port` of their own are on the same host).
    pub fn server(mut self, host: impl Into<String>, port: u16) -> Self {
        self.host = host.into();
        self.port = port;
        self
    }

    /// The gateways declared with `port = declared` are served on `actual`, as with
    /// [`GatewayApplication::map_port`](crate::GatewayApplication::map_port).
    pub fn map_port(mut self, declared: u16, actual: u16) -> Self {
        self.ports.insert(declared, actual);
        self
    }

    /// The AsyncAPI 3.0 document: one channel per namespace and port, a `receive` operation
    /// per handler (its ack as the reply), a `send` operation per declared event and for
    /// `exception`, a server per listener, every named type under `components.schemas`.
    pub fn asyncapi(&self) -> serde_json::Value {
        asyncapi::document(self, &self.channels())
    }

    /// [`asyncapi`](Self::asyncapi), as indented JSON.
    pub fn asyncapi_json(&self) -> String {
        // A `Value` always serializes.
        serde_json::to_string_pretty(&self.asyncapi()).unwrap_or_default() + "\n"
    }

    /// One TypeScript declaration file per namespace, with `ServerToClientEvents`,
    /// `ClientToServerEvents` and the payload types, for
    /// `io<ServerToClientEvents, ClientToServerEvents>(url + "/chat")`.
    pub fn typescript(&self) -> Vec<TypeScriptFile> {
        self.channels().iter().map(typescript::file).collect()
    }

    /// Writes [`typescript`](Self::typescript)'s files into `dir` (created if missing) and
    /// returns their paths.
    pub fn write_typescript(&self, dir: impl AsRef<Path>) -> io::Result<Vec<PathBuf>> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)?;
        self.typescript()
            .into_iter()
            .map(|f| {
                let path = dir.join(&f.file_name);
                std::fs::write(&path, f.contents)?;
                Ok(path)
            })
            .collect()
    }

    /// An axum router serving the document at `GET /asyncapi.json`, to mount with
    /// [`with_routes`](crate::GatewayApplication::with_routes). The document is made once, here.
    pub fn router(&self) -> axum::Router {
        let doc = self.asyncapi_json();
        axum::Router::new().route(
            "/asyncapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { ([(http::header::CONTENT_TYPE, "application/json")], doc) }
            }),
        )
    }

    /// The port a gateway is served on: `None` for the main listener.
    fn port_of(&self, gateway: &GatewayMeta) -> Option<u16> {
        gateway
            .port
            .map(|p| self.ports.get(&p).copied().unwrap_or(p))
    }

    /// The gateways grouped by port and namespace, each group with a unique key.
    fn channels(&self) -> Vec<Channel> {
        let mut channels: Vec<Channel> = Vec::new();
        for &g in &self.gateways {
            let port = self.port_of(g);
            match channels
                .iter_mut()
                .find(|c| c.port == port && c.namespace.display() == g.namespace.display())
            {
                Some(c) => c.gateways.push(g),
                None => channels.push(Channel {
                    key: String::new(),
                    port,
                    namespace: &g.namespace,
                    gateways: vec![g],
                }),
            }
        }
        let base: Vec<String> = channels.iter().map(|c| key_of(c.namespace)).collect();
        for (i, c) in channels.iter_mut().enumerate() {
            let shared = base.iter().filter(|b| **b == base[i]).count() > 1;
            c.key = match (shared, c.port) {
                (true, Some(p)) => format!("{}-{p}", base[i]),
                (true, None) => format!("{}-{i}", base[i]),
                _ => base[i].clone(),
            };
        }
        channels
    }
}

/// The gateways on one namespace of one port.
pub(crate) struct Channel {
    /// Unique in the document: `chat`, `teams-team`, `main` for `/`.
    key: String,
    /// `None`: the main listener.
    port: Option<u16>,
    namespace: &'static NamespaceSpec,
    gateways: Vec<&'static GatewayMeta>,
}

impl Channel {
    /// The namespace as clients connect to it (a pattern keeps its `{param}`s); `None` for a
    /// regular expression.
    fn address(&self) -> Option<String> {
        match self.namespace {
            NamespaceSpec::Static(s) | NamespaceSpec::Pattern(s) => {
                Some(crate::socket::namespace::normalize(s))
            }
            NamespaceSpec::Regex(_) => None,
        }
    }

    /// The `{param}`s of a pattern namespace.
    fn params(&self) -> Vec<&'static str> {
        let NamespaceSpec::Pattern(s) = self.namespace else {
            return Vec::new();
        };
        s.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect()
    }

    fn gateway_names(&self) -> String {
        let names: Vec<&str> = self.gateways.iter().map(|g| g.name).collect();
        names.join(", ")
    }
}

/// A name made of the namespace's words: `/chat` is `chat`, `/teams/{team}` `teams-team`,
/// `/` `main`.
fn key_of(ns: &NamespaceSpec) -> String {
    let text = match ns {
        NamespaceSpec::Static(s) | NamespaceSpec::Pattern(s) => *s,
        NamespaceSpec::Regex(_) => "regex",
    };
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    if words.is_empty() {
        "main".to_owned()
    } else {
        words.join("-")
    }
}

/// An event name as a key of the document: `chat/send` is `chat.send` (AsyncAPI keys are
/// `[A-Za-z0-9_.-]`).
fn event_key(event: &str) -> String {
    event
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-' | '.' => c,
            '/' => '.',
            _ => '_',
        })
        .collect()
}
