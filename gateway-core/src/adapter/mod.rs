//! Adapters: where rooms and broadcasts live. The in-memory adapter is the default; with the
//! `redis` feature, the `redis` module spans them across processes; with `postgres`, the
//! `postgres` module. Gateways never name an adapter.

#[cfg(feature = "redis")]
pub mod redis;

#[cfg(feature = "postgres")]
pub mod postgres;

#[cfg(any(feature = "redis", feature = "postgres"))]
/// A connection URL with its password hidden: `redis://user:secret@host` shown as
/// `redis://user:***@host` (`postgres://` URLs alike; in PostgreSQL's `key=value` form,
/// `password=***`).
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url
            .split_whitespace()
            .map(|pair| match pair.split_once('=') {
                Some(("password", _)) => "password=***",
                _ => pair,
            })
            .collect::<Vec<_>>()
            .join(" ");
    };
    // The authority ends at the first `/`; a password may itself hold `@`: split at the last.
    let authority = rest.find('/').map_or(rest, |i| &rest[..i]);
    match authority.rfind('@').map(|i| (&rest[..i], &rest[i + 1..])) {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            let masked = if credentials.contains(':') {
                format!("{user}:***")
            } else {
                "***".to_owned()
            };
            format!("{scheme}://{masked}@{host}")
        }
        None => url.to_owned(),
    }
}

#[cfg(all(test, any(feature = "redis", feature = "postgres")))]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("redis://user:secret@host:6379/0"),
            "redis://user:***@host:6379/0"
        );
        assert_eq!(redact("redis://:secret@host"), "redis://:***@host");
        assert_eq!(redact("redis://host:6379"), "redis://host:6379");
        assert_eq!(
            redact("postgres://app:pw@127.0.0.1:5432/app"),
            "postgres://app:***@127.0.0.1:5432/app"
        );
        assert_eq!(
            redact("host=127.0.0.1 password=pw user=app"),
            "host=127.0.0.1 password=*** user=app"
        );
        assert_eq!(
            redact("redis://user:p@ss-word@127.0.0.1:6379/0"),
            "redis://user:***@127.0.0.1:6379/0"
        );
    }
}
