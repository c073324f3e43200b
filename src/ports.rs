//! Published ports in Compose's short syntax (`[IP:][HOST:]CONTAINER[/PROTO]`, with
//! `[v6]` brackets) and long syntax (`target`, `published`, `host_ip`, `protocol`).

/// One published port, whichever syntax wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortBinding {
    /// The host address; `None` means every interface.
    pub host_ip: Option<String>,
    /// The host port or range; `None` means an ephemeral port.
    pub published: Option<String>,
    pub target: String,
    pub protocol: String,
}

impl PortBinding {
    /// True when the binding only listens on a loopback address.
    pub fn is_loopback(&self) -> bool {
        self.host_ip.as_deref().is_some_and(is_loopback_ip)
    }
}

/// True for `127.0.0.0/8`, `::1` and `[::1]`.
pub fn is_loopback_ip(ip: &str) -> bool {
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    match ip.parse::<std::net::IpAddr>() {
        Ok(addr) => addr.is_loopback(),
        Err(_) => ip == "localhost",
    }
}

/// Parses the short syntax; `None` when it is not a port specification.
pub fn parse_short(spec: &str) -> Option<PortBinding> {
    let (body, protocol) = match spec.rsplit_once('/') {
        Some((body, proto)) => (body, proto.to_string()),
        None => (spec, "tcp".to_string()),
    };
    let (host_ip, rest) = split_host_ip(body)?;
    if host_ip
        .as_deref()
        .is_some_and(|ip| ip.parse::<std::net::IpAddr>().is_err())
    {
        return None;
    }
    let parts: Vec<&str> = rest.split(':').collect();
    let (published, target) = match parts.as_slice() {
        [target] => (None, *target),
        [published, target] => (non_empty(published), *target),
        _ => return None,
    };
    if !is_port_or_range(target) || published.as_deref().is_some_and(|p| !is_port_or_range(p)) {
        return None;
    }
    Some(PortBinding {
        host_ip,
        published,
        target: target.to_string(),
        protocol,
    })
}

/// Splits off a host address: `[v6]:rest`, `v4:h:c`, or `v6:h:c` written bare.
fn split_host_ip(body: &str) -> Option<(Option<String>, &str)> {
    if let Some(inner) = body.strip_prefix('[') {
        let (ip, rest) = inner.split_once(']')?;
        return Some((Some(ip.to_string()), rest.strip_prefix(':')?));
    }
    let colons = body.matches(':').count();
    if colons < 2 {
        return Some((None, body));
    }
    // The last two fields are the ports; everything before them is the address.
    let mut cut = body.rmatch_indices(':').map(|(i, _)| i);
    let _ = cut.next();
    let at = cut.next()?;
    Some((non_empty(&body[..at]), &body[at + 1..]))
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

fn is_port_or_range(text: &str) -> bool {
    let is_port = |p: &str| p.parse::<u16>().is_ok_and(|n| n > 0);
    match text.split_once('-') {
        Some((a, b)) => is_port(a) && is_port(b),
        None => is_port(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case("3000", None, None, "3000")]
    #[case("3000:3000", None, Some("3000"), "3000")]
    #[case(":3000", None, None, "3000")]
    #[case("127.0.0.1:3001:3000", Some("127.0.0.1"), Some("3001"), "3000")]
    #[case("127.0.0.1::3000", Some("127.0.0.1"), None, "3000")]
    #[case("[::1]:3001:3000", Some("::1"), Some("3001"), "3000")]
    #[case("::1:3001:3000", Some("::1"), Some("3001"), "3000")]
    #[case("0.0.0.0:80:80/udp", Some("0.0.0.0"), Some("80"), "80")]
    #[case("8000-8005:8000-8005", None, Some("8000-8005"), "8000-8005")]
    fn short_syntax(
        #[case] spec: &str,
        #[case] ip: Option<&str>,
        #[case] published: Option<&str>,
        #[case] target: &str,
    ) {
        let got = parse_short(spec).unwrap();
        assert_eq!(got.host_ip.as_deref(), ip);
        assert_eq!(got.published.as_deref(), published);
        assert_eq!(got.target, target);
    }

    #[rstest]
    #[case("")]
    #[case("web")]
    #[case("1:2:3:4")]
    #[case("[::1:3000")]
    #[case("70000")]
    fn not_ports(#[case] spec: &str) {
        assert_eq!(parse_short(spec), None);
    }

    #[rstest]
    #[case("127.0.0.1", true)]
    #[case("127.1.2.3", true)]
    #[case("::1", true)]
    #[case("[::1]", true)]
    #[case("0.0.0.0", false)]
    #[case("::", false)]
    #[case("[::]", false)]
    #[case("192.168.1.10", false)]
    fn loopback(#[case] ip: &str, #[case] expected: bool) {
        assert_eq!(is_loopback_ip(ip), expected);
    }

    proptest! {
        #[test]
        fn v4_round_trip(a in 0u8.., h in 1u16.., c in 1u16..) {
            let got = parse_short(&format!("127.0.0.{a}:{h}:{c}")).unwrap();
            prop_assert!(got.is_loopback());
            prop_assert_eq!(got.published, Some(h.to_string()));
            prop_assert_eq!(got.target, c.to_string());
        }

        #[test]
        fn v6_bracketed_round_trip(h in 1u16.., c in 1u16..) {
            let got = parse_short(&format!("[::1]:{h}:{c}")).unwrap();
            prop_assert_eq!(got.host_ip.as_deref(), Some("::1"));
        }

        #[test]
        fn never_panics(spec in "[0-9a-f:\\[\\]./-]{0,24}") {
            let _ = parse_short(&spec);
        }
    }
}
