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

/// What a full-text list does after a walk (rows in sort order, each tested) that did not fill the page.
#[derive(Clone, Debug, PartialEq)]
pub enum AfterWalk {
    /// Walk again, this many rows.
    Walk(i64),
    /// Read the matches of these terms (`index_terms`) through the GIN index and sort them.
    Index(Vec<usize>),
}

/// The longest walk `after_walk` chooses: beyond it the index is asked whatever it costs.
pub const MAX_WALK: i64 = 25_000;

/// Chooses the cheaper way on from a walk of `walked` rows that found `found` matches (fewer than the
/// `needed` rows of a page) and matched each term `term_hits[i]` times. Both ways cost about the same per
/// row they read: walking needs `needed / density` rows, the index reads every row its rare terms match in
/// `index_rows` (the table, or the partition the first window reads). A density the walk saw as 0 is taken
/// as half a row in the walk.
pub fn after_walk(
    walked: i64,
    found: i64,
    needed: i64,
    term_hits: &[i64],
    index_rows: f64,
) -> AfterWalk {
    let terms = index_terms(term_hits, walked);
    let walked_f = walked.max(1) as f64;
    let density = |hits: i64| (hits as f64).max(0.5) / walked_f;
    let walk_rows = needed as f64 / density(found);
    let index_density = terms
        .iter()
        .map(|&i| density(term_hits[i]))
        .fold(1.0_f64, f64::min);
    let index_cost = index_density * index_rows;
    if walk_rows <= MAX_WALK as f64 && walk_rows < index_cost && (walk_rows as i64) > walked {
        // A little beyond the estimate, so that a page is not missed by a few rows.
        AfterWalk::Walk(((walk_rows * 1.5) as i64).min(MAX_WALK))
    } else {
        AfterWalk::Index(terms)
    }
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
    fn a_frequent_pair_walks_on_and_a_rare_term_asks_the_index() {
        // "renewal budget" at 10M interactions: 17 of 2,040 rows matched, each word on 6–12 % of them; the
        // index would read 6 % of a month of 833k rows = 50k rows, walking on needs ~6k.
        assert_eq!(
            after_walk(2040, 17, 51, &[125, 250], 833_000.0),
            AfterWalk::Walk(9180)
        );
        // "555 8812" at 2M customers: no match in 2,040 rows, 8812 on none of them: the index reads ~500.
        assert_eq!(
            after_walk(2040, 0, 51, &[2040, 0], 2_000_000.0),
            AfterWalk::Index(vec![1])
        );
        // More than MAX_WALK rows to walk: the index, however many rows it reads.
        assert_eq!(
            after_walk(2040, 1, 51, &[900, 700], 1e9),
            AfterWalk::Index(vec![1])
        );
        // A walk that already went as far as the estimate does not repeat itself.
        assert_eq!(
            after_walk(20_000, 40, 51, &[5000, 6000], 1e9),
            AfterWalk::Index(vec![0])
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
