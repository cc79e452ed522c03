//! Errors: what a handler can fail with ([`WsException`], [`HandlerError`]) and what start-up can
//! fail with ([`StartupError`]).

use std::fmt;

use serde_json::Value;

/// Any error, boxed: what `main` returns and what non-`WsException` handler errors become.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The result type of a handler: `Err` becomes an `exception` event on the wire.
pub type WsResult<T, E = WsException> = Result<T, E>;

/// An error meant for the client, as NestJS's `WsException`.
///
/// With a message, the client receives
/// `{"status":"error","message":"...","cause":{"pattern":<event>,"data":<payload>}}`;
/// with an object ([`WsException::object`]), it receives the object as it is.
///
/// ```
/// use gateway_core::WsException;
/// let e = WsException::new("room is full");
/// assert_eq!(e.to_string(), "room is full");
/// ```
#[derive(Debug, Clone)]
pub struct WsException {
    body: ExceptionBody,
}

#[derive(Debug, Clone)]
enum ExceptionBody {
    Message(String),
    Object(Value),
}

impl WsException {
    /// An exception with a message: `{"status":"error","message":...,"cause":...}` on the wire.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            body: ExceptionBody::Message(message.into()),
        }
    }

    /// An exception whose payload is this object, sent as it is (no `status`, no `cause`).
    pub fn object(value: impl serde::Serialize) -> Self {
        let value = serde_json::to_value(value).unwrap_or_else(|e| Value::String(e.to_string()));
        Self {
            body: ExceptionBody::Object(value),
        }
    }

    /// The message, for a message exception.
    pub fn message(&self) -> Option<&str> {
        match &self.body {
            ExceptionBody::Message(m) => Some(m),
            ExceptionBody::Object(_) => None,
        }
    }

    /// The `exception` payload for this error, with the event and the payload it answers.
    pub fn to_payload(&self, pattern: &str, data: Option<Value>) -> Value {
        match &self.body {
            ExceptionBody::Message(message) => error_payload(message, pattern, data),
            ExceptionBody::Object(object) => object.clone(),
        }
    }
}

impl fmt::Display for WsException {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.body {
            ExceptionBody::Message(m) => f.write_str(m),
            ExceptionBody::Object(o) => write!(f, "{o}"),
        }
    }
}

impl std::error::Error for WsException {}

/// One field that did not fit: `{"field","code","message"}` on the wire.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// Dotted path of the field (`""` for the payload itself).
    pub field: String,
    /// A short machine-readable code: `type`, `required`, `length`, ...
    pub code: String,
    /// What is wrong, for a human.
    pub message: String,
}

/// Why a message was not handled, on its way to becoming an `exception` event.
#[derive(Debug)]
pub enum HandlerError {
    /// A [`WsException`]: sent to the client as it says.
    Exception(WsException),
    /// The payload did not deserialize or failed validation: "Validation failed" with every field.
    Validation(Vec<FieldError>),
    /// Any other error: "Internal server error" on the wire, the error itself in the log.
    Internal(BoxError),
    /// The handler panicked: answered like an internal error.
    Panic(String),
}

impl HandlerError {
    /// The `exception` payload for this error (the wire shapes of NEST-SEMANTICS.md).
    pub fn to_payload(&self, pattern: &str, data: Option<Value>) -> Value {
        match self {
            HandlerError::Exception(e) => e.to_payload(pattern, data),
            HandlerError::Validation(errors) => serde_json::json!({
                "status": "error",
                "message": "Validation failed",
                "errors": errors,
                "cause": cause(pattern, data),
            }),
            HandlerError::Internal(_) | HandlerError::Panic(_) => {
                error_payload("Internal server error", pattern, data)
            }
        }
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandlerError::Exception(e) => write!(f, "WsException: {e}"),
            HandlerError::Validation(errors) => {
                f.write_str("validation failed:")?;
                for e in errors {
                    // An empty field is the payload as a whole.
                    let field = if e.field.is_empty() {
                        "payload"
                    } else {
                        &e.field
                    };
                    write!(f, " {field} ({}): {};", e.code, e.message)?;
                }
                Ok(())
            }
            HandlerError::Internal(e) => write!(f, "internal error: {e}"),
            HandlerError::Panic(m) => write!(f, "handler panicked: {m}"),
        }
    }
}

impl std::error::Error for HandlerError {}

impl From<WsException> for HandlerError {
    fn from(e: WsException) -> Self {
        HandlerError::Exception(e)
    }
}

impl From<BoxError> for HandlerError {
    fn from(e: BoxError) -> Self {
        let e = match e.downcast::<HandlerError>() {
            Ok(handler_error) => return *handler_error,
            Err(e) => e,
        };
        match e.downcast::<WsException>() {
            Ok(ws) => HandlerError::Exception(*ws),
            Err(other) => HandlerError::Internal(other),
        }
    }
}

fn error_payload(message: &str, pattern: &str, data: Option<Value>) -> Value {
    serde_json::json!({
        "status": "error",
        "message": message,
        "cause": cause(pattern, data),
    })
}

/// `{"pattern","data"}`; no `data` when the client sent no argument (NestJS's `undefined`).
fn cause(pattern: &str, data: Option<Value>) -> Value {
    let mut cause = serde_json::json!({ "pattern": pattern });
    if let (Some(data), Some(map)) = (data, cause.as_object_mut()) {
        map.insert("data".to_owned(), data);
    }
    cause
}

/// Why the application could not start. Every variant says what to change.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A provider needs a type that its module cannot see.
    #[error(
        "can't resolve dependencies of {provider}: {dependency} (field `{field}`, index [{index}]) is not available in the {module} context (module path: {path}). List {dependency} in the providers of {module}, or import a module that exports it."
    )]
    MissingProvider {
        /// The provider being built.
        provider: &'static str,
        /// The type it needs.
        dependency: &'static str,
        /// The field that needs it.
        field: &'static str,
        /// The field's index among the injected fields.
        index: usize,
        /// The module the provider belongs to.
        module: &'static str,
        /// The import path from the root module.
        path: String,
    },
    /// Providers depend on each other in a circle.
    #[error(
        "dependency cycle between providers: {cycle}. Break it by moving the shared state into a third provider."
    )]
    DependencyCycle {
        /// `A -> B -> A`
        cycle: String,
    },
    /// A module exports a type it neither provides nor imports.
    #[error(
        "{module} exports {export}, which it neither provides nor imports from a module that exports it"
    )]
    UnknownExport {
        /// The exporting module.
        module: &'static str,
        /// The exported type.
        export: &'static str,
    },
    /// Two gateways on one port ask for different server options.
    #[error(
        "gateways {first} and {second} share port {port} but ask for different server options ({what}); NestJS would silently ignore the second. Give them the same options, or different ports."
    )]
    ConflictingServerOptions {
        /// The first gateway on the port.
        first: &'static str,
        /// The conflicting gateway.
        second: &'static str,
        /// The port (`main` for the application's listener).
        port: String,
        /// Which option differs.
        what: String,
    },
    /// Two gateways on one server claim the same namespace.
    #[error("gateways {first} and {second} both claim namespace {namespace} on {port}")]
    DuplicateNamespace {
        /// The first gateway.
        first: &'static str,
        /// The second gateway.
        second: &'static str,
        /// The namespace.
        namespace: String,
        /// The port.
        port: String,
    },
    /// A namespace pattern or regular expression is invalid.
    #[error("gateway {gateway}: invalid namespace {namespace}: {reason}")]
    InvalidNamespace {
        /// The gateway.
        gateway: &'static str,
        /// The namespace as written.
        namespace: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A listener could not bind.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// Redis could not be reached at start-up.
    #[error("cannot reach Redis at {url}: {reason}. Is redis-server (7 or newer) running there?")]
    Redis {
        /// The URL, password hidden.
        url: String,
        /// What the client said.
        reason: String,
    },
    /// PostgreSQL could not be reached (or refused the credentials) at start-up.
    #[error("cannot reach PostgreSQL at {url}: {reason}. Is a PostgreSQL server running there?")]
    Postgres {
        /// The URL, password hidden.
        url: String,
        /// What the client said.
        reason: String,
    },
    /// The adapter could not get ready for a namespace (a remote adapter's subscriptions).
    #[error("the adapter could not get ready for namespace {namespace}: {reason}")]
    AdapterInit {
        /// The namespace.
        namespace: String,
        /// Why.
        reason: String,
    },
    /// A configuration value is missing or invalid. Its value is never shown (it may be a
    /// secret).
    #[error("invalid configuration: `{key}` (from {origin}) {rule}")]
    Config {
        /// The key, dotted for nested ones (`redis.url`).
        key: String,
        /// Where its value came from: `file demo.toml`, `environment variable PORT`...
        origin: String,
        /// The rule it broke.
        rule: String,
    },
    /// A socket-scoped provider is used where only a singleton can be.
    #[error("{provider}: {reason}")]
    Scope {
        /// The provider whose dependency breaks the scope rules.
        provider: &'static str,
        /// Which rule, naming both providers.
        reason: String,
    },
    /// A test overrides a provider or an enhancer that the module does not have.
    #[error(
        "the override of {what} replaces nothing: {what} is not a provider of {module} or of its imports, nor an enhancer bound in it"
    )]
    UnknownOverride {
        /// The overridden type.
        what: &'static str,
        /// The root module under test.
        module: &'static str,
    },
    /// A provider's constructor or `on_module_init` hook failed.
    #[error("{provider} failed to initialise: {source}")]
    ProviderInit {
        /// The provider.
        provider: &'static str,
        /// Its error.
        source: BoxError,
    },
}

/// The message of a caught panic: its `&str` or `String` payload.
pub(crate) fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    match panic.downcast::<String>() {
        Ok(s) => *s,
        Err(panic) => match panic.downcast::<&'static str>() {
            Ok(s) => (*s).to_owned(),
            Err(_) => "a panic with a non-string payload".to_owned(),
        },
    }
}

/// A warning repeated on a hot path (a reply dropped, an accept error), logged at most once a
/// second with how many happened since the last line, and less often while it goes on (the
/// wait doubles up to a minute, and is back to a second after a quiet minute): a misbehaving
/// client cannot fill the logs, however long it keeps at it.
pub(crate) struct LogEvery {
    what: &'static str,
    /// ERROR rather than WARN.
    error: bool,
    count: std::sync::atomic::AtomicU64,
    /// When the last line was written, and the wait before the next one.
    last: std::sync::Mutex<Option<(std::time::Instant, std::time::Duration)>>,
    /// A line is due when the wait ends, for what came during it.
    tail: std::sync::atomic::AtomicBool,
}

impl LogEvery {
    const FIRST: std::time::Duration = std::time::Duration::from_secs(1);
    const LONGEST: std::time::Duration = std::time::Duration::from_secs(60);

    /// Lines at WARN.
    pub(crate) const fn new(what: &'static str) -> Self {
        LogEvery {
            what,
            error: false,
            count: std::sync::atomic::AtomicU64::new(0),
            last: std::sync::Mutex::new(None),
            tail: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Lines at ERROR.
    pub(crate) const fn error(what: &'static str) -> Self {
        LogEvery {
            error: true,
            ..Self::new(what)
        }
    }

    /// Counts one more; logs the count (and `last`, the latest occurrence) when the wait since
    /// the last line is over. What comes during the wait is logged when it ends, as a count.
    pub(crate) fn note(&'static self, last: &dyn fmt::Display) {
        self.count
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.log(Some(last));
    }

    fn log(&'static self, last: Option<&dyn fmt::Display>) {
        use std::sync::atomic::Ordering;
        let mut state = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let now = std::time::Instant::now();
        let wait = match *state {
            Some((at, wait)) if now - at < wait => {
                // Not now: once the wait is over, whatever came meanwhile is logged.
                if !self.tail.swap(true, Ordering::AcqRel) {
                    match tokio::runtime::Handle::try_current() {
                        Ok(rt) => {
                            rt.spawn(async move {
                                tokio::time::sleep_until((at + wait).into()).await;
                                self.tail.store(false, Ordering::Release);
                                self.log(None);
                            });
                        }
                        Err(_) => self.tail.store(false, Ordering::Release),
                    }
                }
                return;
            }
            // Still going on: wait twice as long before the next line.
            Some((at, wait)) if now - at < wait + Self::LONGEST => (wait * 2).min(Self::LONGEST),
            _ => Self::FIRST,
        };
        let n = self.count.swap(0, Ordering::Relaxed);
        if n == 0 {
            return;
        }
        *state = Some((now, wait));
        drop(state);
        let (what, wait) = (self.what, wait.as_secs());
        let last = match last {
            Some(last) => format!("the last: {last}"),
            None => "since the last such line".to_owned(),
        };
        if self.error {
            tracing::error!("{what}: {n}; {last} (the next such line in {wait} s at the earliest)");
        } else {
            tracing::warn!("{what}: {n}; {last} (the next such line in {wait} s at the earliest)");
        }
    }
}
