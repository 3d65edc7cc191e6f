//! Kemendagri region codes (`PP.KK.CC.DDDD`, DOMAIN.md §4.5) as used by facts and region lists:
//! canonical dotted form and the "is within" relation (a village is within its district, regency
//! and province).

/// Returns the dotted canonical form of a region code, or `None` if it is not one.
///
/// Accepts `18`, `18.07`, `1807`, `18.07.05`, `180705`, `18.07.05.2001` and `1807052001`. Dotted
/// input must have the right part lengths (2, 2, 2, 4 digits).
pub fn canonical(code: &str) -> Option<String> {
    let code = code.trim();
    if code.contains('.') {
        let parts: Vec<&str> = code.split('.').collect();
        let lengths = [2, 2, 2, 4];
        if parts.is_empty() || parts.len() > 4 {
            return None;
        }
        for (part, len) in parts.iter().zip(lengths) {
            if part.len() != len || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
        }
        return Some(code.to_owned());
    }
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match code.len() {
        2 => Some(code.to_owned()),
        4 => Some(format!("{}.{}", &code[..2], &code[2..])),
        6 => Some(format!("{}.{}.{}", &code[..2], &code[2..4], &code[4..])),
        10 => Some(format!("{}.{}.{}.{}", &code[..2], &code[2..4], &code[4..6], &code[6..])),
        _ => None,
    }
}

/// The code itself and its ancestors, most specific first: `18.07.05.2001`, `18.07.05`,
/// `18.07`, `18`. The code must be canonical.
pub fn self_and_ancestors(code: &str) -> impl Iterator<Item = &str> {
    let mut end = Some(code.len());
    std::iter::from_fn(move || {
        let current = end?;
        let slice = &code[..current];
        end = slice.rfind('.');
        Some(slice)
    })
}

/// True when canonical `code` equals canonical `area` or lies inside it.
pub fn is_within(code: &str, area: &str) -> bool {
    code == area
        || (code.len() > area.len()
            && code.starts_with(area)
            && code.as_bytes().get(area.len()) == Some(&b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_canonicalised_with_or_without_dots() {
        assert_eq!(canonical("1807052001").as_deref(), Some("18.07.05.2001"));
        assert_eq!(canonical("18.07").as_deref(), Some("18.07"));
        assert_eq!(canonical("1807").as_deref(), Some("18.07"));
        assert_eq!(canonical("18.7"), None);
        assert_eq!(canonical("18070"), None);
        assert_eq!(canonical("18.07.05.2001.1"), None);
        assert_eq!(canonical(""), None);
    }

    #[test]
    fn ancestors_run_from_specific_to_general() {
        let all: Vec<&str> = self_and_ancestors("18.07.05.2001").collect();
        assert_eq!(all, ["18.07.05.2001", "18.07.05", "18.07", "18"]);
    }

    #[test]
    fn within_respects_part_boundaries() {
        assert!(is_within("18.07.05.2001", "18.07"));
        assert!(is_within("18.07", "18.07"));
        assert!(!is_within("18.07", "18.07.05"));
        assert!(!is_within("18.71", "18.7"));
    }
}
