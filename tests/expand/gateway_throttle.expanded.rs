impl ChatGateway {
    fn send(&self) {}
    fn typing(&self) {}
    fn ping(&self) {}
}
const _: () = {
    static __HANDLERS: [::gateway_core::__private::HandlerMeta; 3usize] = [
        ::gateway_core::__private::handler_meta!(
            "ChatGateway", "chat/send", "send",
            bindings(::gateway_core::__private::Bindings { guards : &
            [::gateway_core::__private::EnhancerRef::throttler:: <
            ::gateway_core::pipeline::ByIp > ()], ..
            ::gateway_core::__private::Bindings::NONE })
        ),
        ::gateway_core::__private::handler_meta!(
            "ChatGateway", "chat/typing", "typing",
            bindings(::gateway_core::__private::Bindings { guards : &
            [::gateway_core::__private::EnhancerRef::guard:: < RolesGuard > (),
            ::gateway_core::__private::EnhancerRef::throttler:: < auth::ByUser > ()], ..
            ::gateway_core::__private::Bindings::NONE }), metadata(& [("throttle",
            "{\"limit\":2,\"ttl_ms\":500}")])
        ),
        ::gateway_core::__private::handler_meta!(
            "ChatGateway", "chat/ping", "ping",
            bindings(::gateway_core::__private::Bindings { guards : &
            [::gateway_core::__private::EnhancerRef::throttler:: <
            ::gateway_core::pipeline::BySocket > ()], ..
            ::gateway_core::__private::Bindings::NONE }), metadata(& [("throttle",
            "{\"limit\":1,\"ttl_ms\":100}")])
        ),
    ];
    static __GATEWAY: ::gateway_core::__private::GatewayMeta = ::gateway_core::__private::GatewayMeta {
        name: "ChatGateway",
        namespace: ::gateway_core::__private::NamespaceSpec::from_str_lit("/chat"),
        handlers: &__HANDLERS,
        bindings: ::gateway_core::__private::Bindings {
            guards: &[::gateway_core::__private::EnhancerRef::guard::<AuthGuard>()],
            ..::gateway_core::__private::Bindings::NONE
        },
        metadata: &[("throttle", "{\"limit\":10,\"ttl_ms\":1000}")],
        file: ::core::file!(),
        line: ::core::line!(),
        ..::gateway_core::__private::GatewayMeta::DEFAULT
    };
    ::gateway_core::__private::inventory::submit! {
        ::gateway_core::__private::GatewayRegistration { meta : & __GATEWAY }
    }
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
                    ::gateway_core::__private::validator!(
                        ::gateway_core::__private::NoBody
                    ),
                    |__gw, mut __ctx, __body: ::gateway_core::__private::NoBody| async move {
                        ::gateway_core::__private::reply_value!(
                            & mut __ctx, < ChatGateway > ::send(& * __gw,)
                        )
                    },
                );
            __routes
                .add(
                    &__HANDLERS[1usize],
                    ::gateway_core::__private::validator!(
                        ::gateway_core::__private::NoBody
                    ),
                    |__gw, mut __ctx, __body: ::gateway_core::__private::NoBody| async move {
                        ::gateway_core::__private::reply_value!(
                            & mut __ctx, < ChatGateway > ::typing(& * __gw,)
                        )
                    },
                );
            __routes
                .add(
                    &__HANDLERS[2usize],
                    ::gateway_core::__private::validator!(
                        ::gateway_core::__private::NoBody
                    ),
                    |__gw, mut __ctx, __body: ::gateway_core::__private::NoBody| async move {
                        ::gateway_core::__private::reply_value!(
                            & mut __ctx, < ChatGateway > ::ping(& * __gw,)
                        )
                    },
                );
        }
    }
};
