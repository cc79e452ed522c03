impl TeamGateway {
    async fn after_init(&self, server: WsServer) {}
    async fn shout(&self, NsParams(team): NsParams<Team>, text: String) {}
}
const _: () = {
    static __HANDLERS: [::gateway_core::__private::HandlerMeta; 1usize] = [
        ::gateway_core::__private::handler_meta!(
            "TeamGateway", "shout", "shout", body(String)
        ),
    ];
    static __GATEWAY: ::gateway_core::__private::GatewayMeta = ::gateway_core::__private::GatewayMeta {
        name: "TeamGateway",
        port: ::core::option::Option::Some(3001),
        namespace: ::gateway_core::__private::NamespaceSpec::from_str_lit(
            "/teams/{team}",
        ),
        options: ::gateway_core::__private::ServerOptions {
            path: ::core::option::Option::Some("/ws"),
            transports: ::core::option::Option::Some(
                &[::gateway_core::__private::Transport::Websocket],
            ),
            parser: ::core::option::Option::Some(
                ::gateway_core::__private::Parser::Msgpack,
            ),
            ping_interval: ::core::option::Option::Some(1000),
            ping_timeout: ::core::option::Option::Some(2000),
            connect_timeout: ::core::option::Option::Some(3000),
            max_payload: ::core::option::Option::Some(4096),
            cors: ::core::option::Option::Some(::gateway_core::__private::CorsOptions {
                origins: ::gateway_core::__private::Origins::List(&["http://a.test"]),
                credentials: true,
                methods: ::core::option::Option::Some(&["GET"]),
            }),
            ..::gateway_core::__private::ServerOptions::DEFAULT
        },
        handlers: &__HANDLERS,
        file: ::core::file!(),
        line: ::core::line!(),
        ..::gateway_core::__private::GatewayMeta::DEFAULT
    };
    ::gateway_core::__private::inventory::submit! {
        ::gateway_core::__private::GatewayRegistration { meta : & __GATEWAY }
    }
    #[automatically_derived]
    impl ::gateway_core::Gateway for TeamGateway {
        fn meta() -> &'static ::gateway_core::__private::GatewayMeta {
            &__GATEWAY
        }
        fn routes<__A: ::gateway_core::__private::Adapter>(
            __routes: &mut ::gateway_core::__private::Routes<'_, __A, Self>,
        ) {
            __routes
                .add(
                    &__HANDLERS[0usize],
                    ::gateway_core::__private::validator!(String),
                    |__gw, mut __ctx, __body: ::gateway_core::__private::Whole<String>| async move {
                        let __arg0 = <NsParams<
                            Team,
                        > as ::gateway_core::FromMessageContext>::from_context(
                            &mut __ctx,
                        )?;
                        ::gateway_core::__private::reply_value!(
                            & mut __ctx, < TeamGateway > ::shout(& * __gw, __arg0, __body
                            .0). await
                        )
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
