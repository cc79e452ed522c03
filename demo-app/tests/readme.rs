//! The README's code that `cargo test` compiles: the "gateway in twenty lines" is
//! `examples/twenty_lines.rs`, the route of "HTTP and configuration" is
//! `examples/http_routes.rs`, and the test of "Testing" is `tests/readme_testing.rs`. The
//! README must show the same code (rustfmt may lay the files out differently).

/// `text` without any whitespace, nor the trailing commas rustfmt adds.
fn squeezed(text: &str) -> String {
    let joined: String = text.split_whitespace().collect();
    joined.replace(",}", "}").replace(",)", ")")
}

/// The first ```rust block of the README's section `heading`.
fn first_block(heading: &str) -> &'static str {
    let readme = include_str!("../../README.md");
    let section = readme
        .split(heading)
        .nth(1)
        .unwrap_or_else(|| panic!("README.md has the section {heading:?}"));
    section
        .split("```rust")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap_or_else(|| panic!("{heading:?} has a ```rust block"))
}

#[test]
fn readme_shows_the_twenty_line_example_as_it_compiles() {
    assert_eq!(
        squeezed(first_block("## A gateway in twenty lines")),
        squeezed(include_str!("../examples/twenty_lines.rs")),
        "README.md must show demo-app/examples/twenty_lines.rs"
    );
}

#[test]
fn readme_shows_the_http_example_as_it_compiles() {
    assert_eq!(
        squeezed(first_block("## HTTP and configuration")),
        squeezed(include_str!("../examples/http_routes.rs")),
        "README.md must show demo-app/examples/http_routes.rs"
    );
}

#[test]
fn readme_shows_the_demo_config_file() {
    let readme = include_str!("../../README.md");
    let file = include_str!("../demo.toml");
    assert!(
        readme.contains(file.trim_end()),
        "README.md must show demo-app/demo.toml"
    );
}

#[test]
fn readme_shows_the_testing_example_as_it_compiles() {
    assert_eq!(
        squeezed(first_block("## Testing")),
        squeezed(include_str!("readme_testing.rs")),
        "README.md must show demo-app/tests/readme_testing.rs"
    );
}

#[test]
fn readme_shows_the_described_example_as_it_compiles() {
    assert_eq!(
        squeezed(first_block("## Describing the API")),
        squeezed(include_str!("../examples/described.rs")),
        "README.md must show demo-app/examples/described.rs"
    );
}

#[test]
fn readme_shows_the_chat_channel_as_generated() {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("## Describing the API")
        .nth(1)
        .expect("README.md has the section");
    let excerpt = section
        .split("```json")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the section has a ```json block");
    let doc = include_str!("../../tests/js/api/asyncapi.json");
    for line in excerpt
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "...")
    {
        assert!(
            doc.lines().any(|d| d.trim() == line),
            "README's AsyncAPI excerpt has {line:?}, which tests/js/api/asyncapi.json does not"
        );
    }
}

#[test]
fn readme_shows_the_server_acks_example_as_it_compiles() {
    assert_eq!(
        squeezed(first_block(
            "## Asking the clients: server acks, volatile emits, msgpack"
        )),
        squeezed(include_str!("../examples/server_acks.rs")),
        "README.md must show demo-app/examples/server_acks.rs"
    );
}
