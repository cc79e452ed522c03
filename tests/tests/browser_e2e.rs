//! The demo's web client (`GET /`) in a real browser: headless Chromium (Debian's `chromium`,
//! `scripts/install-test-deps.sh`) driven by playwright-core, `tests/js/browser.test.mjs`;
//! once on socket.io's default parser, once with the demo on msgpack (the page then loads
//! socket.io-client's msgpack build). Screenshots, one per step, go to
//! `target/browser-screenshots` (and `target/browser-screenshots-msgpack`).

use std::path::Path;

use gateway_core::Parser;
use gateway_tests::node::run_node_suite_async;

/// A secret of this test's own, so that the demo does not draw a random one and warn.
const SECRET: &str = "the secret of the demo browser test";

/// One browser at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn demo_page_in_chromium_on(parser: Parser, screenshots: &str) {
    demo_app::auth::use_secret(SECRET);
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = demo_app::start_with_parser("127.0.0.1", 0, 0, parser)
        .await
        .expect("the demo starts");
    // `target/tmp`'s parent: the target dir, wherever it is.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap_or(Path::new(env!("CARGO_TARGET_TMPDIR")))
        .join(screenshots);
    let env = vec![
        ("DEMO_URL", format!("http://{}", app.addr())),
        ("SCREENSHOT_DIR", shots.display().to_string()),
    ];
    let out = run_node_suite_async("browser.test.mjs", env).await;
    app.shutdown().await;
    match out {
        Ok(report) => println!("{report}\nscreenshots: {}", shots.display()),
        Err(report) => panic!(
            "browser suite ({parser:?} parser) failed (screenshots so far: {}):\n{report}",
            shots.display()
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_page_in_chromium() {
    demo_page_in_chromium_on(Parser::Default, "browser-screenshots").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_page_in_chromium_on_msgpack() {
    demo_page_in_chromium_on(Parser::Msgpack, "browser-screenshots-msgpack").await;
}
