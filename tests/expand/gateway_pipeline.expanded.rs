impl EditorGateway {
    async fn edit(&self, op: EditOp) -> WsResult<u64> {
        todo()
    }
}
const _: () = {
    static __HANDLERS: [::gateway_core::gateway::HandlerMeta; 1usize] = [
        ::gateway_core::gateway::HandlerMeta {
            gateway: "EditorGateway",
            event: "edit",
            method: "edit",
            bindings: ::gateway_core::pipeline::Bindings {
                guards: &[],
                pipes: &[],
                interceptors: &[
                    ::gateway_core::__private::EnhancerRef::interceptor::<
                        TimingInterceptor,
                    >("TimingInterceptor"),
                ],
                filters: &[
                    ::gateway_core::__private::EnhancerRef::filter::<
                        EditFilter,
                    >("EditFilter"),
                ],
                connection_guards: &[],
            },
            metadata: &[],
            file: ::core::file!(),
            line: ::core::line!(),
        },
    ];
    static __GATEWAY: ::gateway_core::gateway::GatewayMeta = ::gateway_core::gateway::GatewayMeta {
        name: "EditorGateway",
        port: ::core::option::Option::None,
        namespace: ::gateway_core::gateway::NamespaceSpec::from_str_lit("/editor"),
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
            guards: &[],
            pipes: &[
                ::gateway_core::__private::EnhancerRef::pipe::<
                    ValidationPipe,
                >("ValidationPipe"),
            ],
            interceptors: &[
                ::gateway_core::__private::EnhancerRef::interceptor::<
                    LoggingInterceptor,
                >("LoggingInterceptor"),
            ],
            filters: &[
                ::gateway_core::__private::EnhancerRef::filter::<
                    AuditFilter,
                >("AuditFilter"),
            ],
            connection_guards: &[
                ::gateway_core::__private::EnhancerRef::connection_guard::<
                    JwtGuard,
                >("JwtGuard"),
            ],
        },
        ordered: true,
        metadata: &[],
        file: ::core::file!(),
        line: ::core::line!(),
    };
    ::gateway_core::__private::inventory::submit! {
        ::gateway_core::gateway::GatewayRegistration { meta : & __GATEWAY }
    }
    #[automatically_derived]
    impl ::gateway_core::Gateway for EditorGateway {
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
                let _ = __assert_body::<EditOp>;
            }
            ::gateway_core::__private::on_message::<
                __A,
                Self,
                EditOp,
                _,
                _,
            >(
                __socket,
                self,
                __binding,
                0usize,
                ::gateway_core::__private::BodyMeta::<EditOp> {
                    validate: {
                        #[allow(unused_imports)]
                        use ::gateway_core::__private::validate_probe::{
                            HasOptionValidate as _, HasValidate as _, NoValidate as _,
                        };
                        (&&&::gateway_core::__private::validate_probe::Probe::<
                            EditOp,
                        >::new())
                            .validator()
                    },
                    target: |__b: &mut EditOp| __b as &mut dyn ::core::any::Any,
                    fields: ::gateway_core::__private::struct_fields::<EditOp>,
                    property: ::core::option::Option::None,
                },
                |
                    __gw: ::std::sync::Arc<Self>,
                    mut __ctx: ::gateway_core::handler::MessageContext,
                    __body: EditOp|
                async move {
                    let _ = &__body;
                    let __arg0: EditOp = __body;
                    let __value = <EditorGateway>::edit(&*__gw, __arg0).await;
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
