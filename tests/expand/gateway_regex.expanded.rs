impl AnyGateway {
    fn events(&self) -> impl Stream<Item = WsResponse<u32>> {
        todo()
    }
}
const _: () = {
    static __HANDLERS: [::gateway_core::gateway::HandlerMeta; 1usize] = [
        ::gateway_core::gateway::HandlerMeta {
            gateway: "AnyGateway",
            event: "events",
            method: "events",
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
        name: "AnyGateway",
        port: ::core::option::Option::None,
        namespace: ::gateway_core::gateway::NamespaceSpec::Regex("^/\\w+$"),
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
    #[automatically_derived]
    impl ::gateway_core::Gateway for AnyGateway {
        fn meta() -> &'static ::gateway_core::gateway::GatewayMeta {
            &__GATEWAY
        }
        fn bind_handlers<__A: ::gateway_core::__private::Adapter>(
            self: &::std::sync::Arc<Self>,
            __socket: &::gateway_core::__private::socketioxide::extract::SocketRef<__A>,
            __binding: &::gateway_core::gateway::Binding<'_>,
        ) {
            ::gateway_core::__private::on_message::<
                __A,
                Self,
                ::gateway_core::__private::NoBody,
                _,
                _,
            >(
                __socket,
                self,
                __binding,
                0usize,
                ::gateway_core::__private::BodyMeta::<
                    ::gateway_core::__private::NoBody,
                > {
                    validate: {
                        #[allow(unused_imports)]
                        use ::gateway_core::__private::validate_probe::{
                            HasOptionValidate as _, HasValidate as _, NoValidate as _,
                        };
                        (&&&::gateway_core::__private::validate_probe::Probe::<
                            ::gateway_core::__private::NoBody,
                        >::new())
                            .validator()
                    },
                    target: |__b: &mut ::gateway_core::__private::NoBody| {
                        __b as &mut dyn ::core::any::Any
                    },
                    fields: ::gateway_core::__private::struct_fields::<
                        ::gateway_core::__private::NoBody,
                    >,
                    property: ::core::option::Option::None,
                },
                |
                    __gw: ::std::sync::Arc<Self>,
                    mut __ctx: ::gateway_core::handler::MessageContext,
                    __body: ::gateway_core::__private::NoBody|
                async move {
                    let _ = &__body;
                    let __value = <AnyGateway>::events(&*__gw);
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
