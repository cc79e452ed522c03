impl TeamGateway {
    async fn after_init(&self, server: WsServer) {}
    async fn shout(&self, NsParams(team): NsParams<Team>, text: String) {}
}
const _: () = {
    static __HANDLERS: [::gateway_core::gateway::HandlerMeta; 1usize] = [
        ::gateway_core::gateway::HandlerMeta {
            gateway: "TeamGateway",
            event: "shout",
            method: "shout",
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
        name: "TeamGateway",
        port: ::core::option::Option::Some(3001),
        namespace: ::gateway_core::gateway::NamespaceSpec::from_str_lit("/teams/{team}"),
        options: ::gateway_core::gateway::ServerOptions {
            path: ::core::option::Option::Some("/ws"),
            transports: ::core::option::Option::Some(
                &[::gateway_core::gateway::options::Transport::Websocket],
            ),
            ping_interval: ::core::option::Option::Some(1000),
            ping_timeout: ::core::option::Option::Some(2000),
            connect_timeout: ::core::option::Option::Some(3000),
            max_payload: ::core::option::Option::Some(4096),
            cors: ::core::option::Option::Some(::gateway_core::gateway::CorsOptions {
                origins: ::gateway_core::gateway::Origins::List(&["http://a.test"]),
                credentials: true,
                methods: ::core::option::Option::Some(&["GET"]),
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
    #[automatically_derived]
    impl ::gateway_core::Gateway for TeamGateway {
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
                let _ = __assert_body::<String>;
            }
            ::gateway_core::__private::on_message::<
                __A,
                Self,
                String,
                _,
                _,
            >(
                __socket,
                self,
                __binding,
                0usize,
                ::gateway_core::__private::BodyMeta::<String> {
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
                    target: |__b: &mut String| __b as &mut dyn ::core::any::Any,
                    fields: ::gateway_core::__private::struct_fields::<String>,
                    property: ::core::option::Option::None,
                },
                |
                    __gw: ::std::sync::Arc<Self>,
                    mut __ctx: ::gateway_core::handler::MessageContext,
                    __body: String|
                async move {
                    let _ = &__body;
                    let __arg0 = <NsParams<
                        Team,
                    > as ::gateway_core::handler::FromMessageContext>::from_context(
                        &mut __ctx,
                    )?;
                    let __arg1: String = __body;
                    let __value = <TeamGateway>::shout(&*__gw, __arg0, __arg1).await;
                    let __sent: ::core::result::Result<
                        (),
                        ::gateway_core::HandlerError,
                    > = ::gateway_core::__private::reply_value!(& mut __ctx, __value);
                    __sent
                },
            );
        }
        fn after_init(
            self: &::std::sync::Arc<Self>,
            __server: ::gateway_core::WsServer,
        ) -> impl ::core::future::Future<Output = ()> + ::core::marker::Send {
            let __gw = ::std::sync::Arc::clone(self);
            async move {
                let _ = &__server;
                <TeamGateway>::after_init(&*__gw, __server).await
            }
        }
    }
};
