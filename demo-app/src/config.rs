//! The demo's configuration: `demo-app/demo.toml` (or the file `DEMO_CONFIG` names), then the
//! variables the demo has always read (`HOST`, `PORT`, `NOTIFY_PORT`, `REDIS_URL`,
//! `JWT_SECRET`, `SOCKETIO_PARSER`), then the same names prefixed (`DEMO_NOTIFY_PORT`), each later source winning.

use gateway_core::Parser;
use gateway_core::config::{Configuration, Sources};
use gateway_core::prelude::*;
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

    /// The parser every port is served with (the default, JSON, when unset).
    pub fn parser(&self) -> Parser {
        self.socketio_parser
            .as_deref()
            .and_then(Parser::from_name)
            .unwrap_or_default()
    }
}
