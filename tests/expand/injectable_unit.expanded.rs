struct EventsGateway;
#[automatically_derived]
impl ::gateway_core::di::Injectable for EventsGateway {
    fn dependencies() -> ::std::vec::Vec<::gateway_core::di::Dependency> {
        ::std::vec![]
    }
    fn construct(
        __resolver: &::gateway_core::di::Resolver<'_>,
    ) -> ::core::result::Result<Self, ::gateway_core::StartupError> {
        let _ = __resolver;
        ::core::result::Result::Ok(Self)
    }
}
