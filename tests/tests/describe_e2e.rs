//! The demo's API description: the AsyncAPI document and TypeScript maps, compared with the
//! checked-in copies in `tests/js/api` (`UPDATE_API=1` rewrites them), then checked by the
//! official tools from npm: `@asyncapi/parser` and `tsc` (`tests/js/describe.test.mjs`), with a
//! typed client program run against a real demo.

use std::path::PathBuf;

use gateway_tests::node::{js_dir, run_node_suite_async};

/// The description the snapshots hold: the demo on its default addresses.
fn demo_api() -> gateway_core::describe::ApiDescription {
    demo_app::api("127.0.0.1", 3000, 3001)
}

fn snapshot_dir() -> PathBuf {
    js_dir().join("api")
}

/// Every generated file, named as in `tests/js/api`.
fn generated() -> Vec<(String, String)> {
    let api = demo_api();
    let mut files = vec![("asyncapi.json".to_owned(), api.asyncapi_json())];
    files.extend(
        api.typescript()
            .into_iter()
            .map(|f| (f.file_name, f.contents)),
    );
    files
}

/// Compares the generated files with the checked-in ones (or rewrites them with
/// `UPDATE_API=1`); the differences, named, when they differ.
fn check_snapshots() -> Result<(), String> {
    let dir = snapshot_dir();
    let update = std::env::var_os("UPDATE_API").is_some();
    let files = generated();
    let mut problems = Vec::new();
    for (name, contents) in &files {
        let path = dir.join(name);
        if update {
            std::fs::create_dir_all(&dir).expect("snapshot dir");
            std::fs::write(&path, contents).expect("snapshot written");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(old) if old == *contents => {}
            Ok(old) => {
                let line = old
                    .lines()
                    .zip(contents.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or_else(|| old.lines().count().min(contents.lines().count()));
                problems.push(format!(
                    "{name} differs from line {}: checked in {:?}, generated {:?}",
                    line + 1,
                    old.lines().nth(line).unwrap_or("<end>"),
                    contents.lines().nth(line).unwrap_or("<end>"),
                ));
            }
            Err(e) => problems.push(format!("{name}: {e}")),
        }
    }
    for entry in std::fs::read_dir(&dir).expect("snapshot dir").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !files.iter().any(|(n, _)| *n == name) {
            if update {
                std::fs::remove_file(entry.path()).expect("stale snapshot removed");
            } else {
                problems.push(format!("{name} is no longer generated"));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n(rerun with UPDATE_API=1 to accept the generated files, then review the diff)",
            problems.join("\n")
        ))
    }
}

#[test]
fn the_demo_api_matches_the_checked_in_document_and_maps() {
    if let Err(e) = check_snapshots() {
        panic!("{e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_api_passes_the_asyncapi_parser_and_tsc() {
    // The TypeScript programs use the checked-in maps: they must be the generated ones.
    if let Err(e) = check_snapshots() {
        panic!("{e}");
    }
    let doc = std::env::temp_dir().join(format!("gateway-asyncapi-{}.json", std::process::id()));
    std::fs::write(&doc, demo_api().asyncapi_json()).expect("document written");
    let app = demo_app::start("127.0.0.1", 0, 0)
        .await
        .expect("the demo starts");
    let env = vec![
        ("DEMO_URL", format!("http://{}", app.addr())),
        ("ASYNCAPI_DOC", doc.display().to_string()),
    ];
    let out = run_node_suite_async("describe.test.mjs", env).await;
    app.shutdown().await;
    std::fs::remove_file(&doc).ok();
    match out {
        Ok(report) => println!("{report}"),
        Err(report) => panic!("describe suite failed:\n{report}"),
    }
}
