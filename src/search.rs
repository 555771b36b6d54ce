//! Turning what a person types into a safe PostgreSQL prefix full-text query (and its typo-tolerant form).
//! How such a query is then read — walk or index — is the server's business: `app::ssr::search::plan`.

/// `"acme  corp"` → `"acme & corp:*"`: every term must match, and the last may be the start of a word (it may
/// still be being typed). The others are whole words, which the GIN index intersects without collecting
/// every row of a frequent prefix first (`555 & 8812:*` reads 10 ms of index at 2M customers, `555:* &
/// 8812:*` 250 ms). E-mail addresses and host names stay whole (`'sales@acme.com':*`), as the index holds
/// them; of everything else only letters and digits survive, so the result is always a valid
/// `to_tsquery('simple', …)` argument. `None` when nothing is left.
pub fn prefix_tsquery(q: &str) -> Option<String> {
    let terms = query_terms(q);
    let last = terms.len().checked_sub(1)?;
    Some(
        terms
            .iter()
            .enumerate()
            .map(|(i, t)| term(t, i == last))
            .collect::<Vec<_>>()
            .join(" & "),
    )
}

/// One query term: a word as it is, anything else (an address) quoted; `:*` for a prefix.
fn term(t: &str, prefix: bool) -> String {
    let star = if prefix { ":*" } else { "" };
    if t.chars().all(char::is_alphanumeric) {
        format!("{t}{star}")
    } else {
        format!("'{t}'{star}")
    }
}

/// What an address may hold besides letters and digits.
const ADDRESS_CHARS: &str = "@.-_+";

/// The terms of a query, lower-case, at most 8: e-mail addresses and host names (a word with `@`, or with a
/// dot between letters or digits) whole, everything else split into runs of letters and digits.
pub fn query_terms(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in q.split_whitespace() {
        let chunk = chunk.trim_matches(|c: char| !c.is_alphanumeric());
        let chars: Vec<char> = chunk.chars().collect();
        let dotted = chars
            .windows(3)
            .any(|w| w[1] == '.' && w[0].is_alphanumeric() && w[2].is_alphanumeric());
        let address = (chunk.contains('@') || dotted)
            && chars
                .iter()
                .all(|c| c.is_alphanumeric() || ADDRESS_CHARS.contains(*c));
        if address {
            out.push(chunk.to_lowercase());
        } else {
            out.extend(query_words(chunk));
        }
    }
    out.truncate(8);
    out
}

/// The words of a query as the full-text index holds them: runs of letters and digits, lower-case, at most 8.
pub fn query_words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(str::to_lowercase)
        .collect()
}

/// Whether a word can be misspelt, i.e. is worth looking up among known words: it holds a letter and has at
/// least three characters (trigram similarity says nothing about shorter ones).
pub fn correctable(word: &str) -> bool {
    word.chars().count() >= 3 && word.chars().any(char::is_alphabetic)
}

/// The typo-tolerant query: each word may also be one of the known words it resembles (`corrections[i]`, most
/// similar first, for `words[i]`): `"gama clod"` with `[["gamma"], ["cloud", "clouds"]]` →
/// `"(gama | gamma) & (clod:* | cloud | clouds)"` (the last word a prefix, as in `prefix_tsquery`). `None`
/// when no word has a correction other than itself, since the query would then be the plain full-text one
/// that already found nothing.
pub fn fuzzy_tsquery(words: &[String], corrections: &[Vec<String>]) -> Option<String> {
    let mut changed = false;
    let last = words.len().saturating_sub(1);
    let terms: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let mut alternatives = vec![term(w, i == last)];
            for c in corrections.get(i).into_iter().flatten() {
                // Known words come from the index, but only letters and digits may reach to_tsquery.
                if c != w && !c.is_empty() && c.chars().all(char::is_alphanumeric) {
                    changed = true;
                    alternatives.push(c.clone());
                }
            }
            if alternatives.len() == 1 {
                alternatives.remove(0)
            } else {
                format!("({})", alternatives.join(" | "))
            }
        })
        .collect();
    (changed && !terms.is_empty()).then(|| terms.join(" & "))
}

/// The query with each word replaced by its most similar known word (`"nakatmoi hea"` with
/// `[["nakatomi"], ["health"]]` → `"nakatomi health"`), for a name-prefix search; a word without
/// corrections stays.
pub fn best_corrections(words: &[String], corrections: &[Vec<String>]) -> String {
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            corrections
                .get(i)
                .and_then(|c| c.first())
                .unwrap_or(w)
                .as_str()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The terms of a full-text query built here (`prefix_tsquery`, `fuzzy_tsquery`): its `&`-joined parts, each
/// a valid query by itself.
pub fn tsquery_terms(tsq: &str) -> Vec<String> {
    tsq.split(" & ").map(str::to_owned).collect()
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
        assert_eq!(prefix_tsquery("Acme  Corp"), Some("acme & corp:*".into()));
        assert_eq!(prefix_tsquery("o'neil & ! | ()"), Some("o & neil:*".into()));
        assert_eq!(prefix_tsquery("  ,;  "), None);
        // Addresses stay whole, as the index holds them; trailing punctuation goes.
        assert_eq!(
            prefix_tsquery("Info@Stark-12.example.com, acme.com."),
            Some("'info@stark-12.example.com' & 'acme.com':*".into())
        );
        // Not an address: a dot at the end, or characters an address cannot hold.
        assert_eq!(prefix_tsquery("inc. 12"), Some("inc & 12:*".into()));
        assert_eq!(prefix_tsquery("a'b@c.d"), Some("a & b & c & d:*".into()));
    }

    #[test]
    fn fuzzy_query_offers_the_corrections_beside_each_word() {
        let words = query_words("Gama  Clod 12");
        assert_eq!(words, ["gama", "clod", "12"]);
        let corrections = vec![
            vec!["gamma".to_owned()],
            vec!["cloud".to_owned(), "clouds".to_owned()],
            vec![],
        ];
        assert_eq!(
            fuzzy_tsquery(&words, &corrections).as_deref(),
            Some("(gama | gamma) & (clod | cloud | clouds) & 12:*")
        );
        // Nothing to correct, or only the word itself: no fuzzy query.
        assert_eq!(fuzzy_tsquery(&words, &[]), None);
        assert_eq!(
            fuzzy_tsquery(&["gamma".to_owned()], &[vec!["gamma".to_owned()]]),
            None
        );
        assert_eq!(best_corrections(&words, &corrections), "gamma cloud 12");
        // A stored word with characters to_tsquery would read as operators is never passed on.
        assert_eq!(
            fuzzy_tsquery(&["ab".to_owned()], &[vec!["a|b".to_owned()]]),
            None
        );
    }

    #[test]
    fn only_words_with_letters_and_three_characters_are_corrected() {
        assert!(correctable("gama"));
        assert!(correctable("3mx"));
        assert!(!correctable("ab"));
        assert!(!correctable("8812"));
    }

    proptest! {
        #[test]
        fn output_has_only_safe_characters(q in ".{0,80}") {
            if let Some(t) = prefix_tsquery(&q) {
                prop_assert!(t.chars().all(|c| c.is_alphanumeric() || ":*& '@.-_+".contains(c)));
                // Quotes only around whole terms: never inside one.
                for term in t.split(" & ") {
                    let inner = term.trim_end_matches(":*");
                    prop_assert!(!inner.trim_matches('\'').contains('\''), "{}", term);
                }
            }
        }

        #[test]
        fn fuzzy_output_has_only_safe_characters(q in ".{0,80}", c in proptest::collection::vec(".{0,12}", 0..4)) {
            let words = query_words(&q);
            let corrections: Vec<Vec<String>> = words.iter().map(|_| c.clone()).collect();
            if let Some(t) = fuzzy_tsquery(&words, &corrections) {
                prop_assert!(t.chars().all(|c| c.is_alphanumeric() || ":*&|() ".contains(c)));
            }
        }
    }
}
