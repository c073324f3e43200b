//! Image references: `[registry/]path[:tag][@digest]`.

/// The parts of an image reference that pinning cares about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry and path, without tag or digest.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses a reference; `None` when it is empty or has an empty part.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (name, digest) = match text.split_once('@') {
            Some((name, digest)) => (name, Some(digest.to_string())),
            None => (text, None),
        };
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (repository, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (
                &name[..last_slash + i],
                Some(name[last_slash + i + 1..].to_string()),
            ),
            None => (name, None),
        };
        let empty = |part: &Option<String>| part.as_deref().is_some_and(str::is_empty);
        if repository.is_empty() || empty(&tag) || empty(&digest) {
            return None;
        }
        Some(ImageRef {
            repository: repository.to_string(),
            tag,
            digest,
        })
    }

    /// Pinned: a digest, or an explicit tag other than `latest`.
    pub fn is_pinned(&self) -> bool {
        let hex = self
            .digest
            .as_deref()
            .and_then(|d| d.strip_prefix("sha256:"));
        let digest_ok =
            hex.is_some_and(|h| h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()));
        let tag_ok = self.tag.as_deref().is_some_and(|t| t != "latest");
        digest_ok || tag_ok
    }

    /// The repository without a registry host, e.g. `muety/wakapi`.
    pub fn path(&self) -> &str {
        match self.repository.split_once('/') {
            Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => rest,
            _ => &self.repository,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case("ghcr.io/muety/wakapi:2.17.6", true)]
    #[case("ghcr.io/tecnativa/docker-socket-proxy", false)]
    #[case("ghcr.io/gethomepage/homepage:latest", false)]
    #[case("localhost:5000/app", false)]
    #[case("localhost:5000/app:1.0", true)]
    #[case(
        "busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        true
    )]
    #[case(
        "busybox:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        true
    )]
    #[case("busybox@sha256:abc", false)]
    #[case("busybox@md5:abc", false)]
    fn pinning(#[case] text: &str, #[case] pinned: bool) {
        assert_eq!(ImageRef::parse(text).unwrap().is_pinned(), pinned, "{text}");
    }

    #[rstest]
    #[case("")]
    #[case("app:")]
    #[case("app@")]
    fn unusable(#[case] text: &str) {
        assert_eq!(ImageRef::parse(text), None);
    }

    #[test]
    fn path_drops_the_registry() {
        assert_eq!(
            ImageRef::parse("ghcr.io/muety/wakapi:1").unwrap().path(),
            "muety/wakapi"
        );
        assert_eq!(
            ImageRef::parse("muety/wakapi").unwrap().path(),
            "muety/wakapi"
        );
        assert_eq!(ImageRef::parse("localhost:5000/a/b").unwrap().path(), "a/b");
    }

    proptest! {
        #[test]
        fn tag_round_trips(repo in "[a-z]{1,8}(/[a-z]{1,8}){0,2}", tag in "[a-z0-9.]{1,8}") {
            let parsed = ImageRef::parse(&format!("{repo}:{tag}")).unwrap();
            prop_assert_eq!(&parsed.repository, &repo);
            prop_assert_eq!(parsed.is_pinned(), tag != "latest");
        }
    }
}
