struct ChatGateway {
    server: WsServer,
    chat: Arc<ChatService>,
    count: AtomicUsize,
}
#[automatically_derived]
impl ::gateway_core::Injectable for ChatGateway {
    fn dependencies() -> ::std::vec::Vec<::gateway_core::__private::Dependency> {
        ::std::vec![
            ::gateway_core::__private::Dependency { key :
            ::gateway_core::__private::TypeKey::of:: < ChatService > (), field : "chat",
            optional : false, }
        ]
    }
    fn construct(
        __resolver: &::gateway_core::__private::Resolver<'_>,
    ) -> ::core::result::Result<Self, ::gateway_core::StartupError> {
        let _ = __resolver;
        ::core::result::Result::Ok(Self {
            server: {
                let __s: WsServer = ::gateway_core::WsServer::unset();
                __s
            },
            chat: __resolver.get::<ChatService>()?,
            count: <AtomicUsize as ::core::default::Default>::default(),
        })
    }
    fn ws_server(&self) -> ::core::option::Option<&::gateway_core::WsServer> {
        ::core::option::Option::Some(&self.server)
    }
}
