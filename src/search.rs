//! Turning what a person types into a safe PostgreSQL prefix full-text query.

/// `"acme  corp"` → `"acme:* & corp:*"`: every word is a prefix, all must match. Only letters and digits
/// survive, so the result is always a valid `to_tsquery('simple', …)` argument. `None` when nothing is left.
pub fn prefix_tsquery(q: &str) -> Option<String> {
    let words: Vec<String> = query_words(q)
        .into_iter()
        .map(|w| format!("{w}:*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" & "))
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
/// `"(gama:* | gamma) & (clod:* | cloud | clouds)"`. `None` when no word has a correction other than itself,
/// since the query would then be the plain full-text one that already found nothing.
pub fn fuzzy_tsquery(words: &[String], corrections: &[Vec<String>]) -> Option<String> {
    let mut changed = false;
    let terms: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let mut alternatives = vec![format!("{w}:*")];
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

/// The terms of a full-text query built here (`prefix_tsquery`, `fuzzy_tsquery`): its `&`-joined parts, each
/// a valid query by itself.
pub fn tsquery_terms(tsq: &str) -> Vec<String> {
    tsq.split(" & ").map(str::to_owned).collect()
}

/// Which terms of a query the GIN index should look up, given how many of `walked` rows (the first rows in
/// the list's order) each term matched: those in at most 1 % of them, or else the rarest one. A frequent
/// prefix such as `555:*` on every phone number makes the index collect millions of row pointers before
/// intersecting (0.15–0.25 s at 2M customers) while a rare one is a few hundred: the rows found through the
/// rare terms are then checked against the whole query. Indices into `terms`, in order.
pub fn index_terms(hits: &[i64], walked: i64) -> Vec<usize> {
    let rare: Vec<usize> = (0..hits.len())
        .filter(|&i| hits[i] * 100 <= walked)
        .collect();
    if !rare.is_empty() || hits.is_empty() {
        return rare;
    }
    let rarest = (0..hits.len()).min_by_key(|&i| hits[i]).unwrap_or(0);
    vec![rarest]
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
            Some("(gama:* | gamma) & (clod:* | cloud | clouds) & 12:*")
        );
        // Nothing to correct, or only the word itself: no fuzzy query.
        assert_eq!(fuzzy_tsquery(&words, &[]), None);
        assert_eq!(
            fuzzy_tsquery(&["gamma".to_owned()], &[vec!["gamma".to_owned()]]),
            None
        );
        // A stored word with characters to_tsquery would read as operators is never passed on.
        assert_eq!(
            fuzzy_tsquery(&["ab".to_owned()], &[vec!["a|b".to_owned()]]),
            None
        );
    }

    #[test]
    fn the_index_looks_up_the_rare_terms() {
        assert_eq!(
            tsquery_terms("555:* & (gama:* | gamma) & 8812:*"),
            ["555:*", "(gama:* | gamma)", "8812:*"]
        );
        // 555 is on every row walked, 8812 on none: only 8812 goes to the index.
        assert_eq!(index_terms(&[2000, 0], 2000), [1]);
        // Two rare ones: both; 1 % exactly still counts as rare.
        assert_eq!(index_terms(&[3, 20, 1500], 2000), [0, 1]);
        // Every term frequent (they just never meet): the rarest alone.
        assert_eq!(index_terms(&[900, 250, 400], 2000), [1]);
        // Nothing walked (an empty scope): every term.
        assert_eq!(index_terms(&[0, 0], 0), [0, 1]);
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
                prop_assert!(t.chars().all(|c| c.is_alphanumeric() || c == ':' || c == '*' || c == '&' || c == ' '));
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
