//! The namespace a socket connects to. The three kinds a gateway can serve: a static path, a path pattern with
//! parameters, and a regular expression (NestJS's dynamic namespaces).

use std::sync::Arc;

use regex::Regex;
use serde::de::DeserializeOwned;

use crate::error::{HandlerError, StartupError};

/// A namespace as written in `#[web_socket_gateway(namespace = ...)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamespaceSpec {
    /// `namespace = "chat"`: one namespace, leading slash added as NestJS does (`/chat`).
    Static(&'static str),
    /// `namespace = "/teams/{team}"`: every path that fits; handlers take the parameters with
    /// [`NsParams`](crate::handler::NsParams).
    Pattern(&'static str),
    /// `namespace = regex("^/\\w+$")`: every path the expression matches.
    Regex(&'static str),
}

impl NamespaceSpec {
    /// Parses a string namespace: a pattern when it has `{param}` segments, else static.
    pub const fn from_str_lit(s: &'static str) -> Self {
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'{' {
                return NamespaceSpec::Pattern(s);
            }
            i += 1;
        }
        NamespaceSpec::Static(s)
    }

    /// How it is shown in logs: `/chat`, `/teams/{team}`, `regex(^/\w+$)`.
    pub fn display(&self) -> String {
        match self {
            NamespaceSpec::Static(p) | NamespaceSpec::Pattern(p) => normalize(p),
            NamespaceSpec::Regex(r) => format!("regex({r})"),
        }
    }
}

/// Adds the leading slash NestJS adds (`chat` -> `/chat`, `` -> `/`).
pub(crate) fn normalize(path: &str) -> String {
    if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    }
}

/// A namespace ready to match connection paths.
#[derive(Debug, Clone)]
pub(crate) enum Matcher {
    /// One path.
    Static(String),
    /// Segments, `{name}` for one segment, `{*name}` for the rest.
    Pattern(Vec<Segment>),
    /// A regular expression over the whole path.
    Regex(Regex),
}

/// One segment of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// Must be equal.
    Literal(String),
    /// Any one segment, captured.
    Param(String),
    /// The rest of the path, captured.
    CatchAll(String),
}

impl Matcher {
    /// Compiles a spec; `gateway` names the owner in errors.
    pub(crate) fn compile(
        spec: NamespaceSpec,
        gateway: &'static str,
    ) -> Result<Self, StartupError> {
        let invalid = |reason: String| StartupError::InvalidNamespace {
            gateway,
            namespace: spec.display(),
            reason,
        };
        match spec {
            NamespaceSpec::Static(p) => Ok(Matcher::Static(normalize(p))),
            NamespaceSpec::Pattern(p) => {
                let path = normalize(p);
                let mut segments = Vec::new();
                let parts: Vec<&str> = path[1..].split('/').collect();
                for (i, part) in parts.iter().enumerate() {
                    let seg = if let Some(name) =
                        part.strip_prefix("{*").and_then(|p| p.strip_suffix('}'))
                    {
                        if i + 1 != parts.len() {
                            return Err(invalid(format!("`{{*{name}}}` must be the last segment")));
                        }
                        Segment::CatchAll(name.to_owned())
                    } else if let Some(name) =
                        part.strip_prefix('{').and_then(|p| p.strip_suffix('}'))
                    {
                        Segment::Param(name.to_owned())
                    } else if part.contains(['{', '}']) {
                        return Err(invalid(format!(
                            "segment `{part}`: a parameter is a whole segment, `{{name}}`"
                        )));
                    } else {
                        Segment::Literal((*part).to_owned())
                    };
                    if let Segment::Param(n) | Segment::CatchAll(n) = &seg
                        && n.is_empty()
                    {
                        return Err(invalid("a parameter needs a name".into()));
                    }
                    segments.push(seg);
                }
                Ok(Matcher::Pattern(segments))
            }
            NamespaceSpec::Regex(r) => Regex::new(r)
                .map(Matcher::Regex)
                .map_err(|e| invalid(e.to_string())),
        }
    }

    /// The parameters when `path` is served by this namespace, `None` when it is not.
    pub(crate) fn matches(&self, path: &str) -> Option<Vec<(String, String)>> {
        match self {
            Matcher::Static(p) => (p == path).then(Vec::new),
            Matcher::Regex(r) => r.is_match(path).then(Vec::new),
            Matcher::Pattern(segments) => {
                let rest = path.strip_prefix('/')?;
                let parts: Vec<&str> = rest.split('/').collect();
                let mut params = Vec::new();
                for (i, seg) in segments.iter().enumerate() {
                    match seg {
                        Segment::CatchAll(name) => {
                            let tail = parts.get(i..)?.join("/");
                            if tail.is_empty() {
                                return None;
                            }
                            params.push((name.clone(), tail));
                            return Some(params);
                        }
                        Segment::Literal(l) => {
                            if parts.get(i)? != l {
                                return None;
                            }
                        }
                        Segment::Param(name) => {
                            let v = parts.get(i)?;
                            if v.is_empty() {
                                return None;
                            }
                            params.push((name.clone(), (*v).to_owned()));
                        }
                    }
                }
                (parts.len() == segments.len()).then_some(params)
            }
        }
    }

    /// The pattern to register with socketioxide's router for a dynamic namespace.
    pub(crate) fn router_pattern(&self) -> Option<String> {
        match self {
            Matcher::Static(_) => None,
            Matcher::Regex(_) => Some("/{*path}".to_owned()),
            Matcher::Pattern(segments) => {
                let mut s = String::new();
                for seg in segments {
                    s.push('/');
                    match seg {
                        Segment::Literal(l) => s.push_str(l),
                        Segment::Param(n) => s.push_str(&format!("{{{n}}}")),
                        Segment::CatchAll(n) => s.push_str(&format!("{{*{n}}}")),
                    }
                }
                Some(s)
            }
        }
    }
}

/// The parameters of the namespace a socket connected to (`/teams/{team}`), stored on the
/// socket when it connects.
#[derive(Debug, Clone, Default)]
pub(crate) struct NamespaceParams(pub(crate) Arc<Vec<(String, String)>>);

impl NamespaceParams {
    /// The parameter called `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Decodes the parameters into `T` (a struct whose fields are the parameter names).
    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T, HandlerError> {
        let pairs = self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let de = serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(pairs);
        T::deserialize(de).map_err(|e| HandlerError::Internal(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_gets_a_leading_slash() {
        let m = Matcher::compile(NamespaceSpec::Static("chat"), "G").unwrap();
        assert_eq!(m.matches("/chat"), Some(vec![]));
        assert_eq!(m.matches("/chat/x"), None);
    }

    #[test]
    fn pattern_captures_parameters() {
        let spec = NamespaceSpec::from_str_lit("/teams/{team}");
        assert_eq!(spec, NamespaceSpec::Pattern("/teams/{team}"));
        let m = Matcher::compile(spec, "G").unwrap();
        assert_eq!(
            m.matches("/teams/red"),
            Some(vec![("team".into(), "red".into())])
        );
        assert_eq!(m.matches("/teams/"), None);
        assert_eq!(m.matches("/teams/red/x"), None);
        assert_eq!(m.matches("/other/red"), None);
        assert_eq!(m.router_pattern().as_deref(), Some("/teams/{team}"));
    }

    #[test]
    fn regex_matches_whole_paths() {
        let m = Matcher::compile(NamespaceSpec::Regex(r"^/\w+$"), "G").unwrap();
        assert!(m.matches("/abc").is_some());
        assert!(m.matches("/a/b").is_none());
        assert!(Matcher::compile(NamespaceSpec::Regex("("), "G").is_err());
    }
}
