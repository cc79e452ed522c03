//! A `#[web_socket_gateway]` compiled into the binary but listed in no module of the
//! application is served by nothing: start-up says so with a warning that names it and where
//! it is declared, and says nothing of the gateways that are listed.

use std::sync::{Arc, Mutex};

use gateway_core::prelude::*;

#[injectable]
struct ListedGateway;

#[web_socket_gateway(namespace = "/listed")]
impl ListedGateway {
    #[subscribe_message("ping")]
    fn ping(&self) {}
}

/// Compiled in, listed nowhere.
mod forgotten {
    #![allow(dead_code)] // never built: that is the point

    use gateway_core::prelude::*;

    #[injectable]
    struct ForgottenGateway;

    #[web_socket_gateway(namespace = "/forgotten")]
    impl ForgottenGateway {
        #[subscribe_message("ping")]
        fn ping(&self) {}
    }
}

#[module(providers = [ListedGateway])]
struct AppModule;

/// Captures what `tracing` writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn an_unlisted_gateway_is_named_in_a_start_up_warning() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("warn")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // The warning is written by `start`, on this (current-thread) test's thread.
    let _guard = tracing_subscriber::util::SubscriberInitExt::set_default(subscriber);
    let app = GatewayApplication::create::<AppModule>()
        .await
        .expect("builds")
        .start("127.0.0.1:0")
        .await
        .expect("starts");
    app.shutdown().await;
    let log =
        String::from_utf8_lossy(&captured.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
    let line = log
        .lines()
        .find(|l| l.contains("ForgottenGateway"))
        .unwrap_or_else(|| panic!("a warning names ForgottenGateway; log:\n{log}"));
    assert!(line.contains("WARN"), "{line}");
    assert!(
        line.contains("unlisted_gateway.rs"),
        "it says where: {line}"
    );
    assert!(line.contains("listed in no module"), "{line}");
    assert!(
        !log.contains("ListedGateway ("),
        "listed gateways are not warned about:\n{log}"
    );
}
