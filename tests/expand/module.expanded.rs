pub struct AppModule;
#[automatically_derived]
impl ::gateway_core::di::Module for AppModule {
    fn definition<__A: ::gateway_core::AppAdapter>() -> ::gateway_core::di::ModuleDef<
        __A,
    > {
        ::gateway_core::di::ModuleDef {
            key: ::gateway_core::di::TypeKey::of::<Self>(),
            imports: ::std::vec![
                < ChatModule as ::gateway_core::di::Module > ::definition:: < __A >
            ],
            providers: ::std::vec![
                ::gateway_core::__private::provider!(__A, EventsGateway),
                ::gateway_core::__private::provider!(__A, Recorder)
            ],
            exports: ::std::vec![::gateway_core::di::TypeKey::of:: < Recorder > ()],
        }
    }
}
