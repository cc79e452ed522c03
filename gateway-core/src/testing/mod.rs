//! Testing gateways from Rust (feature `testing`, for `[dev-dependencies]`).
//!
//! [`TestClient`] is a socket.io v5 client (engine.io v4, over a WebSocket or HTTP
//! long-polling) made for assertions: every wait is bounded, a `connect_error` is a value,
//! acks come back typed, and events wait in an inbox until a test expects them.
//!
//! ```toml
//! [dev-dependencies]
//! gateway-core = { path = "../gateway-core", features = ["testing"] }
//! ```
//!
//! ```no_run
//! use gateway_core::prelude::*;
//! use gateway_core::testing::TestClient;
//!
//! #[injectable]
//! struct EchoGateway;
//!
//! #[web_socket_gateway(namespace = "/echo")]
//! impl EchoGateway {
//!     #[subscribe_message("echo")]
//!     async fn echo(&self, #[message_body] text: String) -> String {
//!         text
//!     }
//! }
//!
//! #[module(providers = [EchoGateway])]
//! struct AppModule;
//!
//! #[tokio::test]
//! async fn echoes() -> Result<(), BoxError> {
//!     let app = GatewayApplication::create::<AppModule>().await?.start("127.0.0.1:0").await?;
//!     let client = TestClient::connect(app.addr(), "/echo").await?;
//!     let echoed: String = client.emit_with_ack("echo", &"hello").await?;
//!     assert_eq!(echoed, "hello");
//!     app.shutdown().await;
//!     Ok(())
//! }
//! ```

mod client;
mod engine;
mod error;
mod module;
mod packet;

pub(crate) use crate::app::InProcessPipe;
pub use client::{AckRequest, DEFAULT_TIMEOUT, TestClient, TestClientBuilder, Transport};
pub use error::{CloseReason, ConnectError, TestClientError};
pub use module::{TestApp, TestingModule, TestingModuleBuilder};
