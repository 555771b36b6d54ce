//! Turning what a person types into a safe PostgreSQL prefix full-text query.

/// `"acme  corp"` → `"acme:* & corp:*"`: every word is a prefix, all must match. Only letters and digits
/// survive, so the result is always a valid `to_tsquery('simple', …)` argument. `None` when nothing is left.
pub fn prefix_tsquery(q: &str) -> Option<String> {
    let words: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| format!("{}:*", w.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| words.join(" & "))
}

/// The search text trimmed and bounded, or `None` when blank.
pub fn normalize_query(q: Option<&str>) -> Option<String> {
    let q = q?.trim();
    (!q.is_empty()).then(|| q.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn builds_prefix_terms() {
        assert_eq!(prefix_tsquery("Acme  Corp"), Some("acme:* & corp:*".into()));
        assert_eq!(
            prefix_tsquery("o'neil & ! | ()"),
            Some("o:* & neil:*".into())
        );
        assert_eq!(prefix_tsquery("  ,;  "), None);
    }

    proptest! {
        #[test]
        fn output_has_only_safe_characters(q in ".{0,80}") {
            if let Some(t) = prefix_tsquery(&q) {
                prop_assert!(t.chars().all(|c| c.is_alphanumeric() || c == ':' || c == '*' || c == '&' || c == ' '));
            }
        }
    }
}
