//! Typed configuration, NestJS's `ConfigModule`: a `#[derive(Deserialize, Validate)]` struct
//! loaded once at start-up from its serde defaults, an optional TOML file and environment
//! variables (layered with figment, later sources winning), validated, and injected as the
//! provider [`Config<T>`].
//!
//! A value that is missing, of the wrong type or against a `validator` rule stops start-up with
//! one message naming the key, where its value came from and the rule it broke; values are
//! never printed, so a secret cannot end up in a log.

use std::sync::Arc;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::de::DeserializeOwned;

use crate::di::{Dependency, Injectable, Resolver};
use crate::error::StartupError;

/// A configuration struct: where it is read from. Implement it, then list `Config<Self>` in a
/// module's providers (and exports) and inject `Arc<Config<Self>>`.
///
/// ```
/// use gateway_core::config::{Config, Configuration, Sources};
/// use gateway_core::prelude::*;
///
/// #[derive(Debug, Deserialize, validator::Validate)]
/// #[serde(default)]
/// struct AppConfig {
///     #[validate(range(min = 1))]
///     port: u16,
///     redis: Option<String>,
/// }
///
/// impl Default for AppConfig {
///     fn default() -> Self {
///         AppConfig { port: 3000, redis: None }
///     }
/// }
///
/// impl Configuration for AppConfig {
///     fn sources() -> Sources {
///         Sources::new().file("app.toml").env_prefixed("APP_")
///     }
/// }
///
/// #[injectable]
/// struct Ports {
///     config: Arc<Config<AppConfig>>,
/// }
///
/// #[module(providers = [Config<AppConfig>, Ports])]
/// struct AppModule;
/// ```
pub trait Configuration: DeserializeOwned + validator::Validate + Send + Sync + 'static {
    /// Where the values come from, in increasing priority (after the struct's serde defaults).
    fn sources() -> Sources;
}

/// The sources of a [`Configuration`], each later one overriding the earlier ones.
///
/// ```
/// use gateway_core::config::Sources;
///
/// let sources = Sources::new()
///     .file("demo.toml")              // optional: skipped when missing
///     .env_prefixed("DEMO_")          // DEMO_REDIS__URL sets `redis.url`
///     .env_vars(&["PORT", "JWT_SECRET"]); // PORT sets `port`
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Sources {
    figment: Figment,
    /// Each source alone, to say which one set a key.
    layers: Vec<Layer>,
}

/// One source, and how to name where a key of it came from.
#[derive(Debug, Clone)]
struct Layer {
    figment: Figment,
    origin: Origin,
}

#[derive(Debug, Clone)]
enum Origin {
    File(String),
    /// Variables `PREFIX` + the key in capitals, `__` between nested keys.
    Prefixed(String),
    /// The key in capitals.
    Raw,
}

impl Origin {
    fn describe(&self, key: &str) -> String {
        match self {
            Origin::File(path) => format!("file {path}"),
            Origin::Prefixed(prefix) => format!(
                "environment variable {prefix}{}",
                key.replace('.', "__").to_ascii_uppercase()
            ),
            Origin::Raw => format!("environment variable {}", key.to_ascii_uppercase()),
        }
    }
}

impl Sources {
    /// No source: only the struct's serde defaults.
    pub fn new() -> Self {
        Sources::default()
    }

    /// A TOML file, relative to the working directory. A missing file is skipped (it is the
    /// optional layer); a file that does not parse stops start-up.
    pub fn file(self, path: &str) -> Self {
        self.layer(
            Figment::from(Toml::file(path)),
            Origin::File(path.to_owned()),
        )
    }

    fn layer(mut self, layer: Figment, origin: Origin) -> Self {
        self.figment = self.figment.merge(layer.clone());
        self.layers.push(Layer {
            figment: layer,
            origin,
        });
        self
    }

    /// Environment variables starting with `prefix`: the rest of the name, lowercased, is the
    /// key, and `__` separates nested keys (`APP_REDIS__URL` sets `redis.url`).
    pub fn env_prefixed(self, prefix: &str) -> Self {
        let layer = Figment::from(Env::prefixed(prefix).split("__"));
        self.layer(layer, Origin::Prefixed(prefix.to_owned()))
    }

    /// The environment variables named, each setting the key of its lowercased name (`PORT`
    /// sets `port`): for the names an application already reads.
    pub fn env_vars(self, names: &[&str]) -> Self {
        let names: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        self.layer(Figment::from(Env::raw().only(&names)), Origin::Raw)
    }

    /// Loads and validates `T` from these sources.
    pub fn load<T: Configuration>(&self) -> Result<T, StartupError> {
        let value: T = self.figment.extract().map_err(|e| self.read_error(e))?;
        if let Err(errors) = value.validate() {
            let first = crate::pipeline::pipe::field_errors(&errors)
                .into_iter()
                .next()
                .map(|e| (e.field, e.message));
            let (key, rule) = first.unwrap_or_else(|| (String::new(), errors.to_string()));
            return Err(StartupError::Config {
                origin: self.source_of(&key),
                key,
                rule,
            });
        }
        Ok(value)
    }

    /// Where the value of `key` came from: the last source that sets it, else the defaults.
    fn source_of(&self, key: &str) -> String {
        self.layers
            .iter()
            .rev()
            .find(|l| !key.is_empty() && l.figment.find_value(key).is_ok())
            .map_or_else(|| "the defaults".to_owned(), |l| l.origin.describe(key))
    }

    fn read_error(&self, error: figment::Error) -> StartupError {
        use figment::error::Kind;
        let mut key = error.path.join(".");
        let rule = match &error.kind {
            Kind::MissingField(field) => {
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(field);
                "is required and has no default".to_owned()
            }
            // Said without the value found: it may be a secret.
            Kind::InvalidType(_, expected) => format!("must be {expected}"),
            Kind::InvalidValue(_, expected) => format!("must be {expected}"),
            Kind::InvalidLength(_, expected) => format!("must have {expected}"),
            Kind::UnknownVariant(_, expected) => format!("must be one of {expected:?}"),
            Kind::UnknownField(field, _) => {
                key = field.clone();
                "is not a known key".to_owned()
            }
            Kind::DuplicateField(field) => {
                key = (*field).to_owned();
                "is set twice".to_owned()
            }
            Kind::ISizeOutOfRange(_) | Kind::USizeOutOfRange(_) => {
                "is out of range for its type".to_owned()
            }
            Kind::Unsupported(_) | Kind::UnsupportedKey(_, _) => {
                "has an unsupported type".to_owned()
            }
            // A file that does not parse: the parser's first line says where ("TOML parse
            // error at line 1, column 18"); the lines after it quote the file, secrets too.
            Kind::Message(message) => {
                let first = message.lines().next().unwrap_or("does not parse");
                format!("does not parse: {first}")
            }
        };
        let origin = match (&error.kind, &error.metadata) {
            (Kind::MissingField(_), _) => "no source".to_owned(),
            // A file that does not parse has no key: name the file.
            (
                Kind::Message(_),
                Some(figment::Metadata {
                    source: Some(figment::Source::File(path)),
                    ..
                }),
            ) => {
                format!("file {}", path.display())
            }
            _ => self.source_of(&key),
        };
        StartupError::Config { key, origin, rule }
    }
}

/// A loaded configuration, the provider a [`Configuration`] is injected as:
/// `config: Arc<Config<AppConfig>>`, then `config.port`.
///
/// Built once at start-up from `T::sources()`. A test sets the values with
/// `override_provider(Config::new(value))` (feature `testing`).
pub struct Config<T>(Arc<T>);

impl<T> Config<T> {
    /// A configuration given as a value (tests, tools), not loaded from the sources.
    pub fn new(value: T) -> Self {
        Config(Arc::new(value))
    }
}

impl<T> Clone for Config<T> {
    fn clone(&self) -> Self {
        Config(self.0.clone())
    }
}

impl<T: Configuration> Config<T> {
    /// Loads `T` from `T::sources()`, once per process: `main` may read it before the
    /// application exists (its address, its adapter), and the provider is that same value.
    /// A failure is not kept: the next call tries again.
    ///
    /// ```no_run
    /// # use gateway_core::config::{Config, Configuration, Sources};
    /// # #[derive(serde::Deserialize, validator::Validate)] struct AppConfig { port: u16 }
    /// # impl Configuration for AppConfig { fn sources() -> Sources { Sources::new().env_prefixed("APP_") } }
    /// # fn run() -> Result<(), gateway_core::StartupError> {
    /// let config = Config::<AppConfig>::load()?;
    /// println!("port {}", config.port);
    /// # Ok(()) }
    /// ```
    pub fn load() -> Result<Self, StartupError> {
        use std::any::{Any, TypeId};
        use std::collections::HashMap;
        use std::sync::Mutex;
        type Loaded = HashMap<TypeId, Box<dyn Any + Send + Sync>>;
        static LOADED: Mutex<Option<Loaded>> = Mutex::new(None);
        let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
        let loaded = loaded.get_or_insert_with(HashMap::new);
        if let Some(config) = loaded
            .get(&TypeId::of::<T>())
            .and_then(|c| c.downcast_ref::<Self>())
        {
            return Ok(config.clone());
        }
        let config = Config::new(T::sources().load::<T>()?);
        loaded.insert(TypeId::of::<T>(), Box::new(config.clone()));
        Ok(config)
    }
}

impl<T> std::ops::Deref for Config<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Config<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: Configuration> Injectable for Config<T> {
    fn dependencies() -> Vec<Dependency> {
        Vec::new()
    }

    fn construct(_: &Resolver<'_>) -> Result<Self, StartupError> {
        Self::load()
    }
}
