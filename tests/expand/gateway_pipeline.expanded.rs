impl EditorGateway {
    async fn edit(&self, op: EditOp) -> WsResult<u64> {
        todo()
    }
}
const _: () = {
    static __HANDLERS: [::gateway_core::__private::HandlerMeta; 1usize] = [
        ::gateway_core::__private::handler_meta!(
            "EditorGateway", "edit", "edit", bindings(::gateway_core::__private::Bindings
            { interceptors : & [::gateway_core::__private::EnhancerRef::interceptor:: <
            TimingInterceptor > ()], filters : &
            [::gateway_core::__private::EnhancerRef::filter:: < EditFilter > ()], ..
            ::gateway_core::__private::Bindings::NONE }), body(EditOp), ack(u64)
        ),
    ];
    static __GATEWAY: ::gateway_core::__private::GatewayMeta = ::gateway_core::__private::GatewayMeta {
        name: "EditorGateway",
        namespace: ::gateway_core::__private::NamespaceSpec::from_str_lit("/editor"),
        handlers: &__HANDLERS,
        bindings: ::gateway_core::__private::Bindings {
            pipes: &[::gateway_core::__private::EnhancerRef::pipe::<ValidationPipe>()],
            interceptors: &[
                ::gateway_core::__private::EnhancerRef::interceptor::<
                    LoggingInterceptor,
                >(),
            ],
            filters: &[::gateway_core::__private::EnhancerRef::filter::<AuditFilter>()],
            connection_guards: &[
                ::gateway_core::__private::EnhancerRef::connection_guard::<JwtGuard>(),
            ],
            ..::gateway_core::__private::Bindings::NONE
        },
        ordered: true,
        file: ::core::file!(),
        line: ::core::line!(),
        ..::gateway_core::__private::GatewayMeta::DEFAULT
    };
    ::gateway_core::__private::inventory::submit! {
        ::gateway_core::__private::GatewayRegistration { meta : & __GATEWAY }
    }
    #[automatically_derived]
    impl ::gateway_core::Gateway for EditorGateway {
        fn meta() -> &'static ::gateway_core::__private::GatewayMeta {
            &__GATEWAY
        }
        fn routes<__A: ::gateway_core::__private::Adapter>(
            __routes: &mut ::gateway_core::__private::Routes<'_, __A, Self>,
        ) {
            __routes
                .add(
                    &__HANDLERS[0usize],
                    ::gateway_core::__private::validator!(EditOp),
                    |__gw, mut __ctx, __body: ::gateway_core::__private::Whole<EditOp>| async move {
                        ::gateway_core::__private::reply_value!(
                            & mut __ctx, < EditorGateway > ::edit(& * __gw, __body.0).
                            await
                        )
                    },
                );
        }
    }
};
