//! Test support shared by some test files (`mod support;`), not by the library: a gateway
//! defined in `gateway-tests` would be linked into every binary that uses the library (the
//! bench, the demo's tests), which would then warn that no module lists it.

pub mod latch;
