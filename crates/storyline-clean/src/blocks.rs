//! The block classifier: each line (block) of a page becomes body, title,
//! byline, dateline, caption or boilerplate, with a reason.
//!
//! Line rules come first ([`crate::rules`]); then context: repeated lines
//! (captions printed twice), a caption line followed by itself plus a credit,
//! a name line above a dateline, a "Related articles" header that ends the
//! article, a closing byline after which only site furniture follows.

use std::collections::HashMap;

use storyline_model::{calendar, Removed};

use crate::{authors, rules};

/// What a block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// Article text.
    Body,
    /// Headline.
    Title,
    /// Author line.
    Byline,
    /// Date line.
    Dateline,
    /// Photo caption or credit.
    Caption,
    /// Anything else on the page.
    Boilerplate,
}

/// The classifier's result: body paragraphs, removed blocks and metadata.
#[derive(Debug, Default, Clone)]
pub struct Classified {
    /// Body paragraphs.
    pub body: Vec<String>,
    /// Non-body blocks with reasons.
    pub removed: Vec<Removed>,
    /// Headline, if a block was taken as one.
    pub title: Option<String>,
    /// Authors from bylines.
    pub authors: Vec<String>,
    /// Publication date from a dateline.
    pub published: Option<String>,
    /// Wire service credited.
    pub original_source: Option<String>,
    /// Outlet named in a syndication note.
    pub outlet: Option<String>,
}

/// Body paragraphs are at least this many words; shorter unlabeled blocks are
/// body only inside the article, not before or after it.
const PARAGRAPH_WORDS: usize = 15;

/// Paragraph words that must precede a "Related articles" header or a
/// closing byline for it to end the article.
const TAIL_MIN_WORDS: usize = 80;

/// In the article-region search, a block of at least this many words ending
/// a sentence is a paragraph…
const REGION_PARAGRAPH_WORDS: usize = 10;
/// …and every word of a shorter block costs this much.
const REGION_PENALTY: f32 = 0.7;

/// In extracted content, a reader appeal is a short box, not a paragraph.
const APPEAL_MAX_WORDS_EXTRACTED: usize = 40;

/// Classifies the lines of a page. `known_title` is the headline when
/// metadata already gave one (a block equal to it is then removed as the
/// title; otherwise the first headline-like block before the body is taken).
///
/// `extracted` says the lines are already a main-content extraction (the HTML
/// path): Readability has dropped menus and duplicated furniture, and its
/// output legitimately repeats headings, so the rules that fight page-level
/// repetition (repeated lines, caption headings) stay off there, and appeals
/// must be short to count.
pub fn classify_blocks(lines: &[String], known_title: Option<&str>, extracted: bool) -> Classified {
    let texts: Vec<String> = lines
        .iter()
        .map(|l| crate::collapse_ws(l))
        .filter(|l| !l.is_empty())
        .collect();
    let n = texts.len();
    let lowers: Vec<String> = texts.iter().map(|t| t.to_lowercase()).collect();
    let words: Vec<usize> = texts.iter().map(|t| crate::words(t)).collect();
    let mut label: Vec<Option<(Label, &'static str)>> = vec![None; n];
    let mut out = Classified::default();

    let mut counts: HashMap<&str, usize> = HashMap::new();
    for l in &lowers {
        *counts.entry(l.as_str()).or_default() += 1;
    }
    let known_title_lower = known_title.map(|t| crate::collapse_ws(t).to_lowercase());

    // Lines that carry a date: the one nearest the headline is the page's date.
    let mut datelines: Vec<(usize, calendar::Ymd)> = Vec::new();

    // Pass 1: what each line is on its own.
    for i in 0..n {
        let (t, lower, w) = (&texts[i], &lowers[i], words[i]);
        if known_title_lower.as_deref() == Some(lower.as_str()) {
            label[i] = Some((Label::Title, "title"));
            continue;
        }
        if let Some((wire, whole)) = rules::wire_credit(t) {
            out.original_source.get_or_insert(wire);
            if whole {
                if let Some(o) = rules::republisher(t) {
                    out.outlet.get_or_insert(o);
                }
                label[i] = Some((Label::Boilerplate, "wire-credit"));
                continue;
            }
        }
        if rules::byline(t).is_some() {
            label[i] = Some((Label::Byline, "byline"));
            // "By A – Updated Sep 9, 2025 at 1:00 PM"
            if let Some((_, d)) = calendar::find_dates(t).first() {
                datelines.push((i, *d));
            }
            continue;
        }
        // A short line carrying a date ("Last updated: 2025-02-22").
        if w <= 12 && !t.ends_with(['.', '!', '?']) || w <= 6 {
            if let Some((_, d)) = calendar::find_dates(t).first() {
                datelines.push((i, *d));
                label[i] = Some((Label::Dateline, "dateline"));
                continue;
            }
        }
        if let Some(reason) = rules::line_reason(t, lower, w)
            .filter(|r| !(extracted && *r == "appeal" && w > APPEAL_MAX_WORDS_EXTRACTED))
        {
            let l = if reason == "photo-credit" {
                Label::Caption
            } else {
                Label::Boilerplate
            };
            label[i] = Some((l, reason));
            continue;
        }
        // A repeated line is a caption or menu item, unless this copy is a
        // section heading: short, no final period, right above a paragraph
        // (tables of contents repeat the headings of the article).
        let heading_here = w <= 15
            && !ends_sentence(t)
            && i + 1 < n
            && words[i + 1] >= PARAGRAPH_WORDS
            && ends_sentence(&texts[i + 1]);
        if !extracted && counts[lower.as_str()] >= 2 && !heading_here {
            let l = if w >= 4 {
                Label::Caption
            } else {
                Label::Boilerplate
            };
            label[i] = Some((l, "repeated-line"));
        }
    }

    // Pass 2: context.
    for i in 0..n {
        // A caption printed as a line and again with its credit appended.
        // The bare line is a caption heading: it does not end a sentence.
        if !extracted
            && label[i].is_none()
            && i + 1 < n
            && words[i] >= 4
            && !texts[i].ends_with(['.', '!', '?', '"', '”'])
        {
            let next = &texts[i + 1];
            if next.len() > texts[i].len() && next.starts_with(texts[i].as_str()) {
                label[i] = Some((Label::Caption, "caption"));
                label[i + 1] = Some((Label::Caption, "caption"));
            }
        }
        // The block before an image notice or credit is the image's caption.
        // (Only for a notice or short credit on a line of its own: a long credit
        // line is itself the caption.)
        let own_line_credit = matches!(label[i], Some((_, "ai-image-notice")))
            || matches!(label[i], Some((_, "photo-credit"))) && words[i] <= 8;
        // (A headline-like block above an image notice stays a headline
        // candidate: captions are sentences.)
        if own_line_credit
            && i > 0
            && label[i - 1].is_none()
            && words[i - 1] <= 40
            && ends_sentence(&texts[i - 1])
        {
            label[i - 1] = Some((Label::Caption, "caption"));
        }
        // "Written by" on its own line, the name on the next.
        let label_line = lowers[i].trim().trim_end_matches(':');
        if matches!(
            label_line,
            "written by" | "by" | "author" | "posted by" | "words by" | "story by"
        ) && i + 1 < n
            && label[i + 1].is_none()
            && rules::is_name(texts[i + 1].split(',').next().unwrap_or(""))
        {
            label[i] = Some((Label::Byline, "byline"));
            label[i + 1] = Some((Label::Byline, "byline"));
        }
        // A bare name above a dateline is the author.
        // (Not the city of a weather widget just above it.)
        if matches!(label[i], Some((Label::Dateline, _)))
            && i > 0
            && label[i - 1].is_none()
            && rules::is_name(&texts[i - 1])
            && !(i > 1 && matches!(label[i - 2], Some((_, "weather-widget"))))
        {
            label[i - 1] = Some((Label::Byline, "byline"));
        }
    }

    // A paragraph ends a sentence; a long line without final punctuation is
    // a headline or standfirst.
    // An unlabeled block between two appeal blocks that speaks to the reader
    // belongs to the appeal (the middle of a donation box).
    for i in 1..n.saturating_sub(1) {
        let prev = (0..i)
            .rev()
            .find(|&j| !matches!(label[j], Some((_, "no-text"))));
        let next = (i + 1..n).find(|&j| !matches!(label[j], Some((_, "no-text"))));
        let appeal_at =
            |j: Option<usize>| j.is_some_and(|j| matches!(label[j], Some((_, "appeal"))));
        if label[i].is_none()
            && appeal_at(prev)
            && appeal_at(next)
            && rules::addresses_reader(&lowers[i])
        {
            label[i] = Some((Label::Boilerplate, "appeal"));
        }
    }

    let is_paragraph = |i: usize, label: &[Option<(Label, &str)>]| {
        label[i].is_none()
            && words[i] >= PARAGRAPH_WORDS
            && (ends_sentence(&texts[i]) || words[i] > 40)
    };

    // A "related articles" header after the article has started ends it; so does
    // a closing byline after several paragraphs.
    //
    // Both only once the article is well under way: at least
    // `TAIL_MIN_WORDS` words of paragraphs before, and at least a third of
    // all paragraph words of the page (a "Related" menu above the article, or
    // an author box at its top, ends nothing).
    let para_words: Vec<usize> = (0..n)
        .map(|i| if is_paragraph(i, &label) { words[i] } else { 0 })
        .collect();
    let total_para_words: usize = para_words.iter().sum();
    let mut seen_words = 0;
    let mut paragraphs_seen = 0;
    let mut tail_from = None;
    for i in 0..n {
        let under_way = seen_words >= TAIL_MIN_WORDS && 3 * seen_words >= total_para_words;
        let begun = seen_words >= TAIL_MIN_WORDS;
        if label[i].is_none()
            && (under_way && rules::is_tail_header(&lowers[i], words[i])
                || begun && rules::is_comments_header(&lowers[i], words[i]))
        {
            tail_from = Some((i, "related-list"));
            break;
        }
        // A closing byline: most of the article's words are above it.
        if under_way
            && paragraphs_seen >= 3
            && 2 * seen_words >= total_para_words
            && matches!(label[i], Some((Label::Byline, _)))
        {
            tail_from = Some((i + 1, "after-closing-byline"));
            break;
        }
        if para_words[i] > 0 {
            paragraphs_seen += 1;
            seen_words += para_words[i];
        }
    }
    if let Some((start, reason)) = tail_from {
        for l in label.iter_mut().skip(start) {
            if l.is_none() {
                *l = Some((Label::Boilerplate, reason));
            }
        }
    }

    // Headline: the first headline-like block before the first paragraph.
    let first_para = (0..n).find(|&i| is_paragraph(i, &label));
    let head_end = first_para.unwrap_or(n);
    if known_title.is_none() {
        // (A repeated line may be the title: pages print it again as heading.)
        let free =
            |l: &Option<(Label, &str)>| l.is_none() || matches!(l, Some((_, "repeated-line")));
        let title_at = (0..head_end)
            .find(|&i| free(&label[i]) && (3..=30).contains(&words[i]) && !texts[i].ends_with('.'));
        if let Some(i) = title_at {
            // A flattened page often starts with its <title> ("Headline | Site");
            // the article's own heading comes later, sharing most of its
            // words with it. Prefer that heading; else drop the site name.
            let heading = rules::best_word_match(
                &texts[i],
                (i + 1..n.min(i + 250))
                    .filter(|&j| {
                        free(&label[j]) && (1..=20).contains(&words[j]) && !ends_sentence(&texts[j])
                    })
                    .map(|j| (j, texts[j].as_str())),
            )
            .filter(|&(_, dice)| dice >= 0.5);
            label[i] = Some((Label::Title, "title"));
            out.title = Some(match heading {
                Some((j, _)) => {
                    label[j] = Some((Label::Title, "title"));
                    rules::strip_tagline(&texts[j])
                }
                None => rules::strip_site_name(&texts[i]),
            });
        }
    }
    // The date shown with the article stands next to its headline; without a
    // headline, the first one on the page.
    let title_line = (0..n).find(|&i| matches!(label[i], Some((Label::Title, _))));
    // The author is named next to the article's own heading (the last title
    // line: a flattened page starts with its <title>, the heading comes later).
    let heading_line = (0..n)
        .rev()
        .find(|&i| matches!(label[i], Some((Label::Title, _))));
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let cands = authors::candidates(&refs, |i| {
        matches!(
            label[i],
            Some((Label::Title, _)) | Some((Label::Caption, _))
        ) || matches!(label[i], Some((Label::Boilerplate, r)) if r != "repeated-line")
    });
    if let Some(names) = authors::pick(&cands, heading_line) {
        push_unique(&mut out.authors, names.to_vec());
    }
    let nearest = match title_line {
        Some(t) => datelines.iter().min_by_key(|(i, _)| i.abs_diff(t)),
        None => datelines.first(),
    };
    if let Some((_, d)) = nearest {
        out.published = Some(d.iso());
    }

    // Short blocks outside the article are page furniture (menus, city names
    // of a weather widget, section labels).
    let last_para = (0..n).rev().find(|&i| is_paragraph(i, &label));
    for i in 0..n {
        if label[i].is_some() {
            continue;
        }
        let outside = first_para.is_none_or(|f| i < f) || last_para.is_some_and(|l| i > l);
        if outside && words[i] <= 4 {
            label[i] = Some((Label::Boilerplate, "page-furniture"));
        }
    }

    // A flattened page holds one article among menus, teasers and comments:
    // keep the stretch of remaining blocks with the most paragraph text
    // (maximum-sum subarray, as in body-text extraction): paragraphs count
    // their words, short or unpunctuated blocks count against.
    if !extracted {
        let kept: Vec<usize> = (0..n).filter(|&i| label[i].is_none()).collect();
        let value = |i: usize| -> f32 {
            let w = words[i];
            if w >= REGION_PARAGRAPH_WORDS && ends_sentence(&texts[i]) {
                w as f32
            } else if w < REGION_PARAGRAPH_WORDS {
                -REGION_PENALTY * w.max(1) as f32
            } else {
                -REGION_PENALTY * REGION_PARAGRAPH_WORDS as f32 / 2.0
            }
        };
        let (mut best, mut best_range) = (f32::MIN, (0, 0));
        let (mut cur, mut start) = (0.0f32, 0);
        for (k, &i) in kept.iter().enumerate() {
            if cur <= 0.0 {
                cur = value(i);
                start = k;
            } else {
                cur += value(i);
            }
            if cur > best {
                best = cur;
                best_range = (start, k);
            }
        }
        if best > 0.0 {
            for (k, &i) in kept.iter().enumerate() {
                if k < best_range.0 || k > best_range.1 {
                    label[i] = Some((Label::Boilerplate, "outside-article"));
                }
            }
        }
    }

    for (i, text) in texts.into_iter().enumerate() {
        let (l, reason) = label[i].unwrap_or((Label::Body, ""));
        if l == Label::Body {
            out.body.push(text);
        } else {
            out.removed.push(Removed {
                text,
                reason: reason.to_string(),
            });
        }
    }
    out
}

fn ends_sentence(t: &str) -> bool {
    t.trim_end()
        .ends_with(['.', '!', '?', '"', '”', '’', '\'', ')', '…'])
}

fn push_unique(into: &mut Vec<String>, names: Vec<String>) {
    for n in names {
        if !into.iter().any(|x| x.eq_ignore_ascii_case(&n)) {
            into.push(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(str::to_string).collect()
    }

    const PAGE: &str = "\
18 °C
Nordvik
Tuesday, March 4, 2025

Storm closes harbour for three days

Fishing boats shelter behind the breakwater at Nordvik
Fishing boats shelter behind the breakwater at Nordvik on Monday. [NORDVIK TIMES]

Lena Ek
Tuesday 04 March 2025 09:15 CET
Comments

The harbour at Nordvik was closed for three days after a storm damaged the northern breakwater, the port authority said on Tuesday.

Repair crews began work on Monday and expect to finish by the end of the month, according to harbour master Olav Strand.

Your support keeps our reporters on the coast. Every donation helps us cover the stories that matter to you.

Read also: Ferry timetable changes for spring

\"We will reopen the inner basin first, so that the ferries can run again,\" Strand told reporters at the quay.

Fishing boats shelter behind the breakwater at Nordvik on Monday. [NORDVIK TIMES]

The storm also cut power to about 2,000 homes in the district, the grid operator said in a statement on its website.

You may be interested in
Ferry timetable changes for spring
New school opens in the valley
/
We use cookies to improve your experience.
";

    #[test]
    fn flattened_page_is_cleaned_to_its_article() {
        let c = classify_blocks(&lines(PAGE), None, false);
        assert_eq!(
            c.title.as_deref(),
            Some("Storm closes harbour for three days")
        );
        assert_eq!(c.authors, vec!["Lena Ek"]);
        assert_eq!(c.published.as_deref(), Some("2025-03-04"));
        assert_eq!(c.body.len(), 4, "{:#?}", c.removed);
        assert!(c.body[0].starts_with("The harbour at Nordvik"));
        assert!(c.body[2].starts_with("\"We will reopen"));
        assert!(c.body[3].starts_with("The storm also cut power"));
        let reason_of = |needle: &str| {
            c.removed
                .iter()
                .find(|r| r.text.contains(needle))
                .map(|r| r.reason.as_str())
        };
        assert_eq!(reason_of("18 °C"), Some("weather-widget"));
        assert_eq!(reason_of("Nordvik"), Some("page-furniture"));
        assert_eq!(reason_of("Your support"), Some("appeal"));
        assert_eq!(reason_of("Read also"), Some("related-link"));
        assert_eq!(reason_of("New school opens"), Some("related-list"));
        assert_eq!(reason_of("Fishing boats shelter"), Some("caption"));
        assert_eq!(reason_of("Comments"), Some("widget"));
        assert_eq!(
            c.removed
                .iter()
                .filter(|r| r.text.starts_with("Fishing boats"))
                .count(),
            3
        );
    }

    #[test]
    fn closing_byline_ends_the_article() {
        let para = "The regional council approved the budget for the new tram line after a long debate on Thursday evening, ending a dispute that had divided the town for years.";
        let text = format!("{para}\nCritics said the {para}\nSupporters said the {para}\nBY ANA LIND [ana@example.com]\nThe Digital Team\nThe Digital Team writes news for readers across the region every single day of the year.");
        let c = classify_blocks(&lines(&text), Some("Council approves tram"), false);
        assert_eq!(c.authors, vec!["Ana Lind"]);
        assert_eq!(c.body.len(), 3);
        assert!(
            c.removed.iter().any(|r| r.reason == "after-closing-byline"),
            "{:#?}",
            c.removed
        );
    }
}
