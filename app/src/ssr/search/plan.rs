//! How a PostgreSQL full-text list is read: a walk of rows in sort order, or the GIN index for the rare terms,
//! chosen from the table's lexeme statistics and from what a walk found. I/O tuning of the server, not a
//! business rule: it lives here, beside the search engine, and the SQL that runs each plan is in `repo`.

/// How often the lexemes of a table's `search` column occur, from PostgreSQL's statistics
/// (`pg_stats.most_common_elems` and their frequencies, which ANALYZE keeps for the most frequent ~1,000).
#[derive(Clone, Debug, Default)]
pub struct LexemeStats {
    /// Sorted by lexeme.
    common: Vec<(String, f64)>,
    /// The lowest frequency listed: a lexeme that is not listed is rarer than this.
    floor: f64,
}

impl LexemeStats {
    pub fn new(mut common: Vec<(String, f64)>) -> Self {
        common.sort_by(|a, b| a.0.cmp(&b.0));
        let floor = common.iter().map(|c| c.1).fold(f64::INFINITY, f64::min);
        Self {
            floor: if floor.is_finite() { floor } else { 0.0 },
            common,
        }
    }

    /// The estimated share of rows a term of `tsquery_terms` matches: `555`, `8812:*` (every listed lexeme
    /// that starts with it), `'acme.com':*`, `(gama | gamma)` (the sum of its alternatives). `None` without
    /// statistics.
    pub fn share(&self, term: &str) -> Option<f64> {
        if self.common.is_empty() {
            return None;
        }
        let inner = term.trim().trim_start_matches('(').trim_end_matches(')');
        let total: f64 = inner
            .split(" | ")
            .map(|alt| {
                let (word, prefix) = match alt.strip_suffix(":*") {
                    Some(w) => (w, true),
                    None => (alt, false),
                };
                self.lexeme_share(word.trim_matches('\''), prefix)
            })
            .sum();
        Some(total.min(1.0))
    }

    fn lexeme_share(&self, word: &str, prefix: bool) -> f64 {
        let start = self.common.partition_point(|c| c.0.as_str() < word);
        let listed: f64 = self.common[start..]
            .iter()
            .take_while(|c| {
                if prefix {
                    c.0.starts_with(word)
                } else {
                    c.0 == word
                }
            })
            .map(|c| c.1)
            .sum();
        // Unlisted lexemes each occur less often than the floor; take half of it for one that is not listed.
        if listed > 0.0 {
            listed
        } else {
            self.floor / 2.0
        }
    }
}

/// What a full-text list does after a walk (rows in sort order, each tested) that did not fill the page.
#[derive(Clone, Debug, PartialEq)]
pub enum AfterWalk {
    /// Walk again, this many rows.
    Walk(i64),
    /// Read the matches of these terms (indices into `tsquery_terms`) through the GIN index and sort them.
    Index(Vec<usize>),
}

/// The longest walk `after_walk` chooses: beyond it the index is asked whatever it costs.
pub const MAX_WALK: i64 = 25_000;

/// What a row read through the index costs against a row walked: the walk reads rows stored side by side
/// (tables are appended in time order), the index one page per match (measured at 10M interactions: 8k
/// rows walked in ~7 ms, 6.2k matches of one month through the index in ~45 ms).
pub const INDEX_ROW_COST: f64 = 4.0;

/// Chooses the cheaper way on from a walk of `walked` rows that found `found` matches (fewer than the
/// `needed` rows of a page) and matched each term `term_hits[i]` times; `known[i]` is the term's share of
/// rows from the table statistics (`LexemeStats::share`).
///
/// A term's share is the larger of the two (the walk sees only the newest rows, the statistics only the
/// frequent lexemes). The index looks up the rare terms (≤ 1 % of rows), or every term when none is rare: a
/// frequent prefix such as `555:*` on every phone number makes it collect millions of row pointers before
/// intersecting (0.15–0.25 s at 2M customers) while a rare one is a few hundred; the rows found are then
/// checked against the whole query. Walking needs `needed / density` rows (at least four times as far as
/// this walk went); the index reads every row its terms match in `index_rows` (the table, or the partition
/// the first window reads), taken as independent, each `INDEX_ROW_COST` times a walked row.
pub fn after_walk(
    walked: i64,
    found: i64,
    needed: i64,
    term_hits: &[i64],
    known: &[Option<f64>],
    index_rows: f64,
) -> AfterWalk {
    let w = walked.max(1) as f64;
    let share: Vec<f64> = term_hits
        .iter()
        .enumerate()
        .map(|(i, &h)| {
            let seen = h as f64 / w;
            known
                .get(i)
                .copied()
                .flatten()
                .map_or(seen, |k| k.max(seen))
        })
        .collect();
    let rare: Vec<usize> = (0..share.len()).filter(|&i| share[i] <= 0.01).collect();
    let terms: Vec<usize> = if rare.is_empty() {
        (0..share.len()).collect()
    } else {
        rare
    };
    let floor = 0.5 / w;
    let index_cost: f64 =
        terms.iter().map(|&i| share[i].max(floor)).product::<f64>() * index_rows * INDEX_ROW_COST;
    let density = if found > 0 {
        found as f64 / w
    } else {
        share.iter().product::<f64>().max(floor / 10.0)
    };
    let walk_rows = (needed as f64 / density).max(walked as f64 * 4.0);
    if walk_rows <= MAX_WALK as f64 * 1.5 && walk_rows < index_cost && walked < MAX_WALK {
        AfterWalk::Walk(((walk_rows * 1.5) as i64).min(MAX_WALK))
    } else {
        AfterWalk::Index(terms)
    }
}

/// The shortest prefix `before_walk` trusts the statistics for: a shorter one stands for many words too rare to
/// be listed (`he:*`), so its share of rows is unknown.
const MIN_KNOWN_PREFIX: usize = 3;

/// How a full-text list starts, from the statistics alone (`known[i]`: the share of rows of `terms[i]`,
/// `LexemeStats::share`): a walk of how many rows (`budget` at least), or the GIN index for the rare terms
/// (as `after_walk` chooses them) when no walk `after_walk` allows could fill the `needed` rows of a page.
///
/// - Some term is so rare that even its upper bound cannot fill the page within `MAX_WALK` rows (an e-mail
///   address, a phone number, a misspelt word): the index at once, instead of a walk that finds nothing
///   first (2–3 ms per walk at 2M customers).
/// - Every term's share is known: the terms taken as independent give the page's density and so the walk
///   that fills it; beyond `MAX_WALK`, the index when some term is rare (≤ 1 %).
/// - Otherwise (some share unknown, or frequent words that would rarely meet if they were independent) a
///   walk of `budget` rows, whose counts `after_walk` then reads.
///
/// A listed lexeme's share is a sample's estimate; an unlisted one is rarer than the rarest listed
/// (`LexemeStats::share` gives half of that), so a term's bound is twice its share. A prefix shorter than
/// `MIN_KNOWN_PREFIX` or a set of alternatives (a typo's corrections) has no known share.
pub fn before_walk(terms: &[String], known: &[Option<f64>], needed: i64, budget: i64) -> AfterWalk {
    let share = |i: usize| -> Option<f64> {
        let term = terms.get(i)?.trim_matches(|c| c == '(' || c == ')');
        if term.contains(" | ") {
            return None;
        }
        match term.strip_suffix(":*") {
            Some(prefix) if prefix.trim_matches('\'').chars().count() < MIN_KNOWN_PREFIX => None,
            _ => known.get(i).copied().flatten(),
        }
    };
    let shares: Vec<Option<f64>> = (0..terms.len()).map(share).collect();
    let rare: Vec<usize> = (0..terms.len())
        .filter(|&i| shares[i].is_some_and(|s| s <= 0.01))
        .collect();
    let longest = MAX_WALK as f64 * 1.5;
    let hopeless = shares
        .iter()
        .flatten()
        .any(|s| needed as f64 / (s * 2.0) > longest);
    if hopeless {
        return AfterWalk::Index(rare);
    }
    if shares.is_empty() || shares.iter().any(Option::is_none) {
        return AfterWalk::Walk(budget);
    }
    let density: f64 = shares.iter().flatten().product();
    let rows = needed as f64 / density.max(f64::MIN_POSITIVE) * 1.5;
    match (rows > longest, rare.is_empty()) {
        (true, false) => AfterWalk::Index(rare),
        // Words that would rarely meet if independent, but may well go together: a walk tells.
        (true, true) => AfterWalk::Walk(budget),
        (false, _) => AfterWalk::Walk((rows as i64).clamp(budget, MAX_WALK)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::search::{prefix_tsquery, tsquery_terms};

    #[test]
    fn statistics_give_the_share_of_words_prefixes_and_alternatives() {
        let stats = LexemeStats::new(vec![
            ("555".into(), 0.99),
            ("health".into(), 0.08),
            ("healthy".into(), 0.01),
            ("gamma".into(), 0.02),
        ]);
        assert_eq!(stats.share("555"), Some(0.99));
        assert_eq!(stats.share("health:*"), Some(0.09));
        assert_eq!(stats.share("health"), Some(0.08));
        assert_eq!(stats.share("(gama | gamma)"), Some(0.005 + 0.02));
        // Not listed: half the lowest listed share.
        assert_eq!(stats.share("'acme.com':*"), Some(0.005));
        assert_eq!(LexemeStats::default().share("555"), None);
        assert_eq!(
            tsquery_terms("555 & (gama | gamma) & 8812:*"),
            ["555", "(gama | gamma)", "8812:*"]
        );
    }

    #[test]
    fn a_frequent_pair_walks_on_and_a_rare_term_asks_the_index() {
        let (renewal, budget) = (Some(0.06), Some(0.12));
        // "renewal budget" at 10M interactions: 17 of 2,040 rows matched, the words on 6 and 12 % of rows; the
        // index reads 0.7 % of a month of 833k rows = 6.0k rows (at 4× the cost), a walk goes on to 8.2k.
        let step = after_walk(2040, 17, 51, &[125, 250], &[renewal, budget], 833_000.0);
        assert_eq!(step, AfterWalk::Walk(12_240));
        // In a month of 100k rows the index reads 720 rows: cheaper.
        let step = after_walk(2040, 17, 51, &[125, 250], &[renewal, budget], 1e5);
        assert_eq!(step, AfterWalk::Index(vec![0, 1]));
        // "555 8812" at 2M customers, the newest rows all without a phone: nothing matched, but the
        // statistics know 555 is everywhere and 8812 is not: the index looks up 8812 alone.
        let step = after_walk(2040, 0, 51, &[0, 0], &[Some(0.99), Some(0.0002)], 2e6);
        assert_eq!(step, AfterWalk::Index(vec![1]));
        // "health" (8 % of customers) where the newest rows have none: walk on, four times as far…
        let step = after_walk(2040, 0, 51, &[0], &[Some(0.08)], 2e6);
        assert_eq!(step, AfterWalk::Walk(12_240));
        // …up to MAX_WALK rows; then the index, however much it reads.
        let step = after_walk(MAX_WALK, 0, 51, &[0], &[Some(0.08)], 2e6);
        assert_eq!(step, AfterWalk::Index(vec![0]));
        // Three frequent words that rarely meet: the index intersects all of them.
        let known = [Some(0.06), None, Some(0.17)];
        let step = after_walk(2040, 1, 51, &[120, 130, 350], &known, 833_000.0);
        assert_eq!(step, AfterWalk::Index(vec![0, 1, 2]));
        // Without statistics the walk's counts decide: 1 % exactly still counts as rare.
        let step = after_walk(2000, 0, 51, &[20, 1500], &[None, None], 5e4);
        assert_eq!(step, AfterWalk::Index(vec![0]));
    }

    #[test]
    fn the_statistics_choose_the_first_walk_or_the_index() {
        let stats = LexemeStats::new(vec![
            ("555".into(), 0.99),
            ("health".into(), 0.08),
            ("renewal".into(), 0.06),
            ("budget".into(), 0.12),
            ("ceo".into(), 0.17),
            ("hedy".into(), 0.004),
            ("zeta".into(), 0.001),
        ]);
        let plan = |q: &str| {
            let terms = tsquery_terms(&prefix_tsquery(q).unwrap());
            let known: Vec<_> = terms.iter().map(|t| stats.share(t)).collect();
            before_walk(&terms, &known, 51, 2040)
        };
        // An unlisted phone group (at most the floor, 0.1 %) cannot fill 51 rows in 37,500 walked: only it is
        // looked up, 555 is checked on the rows found.
        assert_eq!(plan("555 8812"), AfterWalk::Index(vec![1]));
        assert_eq!(plan("info@stark-12.example.com"), AfterWalk::Index(vec![0]));
        assert_eq!(plan("nakatmoi helth"), AfterWalk::Index(vec![0, 1]));
        // A frequent word: the usual first walk (51 / 8 % × 1.5 = 956 rows is less).
        assert_eq!(plan("health"), AfterWalk::Walk(2040));
        // Two words on 6 and 12 % of rows meet on ~0.7 %: one walk of 10,625 rows instead of two.
        assert_eq!(plan("renewal budget"), AfterWalk::Walk(10_625));
        // Three that rarely meet, one of them rare: the index for the rare one.
        assert_eq!(plan("renewal hedy ceo"), AfterWalk::Index(vec![1]));
        // Frequent words that would rarely meet if independent: the usual walk, whose counts then decide.
        assert_eq!(plan("renewal budget ceo"), AfterWalk::Walk(2040));
        // A short prefix may stand for many unlisted words: its share is not known, so walk.
        assert_eq!(plan("health xq"), AfterWalk::Walk(2040));
        // Without statistics, walk.
        assert_eq!(
            before_walk(&["8812:*".into()], &[None], 51, 2040),
            AfterWalk::Walk(2040)
        );
        // Alternatives (a typo's corrections) are never trusted: their sum is a guess.
        let alt = ["(gama | gamma)".to_owned()];
        assert_eq!(
            before_walk(&alt, &[Some(0.0001)], 51, 2040),
            AfterWalk::Walk(2040)
        );
    }
}
