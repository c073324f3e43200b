//! Compose's variable interpolation: `$$`, `$NAME`, `${NAME}`, `${NAME:-default}`,
//! `${NAME-default}`, `${NAME:?message}`, `${NAME?message}`, `${NAME:+alt}` and
//! `${NAME+alt}`, with defaults that may hold further expressions.

/// Where variable values come from.
pub trait Lookup {
    fn lookup(&self, name: &str) -> Option<String>;
}

impl<F: Fn(&str) -> Option<String>> Lookup for F {
    fn lookup(&self, name: &str) -> Option<String> {
        self(name)
    }
}

/// A required variable (`:?` or `?`) that had no value; Compose would refuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingRequired {
    pub name: String,
    pub message: String,
}

/// The result of interpolating one string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Interpolated {
    pub value: String,
    pub missing: Vec<MissingRequired>,
}

/// Interpolates `input`; `Err` carries a description of a malformed expression.
pub fn interpolate(input: &str, vars: &dyn Lookup) -> Result<Interpolated, String> {
    let mut out = Interpolated::default();
    let mut rest = input;
    while let Some(at) = rest.find('$') {
        out.value.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        rest = expand_one(after, vars, &mut out).map_err(|e| format!("{e} in '{input}'"))?;
    }
    out.value.push_str(rest);
    Ok(out)
}

/// Expands the expression after one `$` and returns the text that follows it.
fn expand_one<'a>(
    after: &'a str,
    vars: &dyn Lookup,
    out: &mut Interpolated,
) -> Result<&'a str, String> {
    if let Some(rest) = after.strip_prefix('$') {
        out.value.push('$');
        return Ok(rest);
    }
    if let Some(body) = after.strip_prefix('{') {
        let end = closing_brace(body).ok_or("unclosed '${'")?;
        expand_braced(&body[..end], vars, out)?;
        return Ok(&body[end + 1..]);
    }
    let name_len = name_length(after);
    if name_len == 0 {
        return Err("'$' must start $$, $NAME or ${...}".into());
    }
    let value = vars.lookup(&after[..name_len]).unwrap_or_default();
    out.value.push_str(&value);
    Ok(&after[name_len..])
}

fn expand_braced(body: &str, vars: &dyn Lookup, out: &mut Interpolated) -> Result<(), String> {
    let name_len = name_length(body);
    if name_len == 0 {
        return Err(format!("'${{{body}}}' has no variable name"));
    }
    let name = &body[..name_len];
    let (op, arg) = split_operator(&body[name_len..])?;
    let value = vars.lookup(name);
    let set = value.is_some();
    let non_empty = value.as_deref().is_some_and(|v| !v.is_empty());
    let chosen = match op {
        "" => value.unwrap_or_default(),
        ":-" if non_empty => value.unwrap_or_default(),
        "-" if set => value.unwrap_or_default(),
        ":-" | "-" => nested(arg, vars, out)?,
        ":+" if non_empty => nested(arg, vars, out)?,
        "+" if set => nested(arg, vars, out)?,
        ":+" | "+" => String::new(),
        ":?" if non_empty => value.unwrap_or_default(),
        "?" if set => value.unwrap_or_default(),
        _ => {
            let message = nested(arg, vars, out)?;
            out.missing.push(MissingRequired {
                name: name.into(),
                message,
            });
            String::new()
        }
    };
    out.value.push_str(&chosen);
    Ok(())
}

fn nested(text: &str, vars: &dyn Lookup, out: &mut Interpolated) -> Result<String, String> {
    let inner = interpolate(text, vars)?;
    out.missing.extend(inner.missing);
    Ok(inner.value)
}

fn split_operator(tail: &str) -> Result<(&str, &str), String> {
    if tail.is_empty() {
        return Ok(("", ""));
    }
    for op in [":-", ":?", ":+", "-", "?", "+"] {
        if let Some(arg) = tail.strip_prefix(op) {
            return Ok((op, arg));
        }
    }
    Err(format!("unknown operator in '{tail}'"))
}

fn name_length(text: &str) -> usize {
    let mut len = 0;
    for (i, c) in text.char_indices() {
        let ok = c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit());
        if !ok {
            break;
        }
        len = i + c.len_utf8();
    }
    len
}

/// Finds the `}` that closes a `${`, skipping nested `${...}` in defaults.
fn closing_brace(body: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The names of the variables an unexpanded string refers to.
pub fn referenced_names(input: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = input;
    while let Some(at) = rest.find('$') {
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            rest = tail;
            continue;
        }
        let body = after.strip_prefix('{').unwrap_or(after);
        let len = name_length(body);
        if len > 0 {
            names.push(body[..len].to_string());
        }
        rest = &body[len..];
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn vars(name: &str) -> Option<String> {
        match name {
            "SET" => Some("value".into()),
            "EMPTY" => Some(String::new()),
            "PORT" => Some("3000".into()),
            _ => None,
        }
    }

    #[rstest]
    #[case("plain", "plain")]
    #[case("$$", "$")]
    #[case("a$${SET}b", "a${SET}b")]
    #[case("$SET/x", "value/x")]
    #[case("${SET}", "value")]
    #[case("${UNSET}", "")]
    #[case("${UNSET:-d}", "d")]
    #[case("${EMPTY:-d}", "d")]
    #[case("${EMPTY-d}", "")]
    #[case("${UNSET-d}", "d")]
    #[case("${SET:+alt}", "alt")]
    #[case("${EMPTY:+alt}", "")]
    #[case("${EMPTY+alt}", "alt")]
    #[case("${UNSET+alt}", "")]
    #[case("127.0.0.1:${HOST_PORT:-3000}:3000", "127.0.0.1:3000:3000")]
    #[case("${UNSET:-${PORT}}", "3000")]
    #[case("${UNSET:-${ALSO:-x}y}", "xy")]
    #[case("${SET:?must}", "value")]
    fn expands_like_compose(#[case] input: &str, #[case] expected: &str) {
        let got = interpolate(input, &vars).unwrap();
        assert_eq!(got.value, expected);
        assert!(got.missing.is_empty());
    }

    #[rstest]
    #[case("${UNSET:?set it}", "UNSET", "set it")]
    #[case("${EMPTY:?set it}", "EMPTY", "set it")]
    #[case("${UNSET?gone}", "UNSET", "gone")]
    fn required_variables_are_reported(
        #[case] input: &str,
        #[case] name: &str,
        #[case] message: &str,
    ) {
        let got = interpolate(input, &vars).unwrap();
        assert_eq!(
            got.missing,
            vec![MissingRequired {
                name: name.into(),
                message: message.into()
            }]
        );
    }

    #[rstest]
    #[case("${")]
    #[case("${SET")]
    #[case("${}")]
    #[case("$(cmd)")]
    #[case("${SET:=x}")]
    #[case("cost $5")]
    fn malformed_expressions_are_errors(#[case] input: &str) {
        assert!(interpolate(input, &vars).is_err(), "{input}");
    }

    proptest::proptest! {
        #[test]
        fn text_without_dollars_is_unchanged(text in "[^$]{0,40}") {
            proptest::prop_assert_eq!(interpolate(&text, &vars).unwrap().value, text);
        }

        #[test]
        fn doubled_dollars_escape(text in "[^$]{0,20}") {
            let escaped = format!("$${text}$$");
            proptest::prop_assert_eq!(interpolate(&escaped, &vars).unwrap().value, format!("${text}$"));
        }

        #[test]
        fn defaults_apply_to_unset_names(default in "[a-z0-9 ./:-]{0,20}") {
            let got = interpolate(&format!("${{UNSET:-{default}}}"), &vars).unwrap();
            proptest::prop_assert_eq!(got.value, default);
        }

        #[test]
        fn set_values_win_over_defaults(default in "[a-z0-9 ./:-]{0,20}") {
            let got = interpolate(&format!("${{SET:-{default}}}"), &vars).unwrap();
            proptest::prop_assert_eq!(got.value, "value");
        }

        #[test]
        fn never_panics(text in "[${}:?+a-zA-Z_-]{0,24}") {
            let _ = interpolate(&text, &vars);
        }
    }

    #[test]
    fn names_are_found() {
        assert_eq!(referenced_names("$$A ${B:-${C}} $D"), vec!["B", "C", "D"]);
    }
}
