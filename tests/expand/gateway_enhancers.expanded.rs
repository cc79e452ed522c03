impl ChatGateway {
    async fn clear(&self, dto: RoomDto) {}
}
const _: () = {
    static __HANDLERS: [::gateway_core::gateway::HandlerMeta; 1usize] = [
        ::gateway_core::gateway::HandlerMeta {
            gateway: "ChatGateway",
            event: "chat/clear",
            method: "clear",
            bindings: ::gateway_core::pipeline::Bindings {
                guards: &[
                    ::gateway_core::__private::EnhancerRef::guard::<
                        RolesGuard,
                    >("RolesGuard"),
                ],
                pipes: &[
                    ::gateway_core::__private::EnhancerRef::pipe::<
                        ValidationPipe,
                    >("ValidationPipe"),
                ],
                interceptors: &[],
                filters: &[],
                connection_guards: &[],
            },
            metadata: &[("roles", "[\"admin\"]"), ("limits", "[1,-2,3.5]")],
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
            cors: ::core::option::Option::None,
        },
        handlers: &__HANDLERS,
        bindings: ::gateway_core::pipeline::Bindings {
            guards: &[
                ::gateway_core::__private::EnhancerRef::guard::<AuthGuard>("AuthGuard"),
            ],
            pipes: &[],
            interceptors: &[],
            filters: &[],
            connection_guards: &[],
        },
        ordered: false,
        metadata: &[("public", "false")],
        file: ::core::file!(),
        line: ::core::line!(),
    };
    ::gateway_core::__private::inventory::submit! {
        ::gateway_core::gateway::GatewayRegistration { meta : & __GATEWAY }
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
                let _ = __assert_body::<RoomDto>;
            }
            ::gateway_core::__private::on_message::<
                __A,
                Self,
                RoomDto,
                _,
                _,
            >(
                __socket,
                self,
                __binding,
                0usize,
                ::gateway_core::__private::BodyMeta::<RoomDto> {
                    validate: {
                        #[allow(unused_imports)]
                        use ::gateway_core::__private::validate_probe::{
                            HasOptionValidate as _, HasValidate as _, NoValidate as _,
                        };
                        (&&&::gateway_core::__private::validate_probe::Probe::<
                            RoomDto,
                        >::new())
                            .validator()
                    },
                    target: |__b: &mut RoomDto| __b as &mut dyn ::core::any::Any,
                    fields: ::gateway_core::__private::struct_fields::<RoomDto>,
                    property: ::core::option::Option::None,
                },
                |
                    __gw: ::std::sync::Arc<Self>,
                    mut __ctx: ::gateway_core::handler::MessageContext,
                    __body: RoomDto|
                async move {
                    let _ = &__body;
                    let __arg0: RoomDto = __body;
                    let __value = <ChatGateway>::clear(&*__gw, __arg0).await;
                    let __sent: ::core::result::Result<
                        (),
                        ::gateway_core::HandlerError,
                    > = ::gateway_core::__private::reply_value!(& mut __ctx, __value);
                    __sent
                },
            );
        }
    }
};
