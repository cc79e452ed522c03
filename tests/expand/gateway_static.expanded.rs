impl ChatGateway {
    async fn handle_connection(&self, socket: SocketRef) {}
    async fn handle_disconnect(&self, socket: SocketRef, reason: DisconnectReason) {}
    async fn send(&self, socket: SocketRef, dto: SendDto) -> WsResult<Ack> {
        todo()
    }
    fn history(&self, room: String, ack: AckSender) {}
}
const _: () = {
    static __HANDLERS: [::gateway_core::gateway::HandlerMeta; 2usize] = [
        ::gateway_core::gateway::HandlerMeta {
            gateway: "ChatGateway",
            event: "chat/send",
            method: "send",
            bindings: ::gateway_core::pipeline::Bindings {
                guards: &[],
                pipes: &[],
                interceptors: &[],
                filters: &[],
                connection_guards: &[],
            },
            metadata: &[],
            file: ::core::file!(),
            line: ::core::line!(),
        },
        ::gateway_core::gateway::HandlerMeta {
            gateway: "ChatGateway",
            event: "history",
            method: "history",
            bindings: ::gateway_core::pipeline::Bindings {
                guards: &[],
                pipes: &[],
                interceptors: &[],
                filters: &[],
                connection_guards: &[],
            },
            metadata: &[],
            file: ::core::file!(),
            line: ::core::line!(),
        },
    ];
    static __GATEWAY: ::gateway_core::gateway::GatewayMeta = ::gateway_core::gateway::GatewayMeta {
        name: "ChatGateway",
        port: ::core::option::Option::None,
        namespace: ::gateway_core::gateway::NamespaceSpec::from_str_lit("/chat"),
        options: ::gateway_core::gateway::ServerOptions {
            path: ::core::option::Option::None,
            transports: ::core::option::Option::None,
            ping_interval: ::core::option::Option::None,
            ping_timeout: ::core::option::Option::None,
            connect_timeout: ::core::option::Option::None,
            max_payload: ::core::option::Option::None,
            cors: ::core::option::Option::Some(::gateway_core::gateway::CorsOptions {
                origins: ::gateway_core::gateway::Origins::Any,
                credentials: false,
                methods: ::core::option::Option::None,
            }),
        },
        handlers: &__HANDLERS,
        bindings: ::gateway_core::pipeline::Bindings {
            guards: &[],
            pipes: &[],
            interceptors: &[],
            filters: &[],
            connection_guards: &[],
        },
        ordered: false,
        metadata: &[],
        file: ::core::file!(),
        line: ::core::line!(),
    };
    ::gateway_core::__private::inventory::submit! {
        ::gateway_core::gateway::GatewayRegistration { meta : & __GATEWAY }
    }
    struct __Property1_0;
    #[automatically_derived]
    impl ::gateway_core::__private::PropertyName for __Property1_0 {
        const NAME: &'static str = "roomId";
    }
    #[automatically_derived]
    impl ::gateway_core::Gateway for ChatGateway {
        fn meta() -> &'static ::gateway_core::gateway::GatewayMeta {
            &__GATEWAY
        }
        fn bind_handlers<__A: ::gateway_core::__private::Adapter>(
            self: &::std::sync::Arc<Self>,
            __socket: &::gateway_core::__private::socketioxide::extract::SocketRef<__A>,
            __binding: &::gateway_core::gateway::Binding<'_>,
        ) {
            {
                fn __assert_body<
                    T: ::gateway_core::__private::serde::de::DeserializeOwned,
                >() {}
                let _ = __assert_body::<SendDto>;
            }
            ::gateway_core::__private::on_message::<
                __A,
                Self,
                SendDto,
                _,
                _,
            >(
                __socket,
                self,
                __binding,
                0usize,
                ::gateway_core::__private::BodyMeta::<SendDto> {
                    validate: {
                        #[allow(unused_imports)]
                        use ::gateway_core::__private::validate_probe::{
                            HasOptionValidate as _, HasValidate as _, NoValidate as _,
                        };
                        (&&&::gateway_core::__private::validate_probe::Probe::<
                            SendDto,
                        >::new())
                            .validator()
                    },
                    target: |__b: &mut SendDto| __b as &mut dyn ::core::any::Any,
                    fields: ::gateway_core::__private::struct_fields::<SendDto>,
                    property: ::core::option::Option::None,
                },
                |
                    __gw: ::std::sync::Arc<Self>,
                    mut __ctx: ::gateway_core::handler::MessageContext,
                    __body: SendDto|
                async move {
                    let _ = &__body;
                    let __arg0: SocketRef = ::core::clone::Clone::clone(__ctx.socket());
                    let __arg1: SendDto = __body;
                    let __value = <ChatGateway>::send(&*__gw, __arg0, __arg1).await;
                    let __sent: ::core::result::Result<
                        (),
                        ::gateway_core::HandlerError,
                    > = ::gateway_core::__private::reply_value!(& mut __ctx, __value);
                    __sent
                },
            );
            {
                fn __assert_body<
                    T: ::gateway_core::__private::serde::de::DeserializeOwned,
                >() {}
                let _ = __assert_body::<String>;
            }
            ::gateway_core::__private::on_message::<
                __A,
                Self,
                ::gateway_core::__private::Property<String, __Property1_0>,
                _,
                _,
            >(
                __socket,
                self,
                __binding,
                1usize,
                ::gateway_core::__private::BodyMeta::<
                    ::gateway_core::__private::Property<String, __Property1_0>,
                > {
                    validate: {
                        #[allow(unused_imports)]
                        use ::gateway_core::__private::validate_probe::{
                            HasOptionValidate as _, HasValidate as _, NoValidate as _,
                        };
                        (&&&::gateway_core::__private::validate_probe::Probe::<
                            String,
                        >::new())
                            .validator()
                    },
                    target: |
                        __b: &mut ::gateway_core::__private::Property<
                            String,
                            __Property1_0,
                        >|
                    &mut __b.0 as &mut dyn ::core::any::Any,
                    fields: ::gateway_core::__private::struct_fields::<String>,
                    property: ::core::option::Option::Some("roomId"),
                },
                |
                    __gw: ::std::sync::Arc<Self>,
                    mut __ctx: ::gateway_core::handler::MessageContext,
                    __body: ::gateway_core::__private::Property<String, __Property1_0>|
                async move {
                    let _ = &__body;
                    let __arg0: String = __body.0;
                    let __arg1 = <AckSender as ::gateway_core::handler::FromMessageContext>::from_context(
                        &mut __ctx,
                    )?;
                    let __value = <ChatGateway>::history(&*__gw, __arg0, __arg1);
                    let __sent: ::core::result::Result<
                        (),
                        ::gateway_core::HandlerError,
                    > = ::gateway_core::__private::reply_value!(& mut __ctx, __value);
                    __sent
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
