impl ChatGateway {
    async fn clear(&self, dto: RoomDto) {}
}
const _: () = {
    static __HANDLERS: [::gateway_core::__private::HandlerMeta; 1usize] = [
        ::gateway_core::__private::handler_meta!(
            "ChatGateway", "chat/clear", "clear",
            bindings(::gateway_core::__private::Bindings { guards : &
            [::gateway_core::__private::EnhancerRef::guard:: < RolesGuard > ()], pipes :
            & [::gateway_core::__private::EnhancerRef::pipe:: < ValidationPipe > ()], ..
            ::gateway_core::__private::Bindings::NONE }), metadata(& [("roles",
            "[\"admin\"]"), ("limits", "[1,-2,3.5]")]), body(RoomDto)
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
        metadata: &[("public", "false")],
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
                    ::gateway_core::__private::validator!(RoomDto),
                    |__gw, mut __ctx, __body: ::gateway_core::__private::Whole<RoomDto>| async move {
                        ::gateway_core::__private::reply_value!(
                            & mut __ctx, < ChatGateway > ::clear(& * __gw, __body.0).
                            await
                        )
                    },
                );
        }
    }
};
