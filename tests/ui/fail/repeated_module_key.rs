use gateway_core::prelude::*;

#[injectable]
struct Recorder;

#[injectable]
struct Clock;

#[module(providers = [Recorder], exports = [Recorder], providers = [Clock], export = [Clock])]
struct AppModule;

fn main() {}
