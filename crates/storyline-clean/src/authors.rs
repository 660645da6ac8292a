//! Who wrote the page, from its lines: bylines ("By A and B"), a label line
//! with the name on the next ("Written by" / "Ana Lind"), a name line next to
//! a dateline, and "Name | Role | Date" lines.
//!
//! Pages name many people in author-like lines (related posts, comment
//! threads, author boxes of other articles), so every candidate is kept with
//! its line and the one that stands nearest the headline wins.

use storyline_model::calendar;

use crate::rules;

/// A candidate more than this many lines above the headline is not near it…
const ABOVE: usize = 15;
/// …nor one more than this many below (the article's top: standfirst, image,
/// share buttons and table of contents can all come first).
const BELOW: usize = 60;
/// Without a candidate near the headline, only the top of the page is
/// searched (further down are lists of other articles and their authors).
const TOP_LINES: usize = 400;

/// Longer lines are sentences or lists, not author lines.
const MAX_LINE_BYTES: usize = 200;

/// Labels printed on a line of their own above the author's name.
const LABELS: &[&str] = &[
    "written by",
    "by",
    "author",
    "authors",
    "posted by",
    "words by",
    "story by",
    "text by",
    "article by",
];

/// Separators of "Name | Role | Date" lines.
const SEGMENT_SEPARATORS: &[char] = &['|', '·', '•', '—', '–'];

/// Author candidates on `lines` (already trimmed, no empty ones): the line
/// index each was found at and its names. `skip(i)` says line `i` is known
/// to be something else (a weather widget's city above its date).
pub(crate) fn candidates(
    lines: &[&str],
    skip: impl Fn(usize) -> bool,
) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let is_date_line = |i: usize| {
        lines.get(i).is_some_and(|l| {
            l.split_whitespace().count() <= 12 && !calendar::find_dates(l).is_empty()
        })
    };
    for (i, &t) in lines.iter().enumerate() {
        // Author lines are short; most lines of a page are not.
        if t.len() > MAX_LINE_BYTES || skip(i) {
            continue;
        }
        if let Some(names) = rules::byline(t) {
            out.push((i, names));
            continue;
        }
        let label = t.trim_end_matches(':');
        if label.len() <= 12 && LABELS.iter().any(|l| l.eq_ignore_ascii_case(label)) {
            if let Some(next) = lines.get(i + 1).filter(|_| !skip(i + 1)) {
                let name = next.split(',').next().unwrap_or("").trim();
                if rules::is_name(name) {
                    out.push((i + 1, vec![rules::title_case_if_shouting(name)]));
                }
            }
            continue;
        }
        // "Aaron Lind | Senior Writer | July 2, 2025"
        if t.contains(SEGMENT_SEPARATORS) {
            let mut parts = t.split(SEGMENT_SEPARATORS).map(str::trim);
            let first = parts.next().unwrap_or("");
            if rules::is_name(first) && parts.any(|p| !calendar::find_dates(p).is_empty()) {
                out.push((i, vec![first.to_string()]));
                continue;
            }
        }
        // A bare name right above a dateline ("Andrew Lind" / "4 August 2010").
        if rules::is_name(t) && is_date_line(i + 1) && !skip(i + 1) {
            out.push((i, vec![rules::title_case_if_shouting(t)]));
            continue;
        }
        // A name and a date on one line ("Ana Lind October 14, 2025 10:01 am").
        if t.split_whitespace().count() <= 14 && t.starts_with(char::is_uppercase) {
            if let Some(&(p, _)) = calendar::find_dates(t).first() {
                let name = t[..p].trim().trim_end_matches([',', '-', '|', '·', ' ']);
                if p > 0 && rules::is_name(name) {
                    out.push((i, vec![rules::title_case_if_shouting(name)]));
                }
            }
        }
    }
    out
}

/// The candidate that belongs to the article: the nearest to the headline
/// line `anchor` within the window around it, else the first in the top of
/// the page.
pub(crate) fn pick(cands: &[(usize, Vec<String>)], anchor: Option<usize>) -> Option<&[String]> {
    let near = anchor.and_then(|h| {
        cands
            .iter()
            .filter(|(i, _)| *i + ABOVE >= h && *i <= h + BELOW)
            // Below the headline is where bylines are; above it, the same
            // distance counts double.
            .min_by_key(|(i, _)| if *i >= h { i - h } else { 2 * (h - i) })
    });
    near.or_else(|| cands.iter().find(|(i, _)| *i < TOP_LINES))
        .map(|(_, names)| names.as_slice())
}

/// The index of the line that best matches the headline (Dice overlap of
/// words ≥ 0.6), if any.
pub(crate) fn headline_line(lines: &[&str], title: Option<&str>) -> Option<usize> {
    let title = title?;
    let exact = lines.iter().position(|l| l.eq_ignore_ascii_case(title));
    exact.or_else(|| {
        // Only lines of about the headline's length can share most words with it.
        let len = title.len();
        rules::best_word_match(
            title,
            lines
                .iter()
                .enumerate()
                .take(2000)
                .filter(|(_, l)| l.len() * 2 >= len && l.len() <= len * 2)
                .map(|(i, l)| (i, *l)),
        )
        .filter(|&(_, dice)| dice >= 0.6)
        .map(|(i, _)| i)
    })
}

/// The page's authors from its lines alone (see [`candidates`], [`pick`]).
pub(crate) fn from_lines(lines: &[&str], title: Option<&str>) -> Vec<String> {
    let headline = headline_line(lines, title);
    let cands = candidates(lines, |_| false);
    pick(&cands, headline)
        .map(<[String]>::to_vec)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<&str> {
        s.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
    }

    #[test]
    fn byline_nearest_the_headline_wins() {
        let page = lines(
            "Menu\nBy Carla Brook\nOld story in the sidebar\nHarbour cranes return\nBy Ana Lind and Per Holm\nThe cranes are back.\nRelated\nBy Tom Weir",
        );
        assert_eq!(
            from_lines(&page, Some("Harbour cranes return")),
            vec!["Ana Lind", "Per Holm"]
        );
    }

    #[test]
    fn label_line_name_above_dateline_and_segmented_lines() {
        let page = lines("Harbour cranes return\nWritten by\nAna Lind\nBody text here.");
        assert_eq!(
            from_lines(&page, Some("Harbour cranes return")),
            vec!["Ana Lind"]
        );
        let page = lines("Harbour cranes return\nAna Lind\n4 August 2010\nBody text here.");
        assert_eq!(
            from_lines(&page, Some("Harbour cranes return")),
            vec!["Ana Lind"]
        );
        let page = lines("Harbour cranes return\nAna Lind | Senior Writer | July 2, 2025\nBody.");
        assert_eq!(
            from_lines(&page, Some("Harbour cranes return")),
            vec!["Ana Lind"]
        );
    }

    #[test]
    fn interface_phrases_are_not_authors() {
        let page =
            lines("Harbour cranes return\nRelated Articles\nMarch 3, 2025\nUse Case\n2024-01-01");
        assert!(from_lines(&page, Some("Harbour cranes return")).is_empty());
    }

    #[test]
    fn far_candidates_only_from_the_top_of_the_page() {
        let mut page = vec!["Harbour cranes return"];
        page.extend(std::iter::repeat_n("filler line", 500));
        page.push("By Tom Weir");
        assert!(from_lines(&page, Some("Harbour cranes return")).is_empty());
    }
}
