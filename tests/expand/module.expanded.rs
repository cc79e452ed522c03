pub struct AppModule;
#[automatically_derived]
impl ::gateway_core::Module for AppModule {
    fn definition<__A: ::gateway_core::__private::AppAdapter>() -> ::gateway_core::__private::ModuleDef<
        ::gateway_core::__private::GatewayDef<__A>,
    > {
        ::gateway_core::__private::ModuleDef {
            key: ::gateway_core::__private::TypeKey::of::<Self>(),
            imports: ::std::vec![
                < ChatModule as ::gateway_core::Module > ::definition:: < __A >
            ],
            providers: ::std::vec![
                ::gateway_core::__private::provider!(__A, EventsGateway),
                ::gateway_core::__private::provider!(__A, Recorder)
            ],
            exports: ::std::vec![
                ::gateway_core::__private::TypeKey::of:: < Recorder > ()
            ],
        }
    }
}
