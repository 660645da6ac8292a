//! Abbreviation-aware sentence splitting for news text.
//!
//! No off-the-shelf splitter handled "Mr.", "Jan." or "p.m." in news, so the
//! rules are ours: a sentence ends at `.`, `!` or `?` (plus any closing quotes
//! and brackets) followed by white space and an upper-case letter, digit or
//! opening quote, unless the word before the period is a known abbreviation or
//! a single initial. A blank line always ends a sentence.

/// Abbreviations that do not end a sentence when followed by a capital.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "cmdr", "adm", "maj",
    "rep", "sen", "gov", "pres", "rev", "hon", "st", "mt", "ft", "no", "nos", "vs", "inc", "corp",
    "ltd", "co", "jr", "sr", "u.s", "u.k", "u.n", "e.u", "a.m", "p.m", "e.g", "i.e", "etc",
    "approx", "dept", "est", "fig", "vol",
];

/// Month abbreviations: they hold a sentence together only before a number
/// ("Jan. 5", "May. 7"), since "in May. The" ends one.
const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
];

/// Byte ranges of the sentences of `text`, trimmed of surrounding white space.
pub fn split(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // Paragraph break.
        if b == b'\n' && text[i + 1..].starts_with('\n') {
            push(text, start, i, &mut out);
            start = i + 1;
            i += 1;
            continue;
        }
        if matches!(b, b'.' | b'!' | b'?') {
            let mut end = i + 1;
            // Absorb "...", closing quotes and brackets.
            while end < bytes.len() {
                let rest = &text[end..];
                let c = rest.chars().next().unwrap_or(' ');
                if matches!(
                    c,
                    '.' | '!' | '?' | '"' | '\'' | ')' | ']' | '”' | '’' | '»'
                ) {
                    end += c.len_utf8();
                } else {
                    break;
                }
            }
            let rest = &text[end..];
            let next_non_space = rest.trim_start();
            let has_space = next_non_space.len() < rest.len();
            let starts_new = next_non_space.chars().next().is_none_or(|c| {
                c.is_uppercase()
                    || c.is_ascii_digit()
                    || matches!(c, '"' | '“' | '‘' | '\'' | '(' | '[' | '«')
            });
            let before_number = next_non_space.starts_with(|c: char| c.is_ascii_digit());
            if has_space
                && starts_new
                && !(b == b'.' && is_abbreviation(&text[start..i], before_number))
            {
                push(text, start, end, &mut out);
                start = end;
            }
            i = end;
            continue;
        }
        i += 1;
    }
    push(text, start, text.len(), &mut out);
    out
}

fn push(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail < s.len() {
        out.push((start + lead, end - trail));
    }
}

/// Whether the word ending `before` (which ends just before a period) is an
/// abbreviation or an initial.
fn is_abbreviation(before: &str, before_number: bool) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == '“')
        .next()
        .unwrap_or("");
    let lower = word.to_lowercase();
    let mut chars = word.chars();
    let single_initial =
        matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase());
    single_initial
        || ABBREVIATIONS.contains(&lower.as_str())
        || before_number && MONTHS.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(t: &str) -> Vec<&str> {
        split(t).into_iter().map(|(s, e)| &t[s..e]).collect()
    }

    #[test]
    fn news_abbreviations_do_not_split() {
        let t = "Mr. Lind arrived at 3 p.m. on Jan. 5 with Dr. Ek. The U.S. envoy left in May. Talks end. \"We are done,\" she said. J. R. Holm agreed!";
        assert_eq!(
            sents(t),
            vec![
                "Mr. Lind arrived at 3 p.m. on Jan. 5 with Dr. Ek.",
                "The U.S. envoy left in May.",
                "Talks end.",
                "\"We are done,\" she said.",
                "J. R. Holm agreed!"
            ]
        );
    }

    #[test]
    fn quotes_and_paragraphs_end_sentences() {
        let t = "He said: \"It is over.\" Then he left\n\nA new paragraph without a period";
        assert_eq!(
            sents(t),
            vec![
                "He said: \"It is over.\"",
                "Then he left",
                "A new paragraph without a period"
            ]
        );
    }
}
