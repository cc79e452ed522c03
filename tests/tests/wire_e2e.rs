//! What a handler returns reaches the client in the handler's shape, with or without
//! interceptors: binary data stays a binary attachment (a `Buffer` in socket.io-client), and
//! object keys keep the order the handler's type writes them in, in acks, emits, streams and
//! the `cause.data` of an exception. Run through the official socket.io-client
//! (`tests/js/wire.test.mjs`), against the same gateway with no interceptor, with the global
//! `LoggingInterceptor`, and with an interceptor that reads every reply.

use bytes::Bytes;
use gateway_core::prelude::*;
use gateway_core::stream;
use gateway_tests::node::run_node_suite_async;

#[derive(Serialize)]
struct Keys {
    zeta: u8,
    alpha: u8,
    mid: u8,
}

#[derive(Serialize)]
struct File {
    name: &'static str,
    data: Bytes,
}

#[derive(Deserialize, validator::Validate)]
struct Named {
    #[validate(length(min = 3))]
    name: String,
}

#[injectable]
struct WireGateway;

#[web_socket_gateway(namespace = "/wire")]
#[use_pipes(ValidationPipe)]
impl WireGateway {
    #[subscribe_message("bytes-ack")]
    fn bytes_ack(&self, #[message_body] first: u8) -> Bytes {
        Bytes::from(vec![first, 1, 2, 255])
    }

    #[subscribe_message("bytes-emit")]
    fn bytes_emit(&self) -> WsResponse<Bytes> {
        WsResponse::new("bytes", Bytes::from_static(&[9, 8, 7]))
    }

    #[subscribe_message("bytes-stream")]
    fn bytes_stream(&self) -> impl stream::Stream<Item = WsResponse<Bytes>> + use<> {
        stream::iter([
            WsResponse::new("chunk", Bytes::from_static(&[1])),
            WsResponse::new("chunk", Bytes::from_static(&[2, 3])),
        ])
    }

    #[subscribe_message("file")]
    fn file(&self) -> File {
        File {
            name: "a.bin",
            data: Bytes::from_static(&[0, 42]),
        }
    }

    #[subscribe_message("keys")]
    fn keys(&self) -> Keys {
        Keys {
            zeta: 1,
            alpha: 2,
            mid: 3,
        }
    }

    #[subscribe_message("named")]
    fn named(&self, #[message_body] dto: Named) -> String {
        dto.name
    }
}

/// Reads every reply as JSON (what an interceptor that logs or inspects does), and passes it on.
#[injectable]
struct Inspect;

impl Interceptor for Inspect {
    async fn intercept(
        &self,
        _ctx: &ExecutionContext<'_>,
        next: Next<'_>,
    ) -> Result<Reply, HandlerError> {
        let reply = next.handle().await?;
        match &reply {
            Reply::Ack(data) => drop(data.to_json()),
            Reply::Emit(events) => events.iter().for_each(|(_, d)| drop(d.to_json())),
            Reply::Nothing => {}
        }
        Ok(reply)
    }
}

#[module(providers = [WireGateway])]
struct WireModule;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_keep_binary_data_and_key_order_through_interceptors() {
    let plain = GatewayApplication::create::<WireModule>()
        .await
        .expect("builds")
        .start("127.0.0.1:0")
        .await
        .expect("starts");
    let logged = GatewayApplication::create::<WireModule>()
        .await
        .expect("builds")
        .use_global_interceptor::<LoggingInterceptor>()
        .start("127.0.0.1:0")
        .await
        .expect("starts");
    let inspected = GatewayApplication::create::<WireModule>()
        .await
        .expect("builds")
        .use_global_interceptor::<Inspect>()
        .start("127.0.0.1:0")
        .await
        .expect("starts");
    let url = |app: &gateway_core::RunningApp| format!("http://{}", app.addr());
    let env = vec![
        ("PLAIN_URL", url(&plain)),
        ("LOGGED_URL", url(&logged)),
        ("INSPECTED_URL", url(&inspected)),
    ];
    let out = run_node_suite_async("wire.test.mjs", env).await;
    for app in [plain, logged, inspected] {
        app.shutdown().await;
    }
    match out {
        Ok(report) => println!("{report}"),
        Err(report) => panic!("socket.io-client suite failed:\n{report}"),
    }
}
