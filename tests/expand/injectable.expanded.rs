struct ChatGateway {
    server: WsServer,
    chat: Arc<ChatService>,
    count: AtomicUsize,
}
#[automatically_derived]
impl ::gateway_core::di::Injectable for ChatGateway {
    fn dependencies() -> ::std::vec::Vec<::gateway_core::di::Dependency> {
        ::std::vec![
            ::gateway_core::di::Dependency { key : ::gateway_core::di::TypeKey::of:: <
            ChatService > (), field : "chat", }
        ]
    }
    fn construct(
        __resolver: &::gateway_core::di::Resolver<'_>,
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
