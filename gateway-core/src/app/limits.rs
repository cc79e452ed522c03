//! What one client may take of the server: connections (total and per IP), the time to send a
//! request head, the bytes waiting for it, the time shutdown waits; and the count of open
//! connections that enforces them.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::rate::{self, KeyedBudgets};

/// Bounds on what clients may take, for every listener of an application
/// ([`GatewayApplication::limits`](crate::GatewayApplication::limits)).
///
/// The defaults cap nothing that a real client does: no connection limit, 10 s to send a
/// request's head, 1 MiB waiting for a client that does not read, 10 s for shutdown. A
/// connection past a limit is answered `503 Service Unavailable` and closed, before its
/// request is read; socket.io clients see a `connect_error` and retry with their back-off.
///
/// ```no_run
/// # use gateway_core::prelude::*;
/// # use gateway_core::Limits;
/// # #[module(providers = [])] struct AppModule;
/// # async fn run() -> Result<(), BoxError> {
/// let app = GatewayApplication::create::<AppModule>().await?.limits(
///     Limits::default()
///         .max_connections(50_000)
///         .max_connections_per_ip(100),
/// );
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub(crate) max_connections: Option<usize>,
    pub(crate) max_connections_per_ip: Option<usize>,
    pub(crate) connection_rate_per_ip: Option<(u32, Duration)>,
    pub(crate) head_timeout: Duration,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) max_buffered_bytes: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: None,
            max_connections_per_ip: None,
            connection_rate_per_ip: None,
            head_timeout: Duration::from_secs(10),
            shutdown_timeout: Duration::from_secs(10),
            max_buffered_bytes: Some(1 << 20),
        }
    }
}

impl Limits {
    /// At most `n` open TCP connections per listener (websockets and polling requests alike).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = Some(n);
        self
    }

    /// At most `n` open TCP connections per client IP address, per listener. A polling client
    /// holds one or two at a time, a websocket client one.
    pub fn max_connections_per_ip(mut self, n: usize) -> Self {
        self.max_connections_per_ip = Some(n);
        self
    }

    /// At most `n` new connections per client IP in any `per` (governor's GCRA: `n` at once,
    /// then one more every `per / n`), per listener: a client reconnecting in a loop is
    /// refused, with a 503, before any handshake work. Polling clients open a connection per
    /// request cycle when they do not keep it alive: leave room for them.
    pub fn connection_rate_per_ip(mut self, n: u32, per: Duration) -> Self {
        self.connection_rate_per_ip = Some((n, per));
        self
    }

    /// How long a client has to send a whole request head once it has connected (or between
    /// two requests on one connection); past it, the connection is closed. Default 10 s.
    /// The socket.io handshake has its own deadline: a client that never joins a namespace
    /// is dropped after the gateway's `connect_timeout` (45 s by default, as socket.io).
    pub fn head_timeout(mut self, timeout: Duration) -> Self {
        self.head_timeout = timeout;
        self
    }

    /// How many bytes may wait for a client that does not read, beyond what the kernel's send
    /// buffer holds; past it, its connection is closed (socket.io disconnects the socket with
    /// a transport error), logged at WARN (at most a line a second) and counted in
    /// `gateway_slow_clients_closed_total`. Default `Some(1 MiB)`.
    ///
    /// Below the bound nothing is lost: the bytes are sent as the client reads. One message
    /// larger than the bound is let through when nothing else waits; raise the bound when
    /// clients on slow links receive several large messages in a row. `None` keeps
    /// socketioxide's own bound only: 128 packets per socket (of any size), past which replies
    /// and emits are dropped and counted in `gateway_packets_dropped_total`, while the socket
    /// stays connected until socket.io's heartbeat gives up on it.
    pub fn max_buffered_bytes(mut self, bytes: Option<usize>) -> Self {
        self.max_buffered_bytes = bytes;
        self
    }

    /// How long [`RunningApp::shutdown`](crate::RunningApp::shutdown) waits for clients to be
    /// disconnected and their hooks to run before it closes what remains. Default 10 s.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }
}

/// Why a connection was refused, as `/metrics` and the logs name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The listener has `max_connections` open.
    Total,
    /// The client's IP has `max_connections_per_ip` open.
    PerIp,
    /// The client's IP opened connections faster than `connection_rate_per_ip`.
    Rate,
}

impl Refused {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Refused::Total => "max_connections",
            Refused::PerIp => "max_connections_per_ip",
            Refused::Rate => "connection_rate_per_ip",
        }
    }
}

/// The open connections of one listener, by client IP.
#[derive(Debug)]
pub(crate) struct Admission {
    limits: Limits,
    open: Mutex<Open>,
    /// New connections per IP, when limited.
    rate: Option<KeyedBudgets<IpAddr>>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_ip: HashMap<IpAddr, usize>,
}

impl Admission {
    pub(crate) fn new(limits: Limits) -> Arc<Self> {
        Arc::new(Admission {
            rate: limits
                .connection_rate_per_ip
                .and_then(|(n, per)| rate::quota(n, per))
                .map(KeyedBudgets::new),
            limits,
            open: Mutex::new(Open::default()),
        })
    }

    /// Counts a new connection from `ip` in, or says which limit it would pass.
    pub(crate) fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Admitted, Refused> {
        if self.rate.as_ref().is_some_and(|r| !r.allows(&ip)) {
            return Err(Refused::Rate);
        }
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if self
            .limits
            .max_connections
            .is_some_and(|max| open.total >= max)
        {
            return Err(Refused::Total);
        }
        // Counting per IP only when limited keeps the map empty otherwise.
        if let Some(max) = self.limits.max_connections_per_ip {
            let n = open.by_ip.entry(ip).or_default();
            if *n >= max {
                return Err(Refused::PerIp);
            }
            *n += 1;
        }
        open.total += 1;
        Ok(Admitted {
            admission: self.clone(),
            ip,
        })
    }
}

/// One open connection, counted until it is dropped (with the connection's socket).
#[derive(Debug)]
pub(crate) struct Admitted {
    admission: Arc<Admission>,
    ip: IpAddr,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self
            .admission
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        open.total -= 1;
        if self.admission.limits.max_connections_per_ip.is_some()
            && let Some(n) = open.by_ip.get_mut(&self.ip)
        {
            *n -= 1;
            if *n == 0 {
                open.by_ip.remove(&self.ip);
            }
        }
    }
}

/// Raises this process's soft limit of open files to its hard limit, once, and logs both: a
/// server of many connections otherwise stops accepting at the usual soft limit of 1024.
pub(crate) fn raise_fd_limit() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => tracing::info!(target: "GatewayApplication", "open files limit: {n}"),
        Err(e) => tracing::warn!(target: "GatewayApplication", "could not raise the open files limit: {e}"),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_connections_until_they_close() {
        let a = Admission::new(
            Limits::default()
                .max_connections(3)
                .max_connections_per_ip(2),
        );
        let (x, y) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let first = a.admit(x).unwrap();
        let _second = a.admit(x).unwrap();
        assert_eq!(a.admit(x).unwrap_err(), Refused::PerIp);
        let _third = a.admit(y).unwrap();
        assert_eq!(a.admit(y).unwrap_err(), Refused::Total);
        drop(first);
        let _again = a.admit(x).unwrap();
    }

    #[test]
    fn a_burst_of_connections_from_one_ip_is_cut() {
        let a =
            Admission::new(Limits::default().connection_rate_per_ip(3, Duration::from_secs(3600)));
        let (x, y) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        for _ in 0..3 {
            drop(a.admit(x).unwrap());
        }
        assert_eq!(a.admit(x).unwrap_err(), Refused::Rate);
        assert!(a.admit(y).is_ok(), "another IP has a budget of its own");
    }

    #[test]
    fn unlimited_keeps_no_map() {
        let a = Admission::new(Limits::default());
        let held: Vec<_> = (0..100)
            .map(|i| a.admit(IpAddr::from([10, 0, 0, i])).unwrap())
            .collect();
        assert!(a.open.lock().unwrap().by_ip.is_empty());
        assert_eq!(a.open.lock().unwrap().total, 100);
        drop(held);
        assert_eq!(a.open.lock().unwrap().total, 0);
    }
}
