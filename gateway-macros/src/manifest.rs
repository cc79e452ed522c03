//! What the crate being compiled depends on, read from its `Cargo.toml`. The one input of an
//! expansion besides its tokens: whether the user's crate names `validator` itself decides
//! whether the generated code may name `::validator` (to catch a second major version).

use std::path::PathBuf;

/// Whether the crate being compiled lists `name` among its normal dependencies (any form:
/// `name = "1"`, `name = { .. }`, `name.workspace = true`, `[dependencies.name]`, target
/// tables too). Dev-dependencies do not count: the library of the crate cannot name them, and
/// a macro cannot tell which target it expands in.
pub(crate) fn depends_on(name: &str) -> bool {
    let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        return false;
    };
    let Ok(text) = std::fs::read_to_string(PathBuf::from(dir).join("Cargo.toml")) else {
        return false;
    };
    lists(&text, name)
}

fn lists(manifest: &str, name: &str) -> bool {
    let mut in_deps = false;
    for line in manifest.lines().map(str::trim) {
        if let Some(table) = line.strip_prefix('[') {
            let table = table.trim_end_matches(']').trim();
            let normal = |t: &str| {
                t.ends_with("dependencies")
                    && !t.ends_with("dev-dependencies")
                    && !t.ends_with("build-dependencies")
            };
            if let Some(deps) = table.strip_suffix(&format!(".{name}"))
                && normal(deps)
            {
                return true;
            }
            in_deps = normal(table);
            continue;
        }
        if in_deps
            && let Some(rest) = line.strip_prefix(name)
            && matches!(rest.trim_start().chars().next(), Some('=' | '.'))
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::lists;

    #[test]
    fn finds_a_dependency_in_any_form() {
        assert!(lists("[dependencies]\nvalidator = \"0.20\"\n", "validator"));
        assert!(lists(
            "[dependencies]\nvalidator.workspace = true\n",
            "validator"
        ));
        assert!(!lists(
            "[dev-dependencies]\nvalidator = { version = \"0.21\" }\n",
            "validator"
        ));
        assert!(lists(
            "[target.'cfg(unix)'.dependencies]\nvalidator = \"0.21\"\n",
            "validator"
        ));
        assert!(lists(
            "[dependencies.validator]\nversion = \"0.21\"\n",
            "validator"
        ));
        assert!(!lists(
            "[dependencies]\nvalidator_derive = \"0.21\"\n",
            "validator"
        ));
        assert!(!lists(
            "[package]\nvalidator = 1\n[dependencies]\nserde = \"1\"\n",
            "validator"
        ));
    }
}
