struct EventsGateway;
#[automatically_derived]
impl ::gateway_core::Injectable for EventsGateway {
    fn dependencies() -> ::std::vec::Vec<::gateway_core::__private::Dependency> {
        ::std::vec![]
    }
    fn construct(
        __resolver: &::gateway_core::__private::Resolver<'_>,
    ) -> ::core::result::Result<Self, ::gateway_core::StartupError> {
        let _ = __resolver;
        ::core::result::Result::Ok(Self)
    }
}
