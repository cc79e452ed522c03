//! Compile-fail tests: what a user sees when they misuse the attributes. The `.stderr` files
//! next to each case are part of the user interface; review them as such.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
