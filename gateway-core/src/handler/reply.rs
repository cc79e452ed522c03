//! What a handler's return value does on the wire (NEST-SEMANTICS.md, "What a handler's result
//! does"):
//!
//! | returns | the client gets |
//! |---|---|
//! | `()` | nothing |
//! | [`WsResponse`] | `emit(event, data)`, no ack |
//! | a `Stream` of [`WsResponse`] | one emit per item, in order |
//! | `Option<T>` | `Some`: as `T`; `None`: nothing |
//! | any other `T: Serialize` | the ack, when the client asked for one |
//! | `Result<T, E>` | `Ok`: as above; `Err`: an `exception` event |
//!
//! The choice is made at compile time from the concrete return type, by "autoref
//! specialization": the generated code calls a method on `&&&&&&Probe<T>`, and the impl that needs
//! the fewest auto-derefs wins. Each tag then delivers with the bounds its kind needs.

use std::borrow::Cow;
use std::marker::PhantomData;

use futures_util::{Stream, StreamExt};
use serde::Serialize;

use super::MessageContext;
use crate::error::{BoxError, HandlerError};

/// An event to emit back to the client: NestJS's `WsResponse { event, data }`.
///
/// ```
/// use gateway_core::WsResponse;
/// let r = WsResponse::new("joined", "room-1");
/// assert_eq!(r.event, "joined");
/// ```
#[derive(Debug, Clone)]
pub struct WsResponse<T> {
    /// The event name.
    pub event: Cow<'static, str>,
    /// The data. A tuple is sent as several arguments.
    pub data: T,
}

impl<T> WsResponse<T> {
    /// An event with its data.
    pub fn new(event: impl Into<Cow<'static, str>>, data: T) -> Self {
        WsResponse {
            event: event.into(),
            data,
        }
    }
}

impl<E: crate::socket::Event> WsResponse<E> {
    /// A typed event, sent as its [`Event::NAME`](crate::Event::NAME):
    /// `WsResponse::event(Joined(room))`.
    pub fn event(data: E) -> Self {
        WsResponse::new(E::NAME, data)
    }
}

/// Stands for a value's type during tag selection.
pub struct Probe<T>(PhantomData<T>);

/// The probe of `value`'s type.
pub fn probe<T>(_: &T) -> Probe<T> {
    Probe(PhantomData)
}

// Step 1: is it a `Result`?

/// Tag: the handler returned a `Result`.
pub struct IsResult;
/// Tag: the handler returned something else.
pub struct NotResult;

/// Selects [`IsResult`].
pub trait ResultTag {
    /// Picks this tag for the probed type.
    fn result_tag(&self) -> IsResult {
        IsResult
    }
}
impl<T, E: Into<BoxError>> ResultTag for &Probe<Result<T, E>> {}

/// Selects [`NotResult`].
pub trait PlainTag {
    /// Picks this tag for the probed type.
    fn result_tag(&self) -> NotResult {
        NotResult
    }
}
impl<T> PlainTag for Probe<T> {}

impl IsResult {
    /// `Err(e)` becomes a handler error (a `WsException` stays one).
    pub fn split<T, E: Into<BoxError>>(self, r: Result<T, E>) -> Result<T, HandlerError> {
        r.map_err(|e| HandlerError::from(e.into()))
    }
}
impl NotResult {
    /// Always `Ok`.
    pub fn split<T>(self, v: T) -> Result<T, HandlerError> {
        Ok(v)
    }
}

// Step 2: what to do with the value.

/// Tag: send nothing.
pub struct Nothing;
/// Tag: emit a [`WsResponse`].
pub struct Emit;
/// Tag: `Some` is acked, `None` sends nothing.
pub struct MaybeAck;
/// Tag: emit every `WsResponse` of a stream.
pub struct EmitEach;
/// Tag: ack the value.
pub struct AckValue;
/// Tag: the type cannot be sent.
pub struct Unsendable;

/// Selects [`Nothing`] for `()`.
pub trait UnitTag {
    /// Picks this tag for the probed type.
    fn reply_tag(&self) -> Nothing {
        Nothing
    }
}
impl UnitTag for &&&&&Probe<()> {}

/// Selects [`Emit`] for `WsResponse<D>`.
pub trait ResponseTag {
    /// Picks this tag for the probed type.
    fn reply_tag(&self) -> Emit {
        Emit
    }
}
impl<D: Serialize> ResponseTag for &&&&Probe<WsResponse<D>> {}

/// Selects [`MaybeAck`] for `Option<T>`.
pub trait OptionTag {
    /// Picks this tag for the probed type.
    fn reply_tag(&self) -> MaybeAck {
        MaybeAck
    }
}
impl<T: Serialize> OptionTag for &&&Probe<Option<T>> {}

/// Selects [`EmitEach`] for a stream of `WsResponse`.
pub trait StreamTag {
    /// Picks this tag for the probed type.
    fn reply_tag(&self) -> EmitEach {
        EmitEach
    }
}
impl<S: Stream<Item = WsResponse<D>>, D: Serialize> StreamTag for &&Probe<S> {}

/// Selects [`AckValue`] for any other serializable value.
pub trait ValueTag {
    /// Picks this tag for the probed type.
    fn reply_tag(&self) -> AckValue {
        AckValue
    }
}
impl<T: Serialize> ValueTag for &Probe<T> {}

/// Selects [`Unsendable`] when nothing else fits: reported at compile time by [`Unsendable::deliver`].
pub trait FallbackTag {
    /// Picks this tag for the probed type.
    fn reply_tag(&self) -> Unsendable {
        Unsendable
    }
}
impl<T> FallbackTag for Probe<T> {}

/// A handler return type that the client can be sent. Implemented by nothing: its only use is
/// the compile error for a return type that is neither `()`, `WsResponse`, a stream of them,
/// `Option<T>`, `Result<T, E>` nor `Serialize`.
#[diagnostic::on_unimplemented(
    message = "a handler cannot return `{Self}`: it cannot be sent to the client",
    label = "returned by this handler",
    note = "return `()`, a `Serialize` value (sent as the ack), `WsResponse<T>`, a `Stream` of `WsResponse<T>`, `Option<T>`, or a `Result` of one of these"
)]
pub trait Sendable {}

impl Nothing {
    /// Sends nothing.
    pub async fn deliver(self, _: (), _: &mut MessageContext) -> Result<(), HandlerError> {
        Ok(())
    }
}
impl Emit {
    /// Emits the response to the client.
    pub async fn deliver<D: Serialize>(
        self,
        r: WsResponse<D>,
        ctx: &mut MessageContext,
    ) -> Result<(), HandlerError> {
        ctx.emit(&r.event, &r.data)
    }
}
impl MaybeAck {
    /// Acks `Some`.
    pub async fn deliver<T: Serialize>(
        self,
        v: Option<T>,
        ctx: &mut MessageContext,
    ) -> Result<(), HandlerError> {
        match v {
            Some(v) => ctx.ack(&v),
            None => Ok(()),
        }
    }
}
impl EmitEach {
    /// Emits each item in order.
    pub async fn deliver<S: Stream<Item = WsResponse<D>>, D: Serialize>(
        self,
        s: S,
        ctx: &mut MessageContext,
    ) -> Result<(), HandlerError> {
        let mut s = std::pin::pin!(s);
        while let Some(r) = s.next().await {
            ctx.emit(&r.event, &r.data)?;
        }
        Ok(())
    }
}
impl AckValue {
    /// Acks the value.
    pub async fn deliver<T: Serialize>(
        self,
        v: T,
        ctx: &mut MessageContext,
    ) -> Result<(), HandlerError> {
        ctx.ack(&v)
    }
}
impl Unsendable {
    /// Never compiles: `T` is not [`Sendable`].
    pub fn deliver<T: Sendable>(
        self,
        _: T,
        _: &mut MessageContext,
    ) -> std::future::Ready<Result<(), HandlerError>> {
        std::future::ready(Ok(()))
    }
}

/// Sends a handler's return value: expanded by the generated code, where the type is concrete.
#[doc(hidden)]
#[macro_export]
macro_rules! __reply {
    ($ctx:expr, $value:expr) => {{
        #[allow(unused_imports)]
        use $crate::__private::reply::{
            FallbackTag as _, OptionTag as _, PlainTag as _, ResponseTag as _, ResultTag as _,
            StreamTag as _, UnitTag as _, ValueTag as _,
        };
        let __value = $value;
        match (&&$crate::__private::reply::probe(&__value))
            .result_tag()
            .split(__value)
        {
            ::core::result::Result::Ok(__ok) => {
                (&&&&&&$crate::__private::reply::probe(&__ok))
                    .reply_tag()
                    .deliver(__ok, $ctx)
                    .await
            }
            ::core::result::Result::Err(__err) => ::core::result::Result::Err(__err),
        }
    }};
}
