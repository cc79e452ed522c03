//! The dispatcher: one per socket, registered as socketioxide's fallback handler, so that what
//! a connection costs does not grow with its gateway's handlers. It finds the route of each
//! message in the gateway's shared table, holds messages until `handle_connection` has run
//! (the gate), and runs them: each in a task of its own, as socketioxide does, or one at a time
//! in arrival order for an `ordered` gateway.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use socketioxide::adapter::Adapter;
use socketioxide::extract::Event;
use socketioxide::handler::{FromMessageParts, MessageHandler};
use socketioxide::socket::Socket;
use socketioxide_core::Value;

use super::route::Endpoint;
use crate::message::event_name;

/// A gateway's routes by event, shared by all its sockets.
pub(crate) struct Table<A: Adapter> {
    routes: HashMap<&'static str, Arc<dyn Endpoint<A>>>,
    /// Messages from one socket are handled one at a time, in arrival order.
    ordered: bool,
}

impl<A: Adapter> Table<A> {
    pub(crate) fn new(routes: HashMap<&'static str, Arc<dyn Endpoint<A>>>, ordered: bool) -> Self {
        Table { routes, ordered }
    }

    /// Puts a dispatcher on a socket that is connecting (before the client may send), and
    /// returns the gate that holds its messages until the connection hook has run.
    pub(crate) fn attach(self: &Arc<Self>, socket: &Socket<A>) -> Arc<Connection> {
        let gate = Arc::new(Connection::default());
        socket.on_fallback(Dispatcher {
            table: self.clone(),
            gate: gate.clone(),
        });
        gate
    }
}

/// What socketioxide calls for every event of one socket.
struct Dispatcher<A: Adapter> {
    table: Arc<Table<A>>,
    gate: Arc<Connection>,
}

/// The dispatcher's tag among socketioxide's handler kinds.
struct Dispatch;

impl<A: Adapter> MessageHandler<A, Dispatch> for Dispatcher<A> {
    fn call(&self, socket: Arc<Socket<A>>, mut data: Value, ack_id: Option<i64>) {
        let route = match event_name(&data) {
            Some(event) => self.table.routes.get(event),
            None => match Event::from_message_parts(&socket, &mut data, &ack_id) {
                Ok(Event(event)) => self.table.routes.get(event.as_str()),
                Err(_) => None,
            },
        };
        // An event no handler subscribes to is ignored, as socket.io and NestJS do.
        let Some(route) = route else { return };
        let message = route
            .clone()
            .accept(self.gate.clone(), socket, data, ack_id);
        if self.table.ordered {
            self.gate.enqueue(message);
        } else {
            run(message);
        }
    }
}

/// Runs `task` in a task of its own. Running the messages that finish without waiting inline
/// instead (polled once here, spawned only if they wait) saves 14 % of the instructions per
/// echo under callgrind, but cost 1.48x the server CPU in the benchmark's echo: measured
/// 2026-12-06, and not kept.
fn run(task: BoxFuture<'static, ()>) {
    tokio::spawn(task);
}

/// Per-socket state of a gateway: the gate that holds messages until the gateway's
/// `handle_connection` hook has run, and the queue of an `ordered` gateway.
#[derive(Debug, Default)]
pub(crate) struct Connection {
    ready: AtomicBool,
    // The hook failed: the socket is being disconnected, and the held messages are dropped.
    refused: AtomicBool,
    notify: tokio::sync::Notify,
    queue: Mutex<Queue>,
}

/// Messages of an `ordered` gateway waiting for the one being handled.
#[derive(Default)]
struct Queue {
    waiting: VecDeque<BoxFuture<'static, ()>>,
    running: bool,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("waiting", &self.waiting.len())
            .field("running", &self.running)
            .finish()
    }
}

impl Connection {
    /// Opens the gate.
    pub(crate) fn set_ready(&self) {
        self.ready.store(true, Ordering::Release);
        self.notify.notify_waiters();
    }

    /// Opens the gate for good, but only to let the held messages go: they are not handled.
    pub(crate) fn refuse(&self) {
        self.refused.store(true, Ordering::Release);
        self.set_ready();
    }

    /// Waits until the gate is open (one atomic load once it is); whether the messages are
    /// to be handled (not after [`refuse`](Self::refuse)).
    pub(crate) async fn ready(&self) -> bool {
        if !self.ready.load(Ordering::Acquire) {
            let notified = self.notify.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if !self.ready.load(Ordering::Acquire) {
                notified.await;
            }
        }
        !self.refused.load(Ordering::Acquire)
    }

    /// Handles `message` after those before it: at once when none is running, else queued.
    /// Each message that finishes starts the next one, so a burst of n messages costs n
    /// wake-ups, not n² as when every waiting message checks whether its turn has come.
    fn enqueue(self: &Arc<Self>, message: BoxFuture<'static, ()>) {
        {
            let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
            if queue.running {
                queue.waiting.push_back(message);
                return;
            }
            queue.running = true;
        }
        run(Box::pin(self.clone().drain(message)));
    }

    /// Handles `first`, then every queued message, until the queue is empty.
    async fn drain(self: Arc<Self>, first: BoxFuture<'static, ()>) {
        let mut next = first;
        loop {
            // Each message catches its own panics: the queue always moves on.
            next.await;
            let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
            match queue.waiting.pop_front() {
                Some(message) => next = message,
                None => {
                    queue.running = false;
                    return;
                }
            }
        }
    }
}
