//! The demo's web client (`GET /`) in a real browser: headless Chromium (Debian's `chromium`,
//! `scripts/install-test-deps.sh`) driven by playwright-core, `tests/js/browser.test.mjs`.
//! Screenshots, one per step, go to `target/browser-screenshots`.

use std::path::Path;

use gateway_tests::node::run_node_suite_async;

/// A secret of this test's own, so that the demo does not draw a random one and warn.
const SECRET: &str = "the secret of the demo browser test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_page_in_chromium() {
    demo_app::auth::use_secret(SECRET);
    let app = demo_app::start("127.0.0.1", 0, 0)
        .await
        .expect("the demo starts");
    // `target/tmp`'s parent: the target dir, wherever it is.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap_or(Path::new(env!("CARGO_TARGET_TMPDIR")))
        .join("browser-screenshots");
    let env = vec![
        ("DEMO_URL", format!("http://{}", app.addr())),
        ("SCREENSHOT_DIR", shots.display().to_string()),
    ];
    let out = run_node_suite_async("browser.test.mjs", env).await;
    app.shutdown().await;
    match out {
        Ok(report) => println!("{report}\nscreenshots: {}", shots.display()),
        Err(report) => panic!(
            "browser suite failed (screenshots so far: {}):\n{report}",
            shots.display()
        ),
    }
}
