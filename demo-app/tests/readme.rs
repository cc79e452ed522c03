//! The README's "gateway in twenty lines" is `examples/twenty_lines.rs`, which `cargo test`
//! compiles: the README must show the same code (rustfmt may lay the file out differently).

/// `text` without any whitespace, nor the trailing commas rustfmt adds.
fn squeezed(text: &str) -> String {
    let joined: String = text.split_whitespace().collect();
    joined.replace(",}", "}").replace(",)", ")")
}

#[test]
fn readme_shows_the_twenty_line_example_as_it_compiles() {
    let readme = include_str!("../../README.md");
    let example = include_str!("../examples/twenty_lines.rs");
    let section = readme
        .split("## A gateway in twenty lines")
        .nth(1)
        .expect("README.md has the section");
    let block = section
        .split("```rust")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the section opens with a ```rust block");
    assert_eq!(
        squeezed(block),
        squeezed(example),
        "README.md must show demo-app/examples/twenty_lines.rs"
    );
}
