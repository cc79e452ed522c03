//! What one client may take of the server: connections (total and per IP), the time to send a
//! request head, the time shutdown waits; and the count of open connections that enforces them.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Bounds on what clients may take, for every listener of an application
/// ([`GatewayApplication::limits`](crate::GatewayApplication::limits)).
///
/// The defaults cap nothing that a real client does: no connection limit, 10 s to send a
/// request's head, 10 s for shutdown. A connection past a limit is answered `503 Service
/// Unavailable` and closed, before its request is read; socket.io clients see a
/// `connect_error` and retry with their back-off.
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
    pub(crate) head_timeout: Duration,
    pub(crate) shutdown_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: None,
            max_connections_per_ip: None,
            head_timeout: Duration::from_secs(10),
            shutdown_timeout: Duration::from_secs(10),
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

    /// How long a client has to send a whole request head once it has connected (or between
    /// two requests on one connection); past it, the connection is closed. Default 10 s.
    /// The socket.io handshake has its own deadline: a client that never joins a namespace
    /// is dropped after the gateway's `connect_timeout` (45 s by default, as socket.io).
    pub fn head_timeout(mut self, timeout: Duration) -> Self {
        self.head_timeout = timeout;
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
}

impl Refused {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Refused::Total => "max_connections",
            Refused::PerIp => "max_connections_per_ip",
        }
    }
}

/// The open connections of one listener, by client IP.
#[derive(Debug)]
pub(crate) struct Admission {
    limits: Limits,
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_ip: HashMap<IpAddr, usize>,
}

impl Admission {
    pub(crate) fn new(limits: Limits) -> Arc<Self> {
        Arc::new(Admission {
            limits,
            open: Mutex::new(Open::default()),
        })
    }

    /// Counts a new connection from `ip` in, or says which limit it would pass.
    pub(crate) fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Admitted, Refused> {
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
