//! Expansion snapshots: each attribute form, expanded and pretty-printed, compared with the
//! checked-in file in `tests/expand/`. A change in generated code shows up in review.
//! `UPDATE_EXPANSIONS=1 cargo test -p gateway-macros` rewrites the files.

use std::path::PathBuf;

use proc_macro2::TokenStream;

fn snapshot(name: &str, expanded: TokenStream) {
    let file = match syn::parse2::<syn::File>(expanded.clone()) {
        Ok(f) => prettyplease::unparse(&f),
        Err(e) => panic!("{name}: the expansion does not parse ({e}):\n{expanded}"),
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/expand")
        .join(format!("{name}.expanded.rs"));
    if std::env::var_os("UPDATE_EXPANSIONS").is_some() {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create tests/expand");
        std::fs::write(&path, &file).expect("write the snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run UPDATE_EXPANSIONS=1 cargo test -p gateway-macros",
            path.display()
        )
    });
    assert!(
        expected == file,
        "the expansion of {name} changed; review it and run UPDATE_EXPANSIONS=1 cargo test -p gateway-macros\n--- expected\n{expected}\n--- actual\n{file}"
    );
}

fn ts(s: &str) -> TokenStream {
    s.parse().expect("valid tokens")
}

#[test]
fn injectable_struct() {
    snapshot(
        "injectable",
        crate::injectable::expand(
            ts(""),
            ts(
                "struct ChatGateway { #[web_socket_server] server: WsServer, chat: Arc<ChatService>, count: AtomicUsize }",
            ),
        ),
    );
}

#[test]
fn injectable_unit() {
    snapshot(
        "injectable_unit",
        crate::injectable::expand(ts(""), ts("struct EventsGateway;")),
    );
}

#[test]
fn module_with_imports_and_exports() {
    snapshot(
        "module",
        crate::module::expand(
            ts(
                "imports = [ChatModule], providers = [EventsGateway, Recorder], exports = [Recorder]",
            ),
            ts("pub struct AppModule;"),
        ),
    );
}

#[test]
fn gateway_static_namespace_with_handlers_and_hooks() {
    snapshot(
        "gateway_static",
        crate::gateway::expand(
            ts(r#"namespace = "/chat", cors(origin = "*"), emits = [ChatReceive]"#),
            ts(r#"impl ChatGateway {
                async fn handle_connection(&self, socket: SocketRef) {}
                async fn handle_disconnect(&self, socket: SocketRef, reason: DisconnectReason) {}
                #[subscribe_message("chat/send")]
                async fn send(&self, #[connected_socket] socket: SocketRef, #[message_body] dto: SendDto) -> WsResult<Ack> { todo() }
                #[subscribe_message("history")]
                fn history(&self, #[message_body("roomId")] room: String, ack: AckSender) {}
            }"#),
        ),
    );
}

#[test]
fn gateway_port_pattern_and_options() {
    snapshot(
        "gateway_port_options",
        crate::gateway::expand(
            ts(
                r#"3001, namespace = "/teams/{team}", path = "/ws", transports = ["websocket"], ping_interval = 1000, ping_timeout = 2000, connect_timeout = 3000, max_payload = 4096, parser = "msgpack", cors(origin = ["http://a.test"], credentials = true, methods = ["GET"])"#,
            ),
            ts(r#"impl TeamGateway {
                async fn after_init(&self, server: WsServer) {}
                #[subscribe_message("shout")]
                async fn shout(&self, NsParams(team): NsParams<Team>, #[message_body] text: String) {}
            }"#),
        ),
    );
}

#[test]
fn gateway_regex_namespace() {
    snapshot(
        "gateway_regex",
        crate::gateway::expand(
            ts(r#"namespace = regex("^/\\w+$")"#),
            ts(r#"impl AnyGateway {
                #[subscribe_message("events")]
                fn events(&self) -> impl Stream<Item = WsResponse<u32>> { todo() }
            }"#),
        ),
    );
}

#[test]
fn gateway_with_guards_pipes_and_metadata() {
    snapshot(
        "gateway_enhancers",
        crate::gateway::expand(
            ts(r#"namespace = "/chat""#),
            ts(r#"#[use_guards(AuthGuard)]
            #[set_metadata("public", false)]
            impl ChatGateway {
                #[subscribe_message("chat/clear")]
                #[use_guards(RolesGuard)]
                #[roles("admin")]
                #[set_metadata("limits", [1, -2, 3.5])]
                async fn clear(&self, #[message_body(ValidationPipe)] dto: RoomDto) {}
            }"#),
        ),
    );
}

#[test]
fn gateway_ordered_with_every_enhancer_kind() {
    snapshot(
        "gateway_pipeline",
        crate::gateway::expand(
            ts(r#"namespace = "/editor", ordered"#),
            ts(r#"#[use_connection_guards(JwtGuard)]
            #[use_pipes(ValidationPipe)]
            #[use_interceptors(LoggingInterceptor)]
            #[use_filters(AuditFilter)]
            impl EditorGateway {
                #[subscribe_message("edit")]
                #[use_interceptors(TimingInterceptor)]
                #[use_filters(EditFilter)]
                async fn edit(&self, #[message_body] op: EditOp) -> WsResult<u64> { todo() }
            }"#),
        ),
    );
}

#[test]
fn gateway_throttled_by_ip_and_by_a_tracker() {
    snapshot(
        "gateway_throttle",
        crate::gateway::expand(
            ts(r#"namespace = "/chat""#),
            ts(r#"#[use_guards(AuthGuard)]
            #[throttle(limit = 10, ttl_ms = 1000, by = ip)]
            impl ChatGateway {
                #[subscribe_message("chat/send")]
                fn send(&self) {}
                #[subscribe_message("chat/typing")]
                #[use_guards(RolesGuard)]
                #[throttle(limit = 2, ttl_ms = 500, by = auth::ByUser)]
                fn typing(&self) {}
                #[subscribe_message("chat/ping")]
                #[throttle(limit = 1, ttl_ms = 100)]
                fn ping(&self) {}
            }"#),
        ),
    );
}
