use gateway_core::prelude::*;

#[module(provider = [])]
struct AppModule;

fn main() {}
