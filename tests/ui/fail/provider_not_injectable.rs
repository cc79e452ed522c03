use gateway_core::prelude::*;

struct ChatService;

#[module(providers = [ChatService])]
struct AppModule;

fn main() {}
