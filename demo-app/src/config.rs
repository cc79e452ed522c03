//! The demo's configuration: `demo-app/demo.toml` (or the file `DEMO_CONFIG` names), then the
//! variables the demo has always read (`HOST`, `PORT`, `NOTIFY_PORT`, `REDIS_URL`,
//! `DATABASE_URL`, `JWT_SECRET`, `SOCKETIO_PARSER`), then the same names prefixed (`DEMO_NOTIFY_PORT`), each later source winning.

use gateway_core::config::{Configuration, Sources};
use gateway_core::prelude::*;
use gateway_core::{Parser, StartupError};
use validator::{Validate, ValidationError};

/// Every setting of the demo, with its default.
#[derive(Debug, Clone, Deserialize, Validate)]
#[serde(default)]
pub struct DemoConfig {
    /// The interface to listen on.
    #[validate(length(min = 1, message = "must not be empty"))]
    pub host: String,
    /// The main listener's port (`0`: a free one).
    pub port: u16,
    /// The notifications gateway's port (`0`: a free one).
    pub notify_port: u16,
    /// Scale out on this Redis (`redis://host:port`); in memory when unset or empty.
    pub redis_url: Option<String>,
    /// Scale out on this PostgreSQL (`postgres://user:password@host:port/db`) instead; setting
    /// it together with `redis_url` is a start-up error (one engine per deployment).
    pub database_url: Option<String>,
    /// The tokens' signing secret; unset: a random one per process. Never logged.
    #[validate(custom(function = "not_blank"))]
    pub jwt_secret: Option<String>,
    /// The socket.io parser of every port: `"default"` (JSON) or `"msgpack"`
    /// (`SOCKETIO_PARSER=msgpack`); every client must use the same.
    #[validate(custom(function = "known_parser"))]
    pub socketio_parser: Option<String>,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            host: "127.0.0.1".to_owned(),
            port: 3000,
            notify_port: crate::NOTIFY_PORT,
            redis_url: None,
            database_url: None,
            jwt_secret: None,
            socketio_parser: None,
        }
    }
}

fn not_blank(secret: &str) -> Result<(), ValidationError> {
    if secret.trim().is_empty() {
        let mut e = ValidationError::new("not_blank");
        e.message = Some(
            "must not be empty: an empty key would let anyone sign tokens; set a secret, or unset it for a random one"
                .into(),
        );
        return Err(e);
    }
    Ok(())
}

fn known_parser(name: &str) -> Result<(), ValidationError> {
    if Parser::from_name(name).is_none() {
        let mut e = ValidationError::new("parser");
        e.message = Some("must be \"default\" (JSON) or \"msgpack\"".into());
        return Err(e);
    }
    Ok(())
}

impl Configuration for DemoConfig {
    fn sources() -> Sources {
        let file = std::env::var("DEMO_CONFIG")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/demo.toml").to_owned());
        Sources::new()
            .file(&file)
            .env_vars(&[
                "HOST",
                "PORT",
                "NOTIFY_PORT",
                "REDIS_URL",
                "DATABASE_URL",
                "JWT_SECRET",
                "SOCKETIO_PARSER",
            ])
            .env_prefixed("DEMO_")
    }
}

impl DemoConfig {
    /// The Redis URL, when one is set and not empty.
    pub fn redis(&self) -> Option<&str> {
        self.redis_url.as_deref().filter(|u| !u.is_empty())
    }

    /// The PostgreSQL URL, when one is set and not empty.
    pub fn postgres(&self) -> Option<&str> {
        self.database_url.as_deref().filter(|u| !u.is_empty())
    }

    /// Where the nodes meet: in memory, Redis or PostgreSQL; an error when both URLs are set
    /// (which one would the other nodes use?).
    pub fn engine(&self) -> Result<crate::Engine<'_>, StartupError> {
        match (self.redis(), self.postgres()) {
            (None, None) => Ok(crate::Engine::Memory),
            (Some(url), None) => Ok(crate::Engine::Redis(url)),
            (None, Some(url)) => Ok(crate::Engine::Postgres(url)),
            (Some(_), Some(_)) => Err(StartupError::Config {
                key: "database_url".to_owned(),
                origin: "DATABASE_URL / database_url".to_owned(),
                rule: "cannot be set together with REDIS_URL (redis_url): the demo scales out \
                       on one engine; unset one of them"
                    .to_owned(),
            }),
        }
    }

    /// The parser every port is served with (the default, JSON, when unset).
    pub fn parser(&self) -> Parser {
        self.socketio_parser
            .as_deref()
            .and_then(Parser::from_name)
            .unwrap_or_default()
    }
}
