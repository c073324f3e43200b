//! Parsers for the value formats Compose accepts: memory sizes, CPU counts and
//! durations. Each returns `None` for text Compose would reject.

/// Bytes in a memory size such as `512m`, `64M`, `1.5g`, `104857600` or `1GiB`.
pub fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits_end);
    let number: f64 = number.parse().ok()?;
    let unit = unit.trim_start().to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let unit = unit.strip_suffix('i').unwrap_or(unit);
    let power = match unit {
        "" => 0,
        "k" => 1,
        "m" => 2,
        "g" => 3,
        "t" => 4,
        "p" => 5,
        _ => return None,
    };
    let bytes = number * 1024f64.powi(power);
    (bytes.is_finite() && bytes >= 0.0).then_some(bytes as u64)
}

/// A CPU count such as `0.5`, `"1.0"` or `2`.
pub fn parse_cpus(text: &str) -> Option<f64> {
    let value: f64 = text.trim().parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value)
}

/// Nanoseconds in a Go-style duration such as `10s`, `1m30s` or `500ms`.
pub fn parse_duration_ns(text: &str) -> Option<u64> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    if rest == "0" {
        return Some(0);
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let number: f64 = rest[..number_end].parse().ok()?;
        let unit_rest = &rest[number_end..];
        let unit_end = unit_rest.find(|c: char| c.is_ascii_digit() || c == '.');
        let unit_end = unit_end.unwrap_or(unit_rest.len());
        let scale = match &unit_rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += number * scale;
        rest = &unit_rest[unit_end..];
    }
    Some(total as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    const MIB: u64 = 1024 * 1024;

    #[rstest]
    #[case("64M", 64 * MIB)]
    #[case("64m", 64 * MIB)]
    #[case("512m", 512 * MIB)]
    #[case("67108864", 64 * MIB)]
    #[case("104857600", 100 * MIB)]
    #[case("1g", 1024 * MIB)]
    #[case("1GiB", 1024 * MIB)]
    #[case("1.5g", 1536 * MIB)]
    #[case("128 MB", 128 * MIB)]
    fn sizes(#[case] text: &str, #[case] bytes: u64) {
        assert_eq!(parse_bytes(text), Some(bytes));
    }

    #[rstest]
    #[case("")]
    #[case("lots")]
    #[case("12x")]
    #[case("-1m")]
    fn bad_sizes(#[case] text: &str) {
        assert_eq!(parse_bytes(text), None);
    }

    #[rstest]
    #[case("10s", 10_000_000_000)]
    #[case("1m30s", 90_000_000_000)]
    #[case("500ms", 500_000_000)]
    #[case("2h", 7_200_000_000_000)]
    #[case("0", 0)]
    fn durations(#[case] text: &str, #[case] ns: u64) {
        assert_eq!(parse_duration_ns(text), Some(ns));
    }

    #[rstest]
    #[case("")]
    #[case("10")]
    #[case("s")]
    #[case("10x")]
    fn bad_durations(#[case] text: &str) {
        assert_eq!(parse_duration_ns(text), None);
    }

    proptest! {
        #[test]
        fn size_units_scale_by_1024(n in 0u64..1_000_000) {
            prop_assert_eq!(parse_bytes(&format!("{n}k")), Some(n * 1024));
            prop_assert_eq!(parse_bytes(&format!("{n}M")), Some(n * MIB));
            prop_assert_eq!(parse_bytes(&n.to_string()), Some(n));
        }

        #[test]
        fn durations_add_up(m in 0u64..1000, s in 0u64..60) {
            prop_assert_eq!(parse_duration_ns(&format!("{m}m{s}s")), Some((m * 60 + s) * 1_000_000_000));
        }

        #[test]
        fn cpus_round_trip(c in 0.0f64..64.0) {
            prop_assert_eq!(parse_cpus(&c.to_string()), Some(c));
        }

        #[test]
        fn parsers_never_panic(text in ".{0,20}") {
            let _ = parse_bytes(&text);
            let _ = parse_cpus(&text);
            let _ = parse_duration_ns(&text);
        }
    }
}
