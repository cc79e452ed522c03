//! [`Outbox`]: where a handler's answers go.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use super::{Ack, Data, Reply};
use crate::error::{HandlerError, LogEvery};
use crate::socket::{EmitError, SocketRef};

/// Where a handler's answers go: the client's ack (when it asked for one), and, when
/// interceptors run around the handler, the captured reply they will see. Shared between the
/// handler's context, an `AckSender` it took, and the dispatcher, which answers errors and
/// interceptor replies.
pub(crate) struct Outbox {
    ack: Mutex<Option<Ack>>,
    capture: Option<Mutex<Reply>>,
    /// The handler took an `AckSender`: its return value does not answer the ack (errors
    /// still may, with `ack_errors`).
    manual: AtomicBool,
}

impl Outbox {
    /// An outbox for `ack` (when the client asked for one); `capture` when interceptors run.
    pub(crate) fn new(ack: Option<Ack>, capture: bool) -> Self {
        Outbox {
            ack: Mutex::new(ack),
            capture: capture.then(Mutex::default),
            manual: AtomicBool::new(false),
        }
    }

    /// The ack, once: whoever takes it answers it.
    pub(crate) fn take_ack(&self) -> Option<Ack> {
        self.ack.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Whether the client asked for an ack that nobody answered or took yet.
    pub(crate) fn ack_pending(&self) -> bool {
        self.ack.lock().is_ok_and(|a| a.is_some())
    }

    /// The handler answers the ack itself: its return value will not.
    pub(crate) fn set_manual(&self) {
        self.manual.store(true, Ordering::Release);
    }

    /// The ack for the return value: none when the handler answers it itself.
    pub(crate) fn take_reply_ack(&self) -> Option<Ack> {
        if self.manual.load(Ordering::Acquire) {
            None
        } else {
            self.take_ack()
        }
    }

    /// What the handler replied, for the interceptors (nothing when not capturing).
    pub(crate) fn take_capture(&self) -> Reply {
        match &self.capture {
            Some(c) => std::mem::take(&mut *c.lock().unwrap_or_else(|e| e.into_inner())),
            None => Reply::Nothing,
        }
    }

    /// Answers the ack with `data`: captured for the interceptors, or sent when the client
    /// asked and nobody took the ack.
    pub(crate) fn ack<T: Serialize + ?Sized>(&self, data: &T) -> Result<(), HandlerError> {
        if let Some(capture) = &self.capture {
            let data = Data::new(data)?;
            *capture.lock().unwrap_or_else(|e| e.into_inner()) = Reply::Ack(data);
            return Ok(());
        }
        match self.take_reply_ack() {
            Some(ack) => delivered(ack.send(data)),
            None => Ok(()),
        }
    }

    /// Emits `event` to the client, or captures it for the interceptors.
    pub(crate) fn emit<T: Serialize + ?Sized>(
        this: Option<&Self>,
        socket: &SocketRef,
        event: &str,
        data: &T,
    ) -> Result<(), HandlerError> {
        if let Some(capture) = this.and_then(|o| o.capture.as_ref()) {
            let data = Data::new(data)?;
            let mut reply = capture.lock().unwrap_or_else(|e| e.into_inner());
            match &mut *reply {
                Reply::Emit(list) => list.push((event.to_owned(), data)),
                other => *other = Reply::Emit(vec![(event.to_owned(), data)]),
            }
            return Ok(());
        }
        delivered(socket.emit(event, data))
    }
}

/// A closed socket is not the handler's fault: the client left. A full outgoing buffer is not
/// either: the client does not read, and the reply is dropped (an `exception` would be too);
/// that is logged at most once a second for the whole server, with the count, never once per
/// packet. Anything else is a bug.
pub(crate) fn delivered(r: Result<(), EmitError>) -> Result<(), HandlerError> {
    match r {
        Ok(()) | Err(EmitError::Closed) => Ok(()),
        Err(EmitError::BufferFull) => {
            DROPPED.note(&"outgoing buffer full");
            crate::metrics::packet_dropped();
            Ok(())
        }
        Err(e) => Err(HandlerError::Internal(Box::new(e))),
    }
}

/// Replies dropped because their client's outgoing buffer was full.
static DROPPED: LogEvery =
    LogEvery::new("replies dropped: their clients do not read (outgoing buffer full)");
