//! End-to-end tests of the request pipeline (issue 3) with purpose-built test gateways, checked
//! from outside by the official socket.io-client (`tests/js/pipeline.test.mjs`).
//!
//! One Rust test starts several applications in-process, each on a free port, and runs the
//! node suite against all of them:
//!
//! - `PLAIN_URL` ([`PlainModule`]): NestJS's own gateway scenarios with nothing bound globally.
//! - `MAIN_URL` ([`MainModule`]): recording guards, interceptors, pipes and filters bound at the
//!   three levels (global, gateway, handler) plus parameter pipes, all writing into one
//!   [`Recorder`] provider keyed by the payload's `trace`; connection guards (a global one and
//!   one per gateway); metadata and roles; `ValidationPipe` per parameter, handler and gateway;
//!   interceptors that time, map, replace and short-circuit; exception filters by error type at
//!   the three levels; ordered and concurrent gateways; panics in guards, interceptors, pipes.
//! - `LOG_URL` ([`LogModule`]): the NestJS scenarios again under a global `LoggingInterceptor`,
//!   whose `tracing` output the Rust test captures and checks.
//! - `ACK_URL` ([`AckModule`]): `ack_errors(true)`: errors also answer the ack.
//! - `DENY_URL` ([`DenyModule`]): a global guard that denies everything.
//! - `VALID_URL` ([`ValidModule`]): `ValidationPipe` bound globally.
//! - `NESTED_URL` (`nested::NestedModule`): nested DTOs (`#[validate(nested)]`, lists).

mod support;

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use demo_app::chat::{RoomDto, SendDto};
use demo_app::events::LoginDto;
use gateway_core::pipeline::{ArgumentMetadata, PipeTransform};
use gateway_core::prelude::*;
use gateway_core::stream::{self, Stream};
use gateway_tests::node::run_node_suite_async;
use serde_json::{Value, json};
use support::latch::{LatchGateway, Latches};

// ---------------------------------------------------------------------------------------------
// The recorder and the recording enhancers.

/// What the recording enhancers saw, as `(trace, entry)` in the order it happened.
#[injectable]
struct Recorder {
    entries: Mutex<Vec<(String, String)>>,
}

impl Recorder {
    fn record(&self, trace: &str, entry: &str) {
        lock(&self.entries).push((trace.to_owned(), entry.to_owned()));
    }

    /// The entries recorded for `trace`, in order.
    fn of(&self, trace: &str) -> Vec<String> {
        lock(&self.entries)
            .iter()
            .filter(|(t, _)| t == trace)
            .map(|(_, e)| e.clone())
            .collect()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The string property `key` of a JSON payload.
fn str_field(data: &Value, key: &str) -> Option<String> {
    data.get(key)?.as_str().map(str::to_owned)
}

/// The body the recording pipes know: `trace` keys the recorder; `fail` names the enhancer that
/// fails with a `WsException` ("<entry> failed"); `deny` names the guard that says no; every
/// pipe appends its entry to `pipes` (the handler sees the transformed body).
#[derive(Debug, Deserialize)]
struct TraceDto {
    trace: String,
    #[serde(default)]
    fail: Option<String>,
    #[serde(default)]
    pipes: Vec<String>,
}

/// A guard recording `$entry`; it fails when `fail == $entry`, denies when `deny == $entry`.
macro_rules! recording_guard {
    ($name:ident => $entry:literal) => {
        #[injectable]
        struct $name {
            rec: Arc<Recorder>,
        }

        impl CanActivate for $name {
            async fn can_activate(&self, ctx: &ExecutionContext<'_>) -> Result<bool, HandlerError> {
                let data = ctx.data();
                let Some(trace) = str_field(&data, "trace") else {
                    return Ok(true);
                };
                self.rec.record(&trace, $entry);
                if str_field(&data, "fail").as_deref() == Some($entry) {
                    return Err(WsException::new(concat!($entry, " failed")).into());
                }
                Ok(str_field(&data, "deny").as_deref() != Some($entry))
            }
        }
    };
}

/// An interceptor recording `interceptor:$level:before`, then `:after` or `:error`; it fails
/// before calling the handler when `fail == "interceptor:$level:before"`.
macro_rules! recording_interceptor {
    ($name:ident => $level:literal) => {
        #[injectable]
        struct $name {
            rec: Arc<Recorder>,
        }

        impl Interceptor for $name {
            async fn intercept(
                &self,
                ctx: &ExecutionContext<'_>,
                next: Next<'_>,
            ) -> Result<Reply, HandlerError> {
                let data = ctx.data();
                let Some(trace) = str_field(&data, "trace") else {
                    return next.handle().await;
                };
                const BEFORE: &str = concat!("interceptor:", $level, ":before");
                self.rec.record(&trace, BEFORE);
                if str_field(&data, "fail").as_deref() == Some(BEFORE) {
                    return Err(WsException::new(concat!(
                        "interceptor:",
                        $level,
                        ":before failed"
                    ))
                    .into());
                }
                let result = next.handle().await;
                self.rec.record(
                    &trace,
                    if result.is_ok() {
                        concat!("interceptor:", $level, ":after")
                    } else {
                        concat!("interceptor:", $level, ":error")
                    },
                );
                result
            }
        }
    };
}

/// A pipe recording `$entry` for [`TraceDto`] bodies, appending it to `pipes`; it fails when
/// `fail == $entry`.
macro_rules! recording_pipe {
    ($name:ident => $entry:literal) => {
        #[injectable]
        struct $name {
            rec: Arc<Recorder>,
        }

        impl PipeTransform for $name {
            fn transform(
                &self,
                value: &mut dyn std::any::Any,
                _meta: &ArgumentMetadata,
            ) -> Result<(), HandlerError> {
                let Some(dto) = value.downcast_mut::<TraceDto>() else {
                    return Ok(());
                };
                self.rec.record(&dto.trace, $entry);
                dto.pipes.push($entry.to_owned());
                if dto.fail.as_deref() == Some($entry) {
                    return Err(WsException::new(concat!($entry, " failed")).into());
                }
                Ok(())
            }
        }
    };
}

/// A filter of every error that records `$entry` and passes it on.
macro_rules! recording_filter {
    ($name:ident => $entry:literal) => {
        #[injectable]
        struct $name {
            rec: Arc<Recorder>,
        }

        impl ExceptionFilter for $name {
            type Error = HandlerError;
            async fn catch(&self, _error: &HandlerError, host: &ArgumentsHost<'_>) -> Caught {
                if let Some(trace) = str_field(&host.data(), "trace") {
                    self.rec.record(&trace, $entry);
                }
                Caught::Pass
            }
        }
    };
}

recording_guard!(GlobalGuard => "guard:global");
recording_guard!(GatewayGuard => "guard:gateway");
recording_guard!(HandlerGuard => "guard:handler");
recording_guard!(HandlerGuard2 => "guard:handler:2");
recording_interceptor!(GlobalInterceptor => "global");
recording_interceptor!(GatewayInterceptor => "gateway");
recording_interceptor!(HandlerInterceptor => "handler");
recording_pipe!(GlobalPipe => "pipe:global");
recording_pipe!(GatewayPipe => "pipe:gateway");
recording_pipe!(HandlerPipe => "pipe:handler");
recording_pipe!(ParamPipe => "pipe:param");
recording_filter!(GlobalFilter => "filter:global");
recording_filter!(GatewayFilter => "filter:gateway");
recording_filter!(HandlerFilter => "filter:handler");

// ---------------------------------------------------------------------------------------------
// Small enhancers shared by several gateways.

/// Always says no: "Forbidden resource".
#[injectable]
struct DenyGuard;

impl CanActivate for DenyGuard {
    async fn can_activate(&self, _ctx: &ExecutionContext<'_>) -> Result<bool, HandlerError> {
        Ok(false)
    }
}

/// Maps the ack to `{pattern, data}`: the pattern is visible to interceptors.
#[injectable]
struct PatternInterceptor;

impl Interceptor for PatternInterceptor {
    async fn intercept(
        &self,
        ctx: &ExecutionContext<'_>,
        next: Next<'_>,
    ) -> Result<Reply, HandlerError> {
        Ok(match next.handle().await? {
            Reply::Ack(v) => Reply::Ack(json!({ "pattern": ctx.pattern(), "data": v }).into()),
            other => other,
        })
    }
}

/// Catches `WsException`s: emits `caught` `{pattern, data, message}` (the pattern is visible
/// to filters).
#[injectable]
struct PatternFilter;

impl ExceptionFilter for PatternFilter {
    type Error = WsException;
    async fn catch(&self, error: &WsException, host: &ArgumentsHost<'_>) -> Caught {
        let caught = json!({
            "pattern": host.pattern(),
            "data": host.data(),
            "message": error.to_string(),
        });
        host.socket().emit("caught", &caught).ok();
        Caught::Handled
    }
}

/// Answers the client's ack from the filter: `{handledBy: "filter", pattern}`.
#[injectable]
struct AckingFilter;

impl ExceptionFilter for AckingFilter {
    type Error = HandlerError;
    async fn catch(&self, _error: &HandlerError, host: &ArgumentsHost<'_>) -> Caught {
        host.ack(&json!({ "handledBy": "filter", "pattern": host.pattern() }));
        Caught::Handled
    }
}

// ---------------------------------------------------------------------------------------------
// NestJS's own gateway scenarios (ack, error, manual ack, pattern in interceptor and filter).

#[injectable]
struct NestGateway;

#[web_socket_gateway]
impl NestGateway {
    /// NestJS's AckGateway: `push` returns "pong", with or without data.
    #[subscribe_message("push")]
    fn push(&self) -> &'static str {
        "pong"
    }

    #[subscribe_message("echo")]
    async fn echo(&self, #[message_body] data: Value) -> Value {
        data
    }

    #[subscribe_message("optional")]
    async fn optional(&self, #[message_body] data: Option<Value>) -> Value {
        json!({ "got": data })
    }

    /// Returns nothing: the ack is not called.
    #[subscribe_message("nothing")]
    async fn nothing(&self, #[message_body] _data: Value) {}

    #[subscribe_message("none")]
    async fn none(&self) -> Option<u8> {
        None
    }

    #[subscribe_message("zero")]
    async fn zero(&self) -> i32 {
        0
    }

    /// NestJS's `@Ack()` scenario: the handler answers; its return value is not sent.
    #[subscribe_message("manual-ack")]
    async fn manual_ack(&self, #[message_body] data: Value, ack: AckSender) -> Value {
        if data.get("shouldSucceed") == Some(&Value::Bool(true)) {
            ack.send(&json!({ "status": "success", "data": data })).ok();
        } else {
            ack.send(&json!({ "status": "error", "message": "Operation failed" }))
                .ok();
        }
        json!({ "status": "ignored" })
    }

    /// Takes the ack and fails without answering it: `exception`, no ack.
    #[subscribe_message("manual-ack-fail")]
    async fn manual_ack_fail(
        &self,
        #[message_body] _data: Value,
        _ack: AckSender,
    ) -> WsResult<Value> {
        Err(WsException::new("manual ack failed"))
    }

    #[subscribe_message("pattern")]
    #[use_interceptors(PatternInterceptor)]
    async fn pattern(&self, #[message_body] data: Value) -> Value {
        data
    }

    #[subscribe_message("filtered")]
    #[use_filters(PatternFilter)]
    async fn filtered(&self, #[message_body] _data: Value) -> WsResult<()> {
        Err(WsException::new("caught me"))
    }

    #[subscribe_message("emit")]
    async fn emit(&self, #[message_body] data: Value) -> WsResponse<Value> {
        WsResponse::new("emitted", data)
    }

    #[subscribe_message("stream")]
    fn stream(&self) -> impl Stream<Item = WsResponse<u32>> + use<> {
        stream::iter((1..=3).map(|n| WsResponse::new("events", n)))
    }
}

/// NestJS's ErrorGateway, and the other ways a message fails.
#[injectable]
struct ErrorGateway;

#[web_socket_gateway(namespace = "/error")]
impl ErrorGateway {
    #[subscribe_message("push")]
    async fn push(&self, #[message_body] _data: Value) -> WsResult<()> {
        Err(WsException::new("test"))
    }

    #[subscribe_message("internal")]
    async fn internal(&self, #[message_body] _data: Value) -> Result<(), BoxError> {
        Err("a secret the client must not see".into())
    }

    #[subscribe_message("denied")]
    #[use_guards(DenyGuard)]
    fn denied(&self, #[message_body] _data: Value) -> &'static str {
        "the handler ran"
    }

    #[subscribe_message("invalid")]
    fn invalid(&self, #[message_body(ValidationPipe)] dto: RoomDto) -> String {
        dto.room_id
    }

    #[subscribe_message("panic")]
    fn panic(&self, #[message_body] _data: Value) -> u8 {
        panic!("handler panicked on purpose")
    }

    #[subscribe_message("manual-ack-fail")]
    async fn manual_ack_fail(&self, #[message_body] _data: Value, _ack: AckSender) -> WsResult<()> {
        Err(WsException::new("manual ack failed"))
    }

    /// Fails under an interceptor (the reply is captured for it).
    #[subscribe_message("intercepted-fail")]
    #[use_interceptors(WrapInterceptor)]
    async fn intercepted_fail(&self, #[message_body] _data: Value) -> WsResult<u8> {
        Err(WsException::new("failed under an interceptor"))
    }

    #[subscribe_message("filtered-ack")]
    #[use_filters(AckingFilter)]
    async fn filtered_ack(&self, #[message_body] _data: Value) -> WsResult<()> {
        Err(WsException::new("answered by the filter"))
    }

    #[subscribe_message("ping")]
    fn ping(&self) -> &'static str {
        "pong"
    }
}

// ---------------------------------------------------------------------------------------------
// Order: guards -> interceptors (before) -> pipes -> handler -> interceptors (after), levels
// global -> gateway -> handler; errors to the filters, handler -> gateway -> global.

#[injectable]
struct OrderGateway {
    rec: Arc<Recorder>,
}

#[web_socket_gateway(namespace = "/order")]
#[use_guards(GatewayGuard)]
#[use_interceptors(GatewayInterceptor)]
#[use_pipes(GatewayPipe)]
#[use_filters(GatewayFilter)]
impl OrderGateway {
    /// Acks what was recorded up to the handler and the pipes the body went through.
    #[subscribe_message("order/run")]
    #[use_guards(HandlerGuard, HandlerGuard2)]
    #[use_interceptors(HandlerInterceptor)]
    #[use_pipes(HandlerPipe)]
    #[use_filters(HandlerFilter)]
    async fn run(&self, #[message_body(ParamPipe)] dto: TraceDto) -> WsResult<Value> {
        self.rec.record(&dto.trace, "handler");
        if dto.fail.as_deref() == Some("handler") {
            return Err(WsException::new("handler failed"));
        }
        Ok(json!({ "log": self.rec.of(&dto.trace), "pipes": dto.pipes }))
    }

    /// Everything recorded for trace `of`.
    #[subscribe_message("order/log")]
    fn log(&self, #[message_body("of")] of: String) -> Vec<String> {
        self.rec.of(&of)
    }
}

// ---------------------------------------------------------------------------------------------
// Exception filters by error type, at the three levels.

/// Defines an error type displayed as `$display: <detail>`.
macro_rules! error_type {
    ($name:ident, $display:literal) => {
        #[derive(Debug)]
        struct $name(String);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($display, ": {}"), self.0)
            }
        }

        impl std::error::Error for $name {}
    };
}

error_type!(MyError, "my error");
error_type!(SharedError, "shared error");
error_type!(OtherError, "other error");

/// Catches `$error` and emits `caught` `{by: $by, kind: $kind, message, pattern}`.
macro_rules! catching_filter {
    ($name:ident, $error:ty, $by:literal, $kind:literal) => {
        #[injectable]
        struct $name;

        impl ExceptionFilter for $name {
            type Error = $error;
            async fn catch(&self, error: &$error, host: &ArgumentsHost<'_>) -> Caught {
                let caught = json!({
                    "by": $by,
                    "kind": $kind,
                    "message": error.to_string(),
                    "pattern": host.pattern(),
                });
                host.socket().emit("caught", &caught).ok();
                Caught::Handled
            }
        }
    };
}

catching_filter!(MyErrorFilter, MyError, "handler", "MyError");
catching_filter!(HandlerWsFilter, WsException, "handler", "WsException");
catching_filter!(HandlerAllFilter, HandlerError, "handler", "HandlerError");
catching_filter!(GatewayWsFilter, WsException, "gateway", "WsException");
catching_filter!(GatewaySharedFilter, SharedError, "gateway", "SharedError");
catching_filter!(GlobalSharedFilter, SharedError, "global", "SharedError");

/// Sees every error, emits `passed` `{message}`, and lets the next filter have it.
#[injectable]
struct PassFilter;

impl ExceptionFilter for PassFilter {
    type Error = HandlerError;
    async fn catch(&self, error: &HandlerError, host: &ArgumentsHost<'_>) -> Caught {
        host.socket()
            .emit("passed", &json!({ "message": error.to_string() }))
            .ok();
        Caught::Pass
    }
}

#[injectable]
struct FilterGateway;

#[web_socket_gateway(namespace = "/filters")]
#[use_filters(GatewayWsFilter, GatewaySharedFilter)]
impl FilterGateway {
    /// A custom error type, boxed, caught by its handler-level filter.
    #[subscribe_message("my-error")]
    #[use_filters(MyErrorFilter)]
    async fn my_error(&self) -> Result<(), BoxError> {
        Err(Box::new(MyError("details".into())))
    }

    /// A `WsException` passes the `MyError` filter and reaches the gateway's.
    #[subscribe_message("ws-error")]
    #[use_filters(MyErrorFilter)]
    async fn ws_error(&self) -> WsResult<()> {
        Err(WsException::new("plain ws"))
    }

    /// Handler and gateway both catch `WsException`: the handler's wins.
    #[subscribe_message("ws-handler")]
    #[use_filters(HandlerWsFilter)]
    async fn ws_handler(&self) -> WsResult<()> {
        Err(WsException::new("handler level"))
    }

    /// `Caught::Pass` lets the gateway's filter handle it.
    #[subscribe_message("pass")]
    #[use_filters(PassFilter)]
    async fn pass(&self) -> WsResult<()> {
        Err(WsException::new("passed on"))
    }

    /// Gateway and global both catch `SharedError`: the gateway's wins.
    #[subscribe_message("shared")]
    async fn shared(&self) -> Result<(), SharedError> {
        Err(SharedError("from /filters".into()))
    }

    /// Nobody catches `OtherError`: the default "Internal server error".
    #[subscribe_message("unmatched")]
    async fn unmatched(&self) -> Result<(), BoxError> {
        Err(Box::new(OtherError("nobody catches this".into())))
    }

    /// A guard's denial goes to the filters too.
    #[subscribe_message("guard-denied")]
    #[use_guards(DenyGuard)]
    #[use_filters(HandlerWsFilter)]
    fn guard_denied(&self) -> &'static str {
        "the handler ran"
    }

    /// A validation failure is not a `WsException`: the default handles it.
    #[subscribe_message("validation")]
    #[use_filters(HandlerWsFilter)]
    fn validation(&self, #[message_body(ValidationPipe)] dto: RoomDto) -> String {
        dto.room_id
    }

    /// A `HandlerError` filter catches validation failures too.
    #[subscribe_message("validation-all")]
    #[use_filters(HandlerAllFilter)]
    fn validation_all(&self, #[message_body(ValidationPipe)] dto: RoomDto) -> String {
        dto.room_id
    }

    #[subscribe_message("ping")]
    fn ping(&self) -> &'static str {
        "pong"
    }
}

/// A gateway with no filters of its own: only the global ones apply.
#[injectable]
struct PlainGateway;

#[web_socket_gateway(namespace = "/plain")]
impl PlainGateway {
    #[subscribe_message("shared")]
    async fn shared(&self) -> Result<(), SharedError> {
        Err(SharedError("from /plain".into()))
    }

    #[subscribe_message("ws")]
    async fn ws(&self, #[message_body] _data: Value) -> WsResult<()> {
        Err(WsException::new("not for the global filters"))
    }

    /// The roles guard lets a handler without `roles` metadata through.
    #[subscribe_message("open")]
    #[use_guards(RolesGuard)]
    fn open(&self) -> &'static str {
        "open"
    }
}

// ---------------------------------------------------------------------------------------------
// Connection guards.

/// Who connected, as a connection guard learned it.
#[derive(Debug, Clone, Serialize)]
struct User {
    name: String,
    via: String,
}

/// Left on the socket by the global connection guard.
#[derive(Debug, Clone)]
struct GlobalMark;

/// Runs before every gateway's own: refuses `?block=global`, marks the others.
#[injectable]
struct GlobalConnGuard;

impl ConnectionGuard for GlobalConnGuard {
    async fn can_connect(&self, ctx: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        if ctx.query("block").as_deref() == Some("global") {
            return Err(ConnectionRefused::new("Blocked globally"));
        }
        ctx.socket().extensions().insert(GlobalMark);
        Ok(true)
    }
}

/// `Ok(false)`: the default "Unauthorized".
#[injectable]
struct DenyConnGuard;

impl ConnectionGuard for DenyConnGuard {
    async fn can_connect(&self, _ctx: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        Ok(false)
    }
}

/// A message of its own: "Banned".
#[injectable]
struct BanConnGuard;

impl ConnectionGuard for BanConnGuard {
    async fn can_connect(&self, _ctx: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        Err(ConnectionRefused::new("Banned"))
    }
}

#[derive(Deserialize)]
struct TokenAuth {
    token: String,
}

/// `auth: {token: "valid-<name>"}`.
#[injectable]
struct TokenConnGuard;

impl ConnectionGuard for TokenConnGuard {
    async fn can_connect(&self, ctx: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        let Some(TokenAuth { token }) = ctx.auth_as::<TokenAuth>() else {
            return Ok(false);
        };
        let Some(name) = token.strip_prefix("valid-") else {
            return Ok(false);
        };
        let via = format!("auth {}", ctx.auth());
        ctx.socket().extensions().insert(User {
            name: name.to_owned(),
            via,
        });
        Ok(true)
    }
}

/// Header `x-api-key: key-<name>`; none: "Missing API key".
#[injectable]
struct ApiKeyConnGuard;

impl ConnectionGuard for ApiKeyConnGuard {
    async fn can_connect(&self, ctx: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        let Some(key) = ctx.headers().get("x-api-key") else {
            return Err(ConnectionRefused::new("Missing API key"));
        };
        let Some(name) = key.to_str().ok().and_then(|k| k.strip_prefix("key-")) else {
            return Ok(false);
        };
        ctx.socket().extensions().insert(User {
            name: name.to_owned(),
            via: "header".into(),
        });
        Ok(true)
    }
}

/// Query `?ticket=t-<name>`.
#[injectable]
struct TicketConnGuard;

impl ConnectionGuard for TicketConnGuard {
    async fn can_connect(&self, ctx: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        let Some(name) = ctx
            .query("ticket")
            .and_then(|t| t.strip_prefix("t-").map(str::to_owned))
        else {
            return Ok(false);
        };
        ctx.socket().extensions().insert(User {
            name,
            via: "query".into(),
        });
        Ok(true)
    }
}

/// Refuses unless the global connection guard ran first.
#[injectable]
struct NeedsGlobalMark;

impl ConnectionGuard for NeedsGlobalMark {
    async fn can_connect(&self, ctx: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        match ctx.socket().extensions().get::<GlobalMark>() {
            Some(GlobalMark) => Ok(true),
            None => Err(ConnectionRefused::new("global guard did not run first")),
        }
    }
}

/// Panics: a failing guard must still answer the handshake.
#[injectable]
struct PanicConnGuard;

impl ConnectionGuard for PanicConnGuard {
    async fn can_connect(&self, _ctx: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        panic!("connection guard panicked on purpose")
    }
}

#[injectable]
struct ConnDenyGateway;

#[web_socket_gateway(namespace = "/conn-deny")]
#[use_connection_guards(DenyConnGuard)]
impl ConnDenyGateway {
    #[subscribe_message("whoami")]
    fn whoami(&self, Extension(user): Extension<User>) -> User {
        user
    }
}

#[injectable]
struct ConnBanGateway;

#[web_socket_gateway(namespace = "/conn-ban")]
#[use_connection_guards(BanConnGuard)]
impl ConnBanGateway {
    #[subscribe_message("whoami")]
    fn whoami(&self, Extension(user): Extension<User>) -> User {
        user
    }
}

#[injectable]
struct ConnAuthGateway;

#[web_socket_gateway(namespace = "/conn-auth")]
#[use_connection_guards(TokenConnGuard)]
impl ConnAuthGateway {
    #[subscribe_message("whoami")]
    fn whoami(&self, Extension(user): Extension<User>) -> User {
        user
    }
}

#[injectable]
struct ConnHeaderGateway;

#[web_socket_gateway(namespace = "/conn-header")]
#[use_connection_guards(ApiKeyConnGuard)]
impl ConnHeaderGateway {
    #[subscribe_message("whoami")]
    fn whoami(&self, Extension(user): Extension<User>) -> User {
        user
    }
}

#[injectable]
struct ConnQueryGateway;

#[web_socket_gateway(namespace = "/conn-query")]
#[use_connection_guards(TicketConnGuard)]
impl ConnQueryGateway {
    #[subscribe_message("whoami")]
    fn whoami(&self, Extension(user): Extension<User>) -> User {
        user
    }
}

/// Two guards, in order: the ticket (query), then the API key (header).
#[injectable]
struct ConnTwoGateway;

#[web_socket_gateway(namespace = "/conn-two")]
#[use_connection_guards(TicketConnGuard, ApiKeyConnGuard)]
impl ConnTwoGateway {
    #[subscribe_message("whoami")]
    fn whoami(&self, Extension(user): Extension<User>) -> User {
        user
    }
}

#[injectable]
struct ConnOrderGateway;

#[web_socket_gateway(namespace = "/conn-order")]
#[use_connection_guards(NeedsGlobalMark)]
impl ConnOrderGateway {
    /// No guard here stores a `User`: "Internal server error".
    #[subscribe_message("whoami")]
    fn whoami(&self, Extension(user): Extension<User>) -> User {
        user
    }

    #[subscribe_message("marked")]
    fn marked(&self, #[connected_socket] socket: SocketRef) -> bool {
        socket.extensions().get::<GlobalMark>().is_some()
    }
}

#[injectable]
struct ConnPanicGateway;

#[web_socket_gateway(namespace = "/conn-panic")]
#[use_connection_guards(PanicConnGuard)]
impl ConnPanicGateway {
    #[subscribe_message("ping")]
    fn ping(&self) -> &'static str {
        "pong"
    }
}

// ---------------------------------------------------------------------------------------------
// Metadata and roles.

/// Replaces the reply with what `ExecutionContext` says: names and metadata.
#[injectable]
struct MetaInterceptor;

impl Interceptor for MetaInterceptor {
    async fn intercept(
        &self,
        ctx: &ExecutionContext<'_>,
        next: Next<'_>,
    ) -> Result<Reply, HandlerError> {
        next.handle().await?;
        let keys = [
            "scope", "level", "limits", "flags", "roles", "missing", "zwj", "del", "ratio", "quote",
        ];
        let mut meta = serde_json::Map::new();
        for key in keys {
            meta.insert(
                key.to_owned(),
                ctx.metadata::<Value>(key).unwrap_or(Value::Null),
            );
        }
        Ok(Reply::Ack(
            json!({
                "gateway": ctx.gateway(),
                "handler": ctx.handler(),
                "pattern": ctx.pattern(),
                "meta": meta,
                "scopeAsNumber": ctx.metadata::<u32>("scope"),
            })
            .into(),
        ))
    }
}

#[injectable]
struct MetaGateway;

#[web_socket_gateway(namespace = "/meta")]
#[set_metadata("scope", "gateway")]
#[set_metadata("level", 1)]
#[roles("viewer")]
#[use_interceptors(MetaInterceptor)]
impl MetaGateway {
    #[subscribe_message("meta/handler")]
    #[set_metadata("scope", "handler")]
    #[set_metadata("limits", [1, -2, 3.5])]
    #[set_metadata("flags", [true, false])]
    #[roles("admin", "editor")]
    fn handler_level(&self) {}

    #[subscribe_message("meta/gateway")]
    fn gateway_level(&self) {}

    /// Literals whose Rust spelling is not JSON.
    #[subscribe_message("meta/literals")]
    #[set_metadata("zwj", "a\u{200d}b")]
    #[set_metadata("del", "x\u{7f}y")]
    #[set_metadata("ratio", 2.)]
    #[set_metadata("quote", "say \"hi\" \\ o/")]
    fn literals(&self) {}
}

/// The user's role, from the handshake's `auth: {role}`.
#[derive(Debug, Clone)]
struct Role(String);

#[injectable]
struct RoleConnGuard;

impl ConnectionGuard for RoleConnGuard {
    async fn can_connect(&self, ctx: &ConnectionContext<'_>) -> Result<bool, ConnectionRefused> {
        let role = str_field(ctx.auth(), "role").unwrap_or_default();
        ctx.socket().extensions().insert(Role(role));
        Ok(true)
    }
}

/// Lets a message through when there is no `roles` metadata, or the user has one of them.
#[injectable]
struct RolesGuard;

impl CanActivate for RolesGuard {
    async fn can_activate(&self, ctx: &ExecutionContext<'_>) -> Result<bool, HandlerError> {
        let Some(roles) = ctx.metadata::<Vec<String>>("roles") else {
            return Ok(true);
        };
        let role = ctx.socket().extensions().get::<Role>();
        Ok(role.is_some_and(|Role(r)| roles.contains(&r)))
    }
}

#[injectable]
struct RolesGateway;

#[web_socket_gateway(namespace = "/roles")]
#[use_connection_guards(RoleConnGuard)]
#[use_guards(RolesGuard)]
#[roles("moderator")]
impl RolesGateway {
    #[subscribe_message("admin-only")]
    #[roles("admin")]
    fn admin_only(&self) -> &'static str {
        "admin ok"
    }

    /// The gateway's `roles`.
    #[subscribe_message("moderated")]
    fn moderated(&self) -> &'static str {
        "moderated ok"
    }

    #[subscribe_message("editors")]
    #[roles("admin", "editor")]
    fn editors(&self) -> &'static str {
        "editors ok"
    }
}

/// An enhancer listed as a provider is that provider: the gateway sees its count.
#[injectable]
struct CountingGuard {
    count: AtomicUsize,
}

impl CanActivate for CountingGuard {
    async fn can_activate(&self, _ctx: &ExecutionContext<'_>) -> Result<bool, HandlerError> {
        self.count.fetch_add(1, Ordering::SeqCst);
        Ok(true)
    }
}

#[injectable]
struct DiGateway {
    guard: Arc<CountingGuard>,
}

#[web_socket_gateway(namespace = "/di")]
impl DiGateway {
    #[subscribe_message("count")]
    #[use_guards(CountingGuard)]
    fn count(&self) -> usize {
        self.guard.count.load(Ordering::SeqCst)
    }
}

// ---------------------------------------------------------------------------------------------
// Validation (flat DTOs of the demo: `RoomDto`, `SendDto` with camelCase renames, `LoginDto`).

fn send_ack(dto: SendDto) -> Value {
    json!({ "roomId": dto.room_id, "message": dto.message })
}

#[injectable]
struct ValidationGateway;

#[web_socket_gateway(namespace = "/validation")]
impl ValidationGateway {
    #[subscribe_message("param")]
    fn param(&self, #[message_body(ValidationPipe)] dto: SendDto) -> Value {
        send_ack(dto)
    }

    #[subscribe_message("handler")]
    #[use_pipes(ValidationPipe)]
    fn handler(&self, #[message_body] dto: SendDto) -> Value {
        send_ack(dto)
    }

    /// No `ValidationPipe`: only deserialization is checked.
    #[subscribe_message("unbound")]
    fn unbound(&self, #[message_body] dto: SendDto) -> Value {
        send_ack(dto)
    }

    /// One property of the payload, validated.
    #[subscribe_message("property")]
    fn property(&self, #[message_body("room", ValidationPipe)] dto: RoomDto) -> String {
        dto.room_id
    }

    /// A body that does not implement `Validate` passes through.
    #[subscribe_message("free")]
    fn free(&self, #[message_body(ValidationPipe)] v: Value) -> Value {
        v
    }

    #[subscribe_message("login")]
    fn login(&self, #[message_body(ValidationPipe)] dto: LoginDto) -> String {
        dto.name
    }

    /// A list of DTOs as the body: each item validated, named by its index.
    #[subscribe_message("list")]
    fn list(&self, #[message_body(ValidationPipe)] rooms: Vec<RoomDto>) -> usize {
        rooms.len()
    }

    /// An optional DTO: validated when present.
    #[subscribe_message("optional")]
    fn optional(&self, #[message_body(ValidationPipe)] dto: Option<RoomDto>) -> Option<String> {
        dto.map(|d| d.room_id)
    }
}

#[injectable]
struct ValidationGwGateway;

#[web_socket_gateway(namespace = "/validation-gw")]
#[use_pipes(ValidationPipe)]
impl ValidationGwGateway {
    #[subscribe_message("send")]
    fn send(&self, #[message_body] dto: SendDto) -> Value {
        send_ack(dto)
    }

    #[subscribe_message("room")]
    fn room(&self, #[message_body] dto: RoomDto) -> String {
        dto.room_id
    }
}

/// No pipes of its own: in [`ValidModule`], `ValidationPipe` is global.
#[injectable]
struct ValidationGlobalGateway;

#[web_socket_gateway(namespace = "/validation-global")]
impl ValidationGlobalGateway {
    #[subscribe_message("send")]
    fn send(&self, #[message_body] dto: SendDto) -> Value {
        send_ack(dto)
    }
}

// ---------------------------------------------------------------------------------------------
// Interceptors.

/// Acks `{result, elapsedMs}`.
#[injectable]
struct TimingInterceptor;

impl Interceptor for TimingInterceptor {
    async fn intercept(
        &self,
        _ctx: &ExecutionContext<'_>,
        next: Next<'_>,
    ) -> Result<Reply, HandlerError> {
        let start = Instant::now();
        let reply = next.handle().await?;
        let elapsed = start.elapsed().as_millis() as u64;
        Ok(match reply {
            Reply::Ack(v) => Reply::Ack(json!({ "result": v, "elapsedMs": elapsed }).into()),
            other => other,
        })
    }
}

/// Maps the ack to `{data: ack}`.
#[injectable]
struct WrapInterceptor;

impl Interceptor for WrapInterceptor {
    async fn intercept(
        &self,
        _ctx: &ExecutionContext<'_>,
        next: Next<'_>,
    ) -> Result<Reply, HandlerError> {
        Ok(match next.handle().await? {
            Reply::Ack(v) => Reply::Ack(json!({ "data": v }).into()),
            other => other,
        })
    }
}

/// Maps the ack to `{tagged: ack}`.
#[injectable]
struct TagInterceptor;

impl Interceptor for TagInterceptor {
    async fn intercept(
        &self,
        _ctx: &ExecutionContext<'_>,
        next: Next<'_>,
    ) -> Result<Reply, HandlerError> {
        Ok(match next.handle().await? {
            Reply::Ack(v) => Reply::Ack(json!({ "tagged": v }).into()),
            other => other,
        })
    }
}

/// Replaces whatever the handler answered with "replaced".
#[injectable]
struct ReplaceInterceptor;

impl Interceptor for ReplaceInterceptor {
    async fn intercept(
        &self,
        _ctx: &ExecutionContext<'_>,
        next: Next<'_>,
    ) -> Result<Reply, HandlerError> {
        next.handle().await?;
        Ok(Reply::Ack(json!("replaced").into()))
    }
}

/// Answers `{cached: true}` without calling the handler (records `interceptor:short`).
#[injectable]
struct ShortCircuitInterceptor {
    rec: Arc<Recorder>,
}

impl Interceptor for ShortCircuitInterceptor {
    async fn intercept(
        &self,
        ctx: &ExecutionContext<'_>,
        _next: Next<'_>,
    ) -> Result<Reply, HandlerError> {
        if let Some(trace) = str_field(&ctx.data(), "trace") {
            self.rec.record(&trace, "interceptor:short");
        }
        Ok(Reply::Ack(json!({ "cached": true }).into()))
    }
}

/// Emits `cached` without calling the handler.
#[injectable]
struct ShortEmitInterceptor;

impl Interceptor for ShortEmitInterceptor {
    async fn intercept(
        &self,
        ctx: &ExecutionContext<'_>,
        _next: Next<'_>,
    ) -> Result<Reply, HandlerError> {
        Ok(Reply::Emit(vec![(
            "cached".to_owned(),
            json!({ "pattern": ctx.pattern() }).into(),
        )]))
    }
}

/// Emits `before`, runs the handler, emits `after`.
#[injectable]
struct AroundInterceptor;

impl Interceptor for AroundInterceptor {
    async fn intercept(
        &self,
        ctx: &ExecutionContext<'_>,
        next: Next<'_>,
    ) -> Result<Reply, HandlerError> {
        ctx.socket().emit("before", &ctx.pattern()).ok();
        let reply = next.handle().await;
        ctx.socket().emit("after", &reply.is_ok()).ok();
        reply
    }
}

/// Turns a `WsException` into the ack `{recovered: message}` (NestJS's `catchError`).
#[injectable]
struct RecoverInterceptor;

impl Interceptor for RecoverInterceptor {
    async fn intercept(
        &self,
        _ctx: &ExecutionContext<'_>,
        next: Next<'_>,
    ) -> Result<Reply, HandlerError> {
        match next.handle().await {
            Err(HandlerError::Exception(e)) => {
                Ok(Reply::Ack(json!({ "recovered": e.to_string() }).into()))
            }
            other => other,
        }
    }
}

/// Acks what kind of reply the handler produced, instead of it.
#[injectable]
struct KindInterceptor;

impl Interceptor for KindInterceptor {
    async fn intercept(
        &self,
        _ctx: &ExecutionContext<'_>,
        next: Next<'_>,
    ) -> Result<Reply, HandlerError> {
        Ok(Reply::Ack(match next.handle().await? {
            Reply::Nothing => json!({ "kind": "nothing" }).into(),
            Reply::Ack(v) => json!({ "kind": "ack", "value": v }).into(),
            Reply::Emit(events) => json!({ "kind": "emit", "events": events }).into(),
        }))
    }
}

#[injectable]
struct InterceptorsGateway {
    rec: Arc<Recorder>,
}

#[web_socket_gateway(namespace = "/interceptors")]
impl InterceptorsGateway {
    #[subscribe_message("time")]
    #[use_interceptors(TimingInterceptor)]
    async fn time(&self, #[message_body] ms: u64) -> &'static str {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        "done"
    }

    #[subscribe_message("map")]
    #[use_interceptors(WrapInterceptor)]
    async fn map(&self, #[message_body] v: Value) -> Value {
        v
    }

    /// The first interceptor listed is the outermost.
    #[subscribe_message("map-twice")]
    #[use_interceptors(WrapInterceptor, TagInterceptor)]
    async fn map_twice(&self, #[message_body] v: Value) -> Value {
        v
    }

    #[subscribe_message("replace")]
    #[use_interceptors(ReplaceInterceptor)]
    async fn replace(&self, #[message_body] v: Value) -> Value {
        v
    }

    /// Neither the pipe nor the handler may run.
    #[subscribe_message("short")]
    #[use_interceptors(ShortCircuitInterceptor)]
    async fn short(&self, #[message_body(ParamPipe)] dto: TraceDto) -> &'static str {
        self.rec.record(&dto.trace, "handler");
        "from the handler"
    }

    #[subscribe_message("short-emit")]
    #[use_interceptors(ShortEmitInterceptor)]
    async fn short_emit(&self, #[message_body] _v: Value) -> &'static str {
        "from the handler"
    }

    #[subscribe_message("around")]
    #[use_interceptors(AroundInterceptor)]
    async fn around(&self, #[connected_socket] socket: SocketRef) -> WsResponse<&'static str> {
        socket.emit("handler-ran", &true).ok();
        WsResponse::new("handled", "response")
    }

    #[subscribe_message("recover")]
    #[use_interceptors(RecoverInterceptor)]
    async fn recover(&self, #[message_body] _v: Value) -> WsResult<u8> {
        Err(WsException::new("recover me"))
    }

    #[subscribe_message("kind-nothing")]
    #[use_interceptors(KindInterceptor)]
    async fn kind_nothing(&self, #[message_body] _v: Value) {}

    #[subscribe_message("kind-ack")]
    #[use_interceptors(KindInterceptor)]
    async fn kind_ack(&self, #[message_body] _v: Value) -> u32 {
        5
    }

    #[subscribe_message("kind-emit")]
    #[use_interceptors(KindInterceptor)]
    async fn kind_emit(&self, #[message_body] _v: Value) -> WsResponse<u32> {
        WsResponse::new("kind-event", 1)
    }

    /// The manual ack is sent as it is; the (wrapped) return value is not sent.
    #[subscribe_message("manual-ack")]
    #[use_interceptors(WrapInterceptor)]
    async fn manual_ack(&self, #[message_body] _v: Value, ack: AckSender) -> &'static str {
        ack.send("manual").ok();
        "returned"
    }
}

// ---------------------------------------------------------------------------------------------
// Ordered and concurrent handling. Every handler that must be in progress while the client
// sends more waits on the latch of its socket, which the client releases after sending.

#[derive(Debug, Deserialize)]
struct Work {
    i: u32,
    delay: u64,
}

/// Counts itself in flight, waits for the socket's latch, then sleeps `delay` ms; acks `{i,
/// inflight}` (messages in flight when it started, itself included). Every message of a burst
/// is sent before the latch is released: handled concurrently, they are all in flight at once.
async fn work(latches: &Latches, socket: &SocketRef, inflight: &AtomicUsize, w: Work) -> Value {
    let at_start = inflight.fetch_add(1, Ordering::SeqCst) + 1;
    latches.wait(&socket.id().to_string()).await;
    tokio::time::sleep(Duration::from_millis(w.delay)).await;
    inflight.fetch_sub(1, Ordering::SeqCst);
    json!({ "i": w.i, "inflight": at_start })
}

#[injectable]
struct OrderedGateway {
    latches: Arc<Latches>,
    inflight: AtomicUsize,
}

#[web_socket_gateway(namespace = "/ordered", ordered)]
impl OrderedGateway {
    #[subscribe_message("work")]
    async fn work(&self, #[connected_socket] socket: SocketRef, #[message_body] w: Work) -> Value {
        work(&self.latches, &socket, &self.inflight, w).await
    }

    /// In progress until the socket's latch is released.
    #[subscribe_message("slow")]
    async fn slow(&self, #[connected_socket] socket: SocketRef) -> &'static str {
        self.latches.wait(&socket.id().to_string()).await;
        "slow"
    }

    #[subscribe_message("fast")]
    async fn fast(&self) -> &'static str {
        "fast"
    }

    /// Panics while holding the socket's turn (held until the socket's latch is released).
    #[subscribe_message("boom")]
    async fn boom(&self, #[connected_socket] socket: SocketRef) -> u8 {
        self.latches.wait(&socket.id().to_string()).await;
        panic!("ordered handler panicked on purpose")
    }
}

#[injectable]
struct ConcurrentGateway {
    latches: Arc<Latches>,
    inflight: AtomicUsize,
}

#[web_socket_gateway(namespace = "/concurrent")]
impl ConcurrentGateway {
    #[subscribe_message("work")]
    async fn work(&self, #[connected_socket] socket: SocketRef, #[message_body] w: Work) -> Value {
        work(&self.latches, &socket, &self.inflight, w).await
    }

    /// In progress until the socket's latch is released.
    #[subscribe_message("slow")]
    async fn slow(&self, #[connected_socket] socket: SocketRef) -> &'static str {
        self.latches.wait(&socket.id().to_string()).await;
        "slow"
    }

    #[subscribe_message("fast")]
    async fn fast(&self) -> &'static str {
        "fast"
    }
}

// ---------------------------------------------------------------------------------------------
// Panics in enhancers.

#[injectable]
struct PanicGuard;

impl CanActivate for PanicGuard {
    async fn can_activate(&self, _ctx: &ExecutionContext<'_>) -> Result<bool, HandlerError> {
        panic!("guard panicked on purpose")
    }
}

#[injectable]
struct PanicBeforeInterceptor;

impl Interceptor for PanicBeforeInterceptor {
    async fn intercept(
        &self,
        _ctx: &ExecutionContext<'_>,
        _next: Next<'_>,
    ) -> Result<Reply, HandlerError> {
        panic!("interceptor panicked on purpose before the handler")
    }
}

#[injectable]
struct PanicAfterInterceptor;

impl Interceptor for PanicAfterInterceptor {
    async fn intercept(
        &self,
        _ctx: &ExecutionContext<'_>,
        next: Next<'_>,
    ) -> Result<Reply, HandlerError> {
        next.handle().await?;
        panic!("interceptor panicked on purpose after the handler")
    }
}

#[injectable]
struct PanicPipe;

impl PipeTransform for PanicPipe {
    fn transform(
        &self,
        _value: &mut dyn std::any::Any,
        _meta: &ArgumentMetadata,
    ) -> Result<(), HandlerError> {
        panic!("pipe panicked on purpose")
    }
}

#[injectable]
struct PanicGateway;

#[web_socket_gateway(namespace = "/panic")]
impl PanicGateway {
    #[subscribe_message("guard")]
    #[use_guards(PanicGuard)]
    fn guard(&self, #[message_body] _v: Value) -> &'static str {
        "the handler ran"
    }

    #[subscribe_message("interceptor-before")]
    #[use_interceptors(PanicBeforeInterceptor)]
    fn interceptor_before(&self, #[message_body] _v: Value) -> &'static str {
        "the handler ran"
    }

    #[subscribe_message("interceptor-after")]
    #[use_interceptors(PanicAfterInterceptor)]
    fn interceptor_after(&self, #[message_body] _v: Value) -> &'static str {
        "the handler ran"
    }

    #[subscribe_message("pipe")]
    fn pipe(&self, #[message_body(PanicPipe)] _v: Value) -> &'static str {
        "the handler ran"
    }

    #[subscribe_message("ping")]
    fn ping(&self) -> &'static str {
        "pong"
    }
}

// ---------------------------------------------------------------------------------------------
// Nested DTOs.

mod nested {
    use gateway_core::prelude::*;
    use serde_json::{Value, json};
    use validator::Validate;

    #[derive(Debug, Deserialize, Validate)]
    #[serde(rename_all = "camelCase")]
    pub struct ShippingAddress {
        #[validate(length(min = 1))]
        pub city_name: String,
        #[validate(length(equal = 5))]
        pub zip_code: String,
    }

    #[derive(Debug, Deserialize, Validate)]
    #[serde(rename_all = "camelCase")]
    pub struct LineItem {
        #[validate(length(min = 1, max = 10))]
        pub item_name: String,
        #[validate(range(min = 1, max = 99))]
        pub quantity: u32,
    }

    #[derive(Debug, Deserialize, Validate)]
    #[serde(rename_all = "camelCase")]
    pub struct OrderDto {
        #[validate(length(min = 1, max = 16))]
        pub display_name: String,
        #[validate(email)]
        pub contact_email: String,
        #[validate(nested)]
        pub shipping_address: ShippingAddress,
        #[validate(nested)]
        pub line_items: Vec<LineItem>,
    }

    /// A field the client may leave out: it is still named as on the wire.
    #[derive(Debug, Deserialize, Validate)]
    #[serde(rename_all = "camelCase")]
    pub struct CouponDto {
        #[serde(default)]
        #[validate(length(min = 3))]
        pub coupon_code: String,
    }

    /// Fields renamed to something else than a case change.
    #[derive(Debug, Deserialize, Validate)]
    pub struct RenamedDto {
        #[serde(rename = "e-mail")]
        #[validate(email)]
        pub contact: String,
    }

    #[injectable]
    pub struct NestedGateway;

    #[web_socket_gateway(namespace = "/validation-nested")]
    impl NestedGateway {
        #[subscribe_message("order")]
        fn order(&self, #[message_body(ValidationPipe)] dto: OrderDto) -> Value {
            json!({ "items": dto.line_items.len(), "city": dto.shipping_address.city_name })
        }

        #[subscribe_message("coupon")]
        fn coupon(&self, #[message_body(ValidationPipe)] dto: CouponDto) -> String {
            dto.coupon_code
        }

        #[subscribe_message("renamed")]
        fn renamed(&self, #[message_body(ValidationPipe)] dto: RenamedDto) -> String {
            dto.contact
        }
    }

    #[module(providers = [NestedGateway])]
    pub struct NestedModule;
}

// ---------------------------------------------------------------------------------------------
// The applications.

/// NestJS's scenarios, nothing global.
#[module(providers = [NestGateway, ErrorGateway])]
struct PlainModule;

/// Everything, with recording enhancers bound globally.
#[module(providers = [
    Recorder,
    CountingGuard,
    NestGateway,
    ErrorGateway,
    OrderGateway,
    FilterGateway,
    PlainGateway,
    ConnDenyGateway,
    ConnBanGateway,
    ConnAuthGateway,
    ConnHeaderGateway,
    ConnQueryGateway,
    ConnTwoGateway,
    ConnOrderGateway,
    ConnPanicGateway,
    MetaGateway,
    RolesGateway,
    DiGateway,
    ValidationGateway,
    ValidationGwGateway,
    InterceptorsGateway,
    OrderedGateway,
    ConcurrentGateway,
    PanicGateway,
    Latches,
    LatchGateway,
])]
struct MainModule;

/// NestJS's scenarios under a global `LoggingInterceptor`.
#[module(providers = [NestGateway, ErrorGateway])]
struct LogModule;

/// Errors answer the ack.
#[module(providers = [ErrorGateway])]
struct AckModule;

/// A global guard denies everything.
#[module(providers = [NestGateway])]
struct DenyModule;

/// `ValidationPipe` bound globally.
#[module(providers = [ValidationGlobalGateway])]
struct ValidModule;

/// Captures `tracing` output, to check what `LoggingInterceptor` logs.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&lock(&self.0)).into_owned()
    }
}

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        lock(&self.0).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn url(addr: std::net::SocketAddr) -> String {
    format!("http://{addr}")
}

/// The order of one successful message through every level (what `order/run` with trace
/// `order-rust` must have recorded, checked from Rust after the suite).
const FULL_ORDER: [&str; 15] = [
    "guard:global",
    "guard:gateway",
    "guard:handler",
    "guard:handler:2",
    "interceptor:global:before",
    "interceptor:gateway:before",
    "interceptor:handler:before",
    "pipe:global",
    "pipe:gateway",
    "pipe:handler",
    "pipe:param",
    "handler",
    "interceptor:handler:after",
    "interceptor:gateway:after",
    "interceptor:global:after",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pipeline_through_socket_io_client() {
    let logs = LogBuffer::default();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "warn,LoggingInterceptor=info",
        ))
        .with_ansi(false)
        .with_writer(logs.clone())
        .try_init();

    let plain = GatewayApplication::create::<PlainModule>()
        .await
        .expect("PlainModule builds")
        .start("127.0.0.1:0")
        .await
        .expect("PlainModule starts");

    let main = GatewayApplication::create::<MainModule>()
        .await
        .expect("MainModule builds");
    let recorder = main
        .get::<Recorder>()
        .expect("Recorder is a provider of MainModule");
    let main = main
        .use_global_guard::<GlobalGuard>()
        .use_global_interceptor::<GlobalInterceptor>()
        .use_global_pipe::<GlobalPipe>()
        .use_global_filter::<GlobalFilter>()
        .use_global_filter::<GlobalSharedFilter>()
        .use_global_connection_guard::<GlobalConnGuard>()
        .start("127.0.0.1:0")
        .await
        .expect("MainModule starts");

    let log = GatewayApplication::create::<LogModule>()
        .await
        .expect("LogModule builds")
        .use_global_interceptor::<LoggingInterceptor>()
        .start("127.0.0.1:0")
        .await
        .expect("LogModule starts");

    let ack = GatewayApplication::create::<AckModule>()
        .await
        .expect("AckModule builds")
        .ack_errors(true)
        .start("127.0.0.1:0")
        .await
        .expect("AckModule starts");

    let deny = GatewayApplication::create::<DenyModule>()
        .await
        .expect("DenyModule builds")
        .use_global_guard::<DenyGuard>()
        .start("127.0.0.1:0")
        .await
        .expect("DenyModule starts");

    let valid = GatewayApplication::create::<ValidModule>()
        .await
        .expect("ValidModule builds")
        .use_global_pipe::<ValidationPipe>()
        .start("127.0.0.1:0")
        .await
        .expect("ValidModule starts");

    #[allow(unused_mut)]
    let mut env = vec![
        ("PLAIN_URL", url(plain.addr())),
        ("MAIN_URL", url(main.addr())),
        ("LOG_URL", url(log.addr())),
        ("ACK_URL", url(ack.addr())),
        ("DENY_URL", url(deny.addr())),
        ("VALID_URL", url(valid.addr())),
    ];
    let mut apps = vec![plain, main, log, ack, deny, valid];
    {
        let nested = GatewayApplication::create::<nested::NestedModule>()
            .await
            .expect("NestedModule builds")
            .start("127.0.0.1:0")
            .await
            .expect("NestedModule starts");
        env.push(("NESTED_URL", url(nested.addr())));
        apps.push(nested);
    }

    let out = run_node_suite_async("pipeline.test.mjs", env).await;
    for app in apps {
        app.shutdown().await;
    }

    let mut failures = Vec::new();
    match &out {
        Ok(report) => println!("{report}"),
        Err(report) => failures.push(format!("socket.io-client suite failed:\n{report}")),
    }

    // The JS suite ran `order/run` with trace `order-rust` once, successfully.
    let recorded = recorder.of("order-rust");
    if recorded != FULL_ORDER {
        failures.push(format!(
            "order of one message through every level:\n  expected {FULL_ORDER:?}\n  recorded {recorded:?}"
        ));
    }

    // The global LoggingInterceptor logged the LogModule's messages: event, gateway, handler,
    // duration, outcome.
    let text = logs.text();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("LoggingInterceptor"))
        .collect();
    let ok_push = lines.iter().any(|l| {
        l.contains("ok")
            && l.contains("event=\"push\"")
            && l.contains("gateway=\"NestGateway\"")
            && l.contains("handler=\"push\"")
            && l.contains("micros=")
    });
    let failed_push = lines.iter().any(|l| {
        l.contains("failed")
            && l.contains("event=\"push\"")
            && l.contains("gateway=\"ErrorGateway\"")
            && l.contains("test")
    });
    if !ok_push || !failed_push {
        failures.push(format!(
            "LoggingInterceptor should log `push` on NestGateway (ok: {ok_push}) and on ErrorGateway (failed: {failed_push}); its lines:\n{}",
            lines.join("\n")
        ));
    }

    if !failures.is_empty() {
        panic!("{}\n--- captured log ---\n{text}", failures.join("\n\n"));
    }
}
