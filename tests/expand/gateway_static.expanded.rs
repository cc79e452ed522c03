impl ChatGateway {
    async fn handle_connection(&self, socket: SocketRef) {}
    async fn handle_disconnect(&self, socket: SocketRef, reason: DisconnectReason) {}
    async fn send(&self, socket: SocketRef, dto: SendDto) -> WsResult<Ack> {
        todo()
    }
    fn history(&self, room: String, ack: AckSender) {}
}
const _: () = {
    static __HANDLERS: [::gateway_core::__private::HandlerMeta; 2usize] = [
        ::gateway_core::__private::handler_meta!(
            "ChatGateway", "chat/send", "send", body(SendDto), ack(Ack)
        ),
        ::gateway_core::__private::handler_meta!(
            "ChatGateway", "history", "history", body(String, "roomId"), ack(@ any)
        ),
    ];
    static __GATEWAY: ::gateway_core::__private::GatewayMeta = ::gateway_core::__private::GatewayMeta {
        name: "ChatGateway",
        namespace: ::gateway_core::__private::NamespaceSpec::from_str_lit("/chat"),
        options: ::gateway_core::__private::ServerOptions {
            cors: ::core::option::Option::Some(::gateway_core::__private::CorsOptions {
                origins: ::gateway_core::__private::Origins::Any,
                credentials: false,
                methods: ::core::option::Option::None,
            }),
            ..::gateway_core::__private::ServerOptions::DEFAULT
        },
        handlers: &__HANDLERS,
        emits: &[
            ::gateway_core::__private::EmitMeta {
                event: <ChatReceive as ::gateway_core::Event>::NAME,
                schema: |__g| ::gateway_core::__private::schema!(__g, ChatReceive),
            },
        ],
        file: ::core::file!(),
        line: ::core::line!(),
        ..::gateway_core::__private::GatewayMeta::DEFAULT
    };
    ::gateway_core::__private::inventory::submit! {
        ::gateway_core::__private::GatewayRegistration { meta : & __GATEWAY }
    }
    ::gateway_core::__private::property_name!(__Property1_0, "roomId", __Body1 = String);
    #[automatically_derived]
    impl ::gateway_core::Gateway for ChatGateway {
        fn meta() -> &'static ::gateway_core::__private::GatewayMeta {
            &__GATEWAY
        }
        fn routes<__A: ::gateway_core::__private::Adapter>(
            __routes: &mut ::gateway_core::__private::Routes<'_, __A, Self>,
        ) {
            __routes
                .add(
                    &__HANDLERS[0usize],
                    ::gateway_core::__private::validator!(SendDto),
                    |__gw, mut __ctx, __body: ::gateway_core::__private::Whole<SendDto>| async move {
                        let __arg0: SocketRef = ::core::clone::Clone::clone(
                            __ctx.socket(),
                        );
                        ::gateway_core::__private::reply_value!(
                            & mut __ctx, < ChatGateway > ::send(& * __gw, __arg0, __body
                            .0). await
                        )
                    },
                );
            __routes
                .add(
                    &__HANDLERS[1usize],
                    ::gateway_core::__private::validator!(String),
                    |__gw, mut __ctx, __body: __Body1| async move {
                        let __arg1 = <AckSender as ::gateway_core::FromMessageContext>::from_context(
                            &mut __ctx,
                        )?;
                        ::gateway_core::__private::reply_value!(
                            & mut __ctx, < ChatGateway > ::history(& * __gw, __body.0,
                            __arg1)
                        )
                    },
                );
        }
        fn handle_connection(
            self: &::std::sync::Arc<Self>,
            __socket: ::gateway_core::SocketRef,
        ) -> impl ::core::future::Future<
            Output = ::core::result::Result<(), ::gateway_core::HandlerError>,
        > + ::core::marker::Send {
            let __gw = ::std::sync::Arc::clone(self);
            async move {
                ::gateway_core::__private::hook_result(
                    <ChatGateway>::handle_connection(&*__gw, __socket).await,
                )
            }
        }
        fn handle_disconnect(
            self: &::std::sync::Arc<Self>,
            __socket: ::gateway_core::SocketRef,
            __reason: ::gateway_core::DisconnectReason,
        ) -> impl ::core::future::Future<Output = ()> + ::core::marker::Send {
            let __gw = ::std::sync::Arc::clone(self);
            async move {
                let _ = &__reason;
                <ChatGateway>::handle_disconnect(&*__gw, __socket, __reason).await
            }
        }
    }
};
