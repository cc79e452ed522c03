impl AnyGateway {
    fn events(&self) -> impl Stream<Item = WsResponse<u32>> {
        todo()
    }
}
const _: () = {
    static __HANDLERS: [::gateway_core::__private::HandlerMeta; 1usize] = [
        ::gateway_core::__private::handler_meta!("AnyGateway", "events", "events"),
    ];
    static __GATEWAY: ::gateway_core::__private::GatewayMeta = ::gateway_core::__private::GatewayMeta {
        name: "AnyGateway",
        namespace: ::gateway_core::__private::NamespaceSpec::Regex("^/\\w+$"),
        handlers: &__HANDLERS,
        file: ::core::file!(),
        line: ::core::line!(),
        ..::gateway_core::__private::GatewayMeta::DEFAULT
    };
    ::gateway_core::__private::inventory::submit! {
        ::gateway_core::__private::GatewayRegistration { meta : & __GATEWAY }
    }
    #[automatically_derived]
    impl ::gateway_core::Gateway for AnyGateway {
        fn meta() -> &'static ::gateway_core::__private::GatewayMeta {
            &__GATEWAY
        }
        fn routes<__A: ::gateway_core::__private::Adapter>(
            __routes: &mut ::gateway_core::__private::Routes<'_, __A, Self>,
        ) {
            __routes
                .add(
                    &__HANDLERS[0usize],
                    ::gateway_core::__private::validator!(
                        ::gateway_core::__private::NoBody
                    ),
                    |__gw, mut __ctx, __body: ::gateway_core::__private::NoBody| async move {
                        ::gateway_core::__private::reply_value!(
                            & mut __ctx, < AnyGateway > ::events(& * __gw,)
                        )
                    },
                );
        }
    }
};
