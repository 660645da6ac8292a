//! Time expressions and their TIMEX3-style values, resolved against the
//! publication date: absolute dates ("May 7", "September 1, 2025"),
//! weekdays ("on Tuesday"), relative days ("yesterday", "the previous day"),
//! relative and fuzzy periods ("last month", "early next year", "the fourth
//! quarter"), years and durations ("three-day", "two years").
//!
//! English rules, one table per language in spirit: the matcher works on
//! words, the value arithmetic is language-independent. Offsets are bytes.

use std::borrow::Cow;

use jiff::civil::Date;
use jiff::ToSpan;
use storyline_model::calendar::{day_number, month_from_name, weekday_from_name, year_number};
use storyline_model::words::find_ignoring_case;

use crate::entities::Tok;

/// A time expression found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timex {
    /// Byte range.
    pub start: usize,
    /// Byte range end.
    pub end: usize,
    /// TIMEX3 value.
    pub value: String,
    /// `date`, `time`, `duration` or `set`.
    pub kind: &'static str,
    /// First and last day of a duration the text anchors ("a three-day
    /// tour through Saturday").
    pub range: Option<(String, String)>,
}

/// A number word's value: "zero" to "nineteen", the tens, "hundred".
fn number_word(l: &[u8]) -> Option<u32> {
    Some(match l {
        b"zero" => 0,
        b"one" => 1,
        b"two" => 2,
        b"three" => 3,
        b"four" => 4,
        b"five" => 5,
        b"six" => 6,
        b"seven" => 7,
        b"eight" => 8,
        b"nine" => 9,
        b"ten" => 10,
        b"eleven" => 11,
        b"twelve" => 12,
        b"thirteen" => 13,
        b"fourteen" => 14,
        b"fifteen" => 15,
        b"sixteen" => 16,
        b"seventeen" => 17,
        b"eighteen" => 18,
        b"nineteen" => 19,
        b"twenty" => 20,
        b"thirty" => 30,
        b"forty" => 40,
        b"fifty" => 50,
        b"sixty" => 60,
        b"seventy" => 70,
        b"eighty" => 80,
        b"ninety" => 90,
        b"hundred" => 100,
        _ => return None,
    })
}

/// A small number written as a word ("three", "twenty-four") or as up to
/// three digits.
///
/// This and the other word tests below run several times on every word of
/// every page: they lower-case into the stack, or compare ignoring ASCII
/// case, instead of making a lower-case string.
fn number(w: &str) -> Option<u32> {
    let b = w.as_bytes();
    if b.first().is_some_and(u8::is_ascii_digit) {
        return (b.len() <= 3 && b.iter().all(u8::is_ascii_digit))
            .then(|| w.parse().ok())
            .flatten();
    }
    // The longest number word is "seventy-seven".
    if b.len() > 13 || !b.first().is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let mut buf = [0u8; 13];
    let l = &mut buf[..b.len()];
    l.copy_from_slice(b);
    l.make_ascii_lowercase();
    if let Some(n) = number_word(l) {
        return Some(n);
    }
    // "twenty-four"
    let dash = l.iter().position(|&c| c == b'-')?;
    let tens = number_word(&l[..dash]).filter(|t| (20..=90).contains(t) && t % 10 == 0)?;
    let unit = number_word(&l[dash + 1..]).filter(|u| (1..10).contains(u))?;
    Some(tens + unit)
}

fn unit(w: &str) -> Option<&'static str> {
    const UNITS: [(&str, &str); 10] = [
        ("day", "D"),
        ("week", "W"),
        ("month", "M"),
        ("year", "Y"),
        ("hour", "H"),
        ("minute", "MIN"),
        ("decade", "DE"),
        ("centurie", "CE"),
        ("century", "CE"),
        ("quarter", "Q"),
    ];
    find_ignoring_case(&UNITS, w.trim_end_matches(['s', 'S']))
}

fn ordinal(w: &str) -> Option<u32> {
    const ORDINALS: [(&str, u32); 8] = [
        ("first", 1),
        ("1st", 1),
        ("second", 2),
        ("2nd", 2),
        ("third", 3),
        ("3rd", 3),
        ("fourth", 4),
        ("4th", 4),
    ];
    find_ignoring_case(&ORDINALS, w)
}

/// Words that make a sentence about the future, for weekday and month resolution.
fn future_context(sentence: &str) -> bool {
    let l = sentence.to_lowercase();
    [
        " will ",
        " would ",
        "expected",
        "expect ",
        " plan",
        "upcoming",
        " next ",
        "scheduled",
        " could ",
        "likely to",
    ]
    .iter()
    .any(|w| l.contains(w))
}

struct Ctx<'a> {
    text: &'a str,
    toks: &'a [Tok<'a>],
    dct: Option<Date>,
    sentences: &'a [(usize, usize)],
    /// The last year the text named outright, and where: in a narrative
    /// ("In 1941 … on 22 June") dates without a year take it.
    story_year: std::cell::Cell<Option<(i32, usize)>>,
    /// How far (bytes) that year carries: a few sentences in news, until
    /// the next year named in a history (see [`story_reach`]).
    reach: usize,
    /// Every word lower-cased once.
    lowered: &'a crate::entities::Lowered,
}

impl Ctx<'_> {
    fn word(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| t.text)
    }
    fn lower(&self, i: usize) -> &str {
        self.lowered.word(i)
    }
    /// Whether tokens i and i+1 are separated only by spaces (and maybe a comma).
    fn adjacent(&self, i: usize) -> bool {
        match (self.toks.get(i), self.toks.get(i + 1)) {
            (Some(a), Some(b)) => {
                let gap = &self.text[a.end..b.start];
                gap.len() <= 3 && gap.chars().all(|c| c == ' ' || c == ',' || c == '.')
            }
            _ => false,
        }
    }
    /// Byte range of the sentence containing `at` (sentences are sorted).
    fn sentence_range(&self, at: usize) -> Option<(usize, usize)> {
        let i = self.sentences.partition_point(|&(s, _)| s <= at);
        i.checked_sub(1)
            .map(|i| self.sentences[i])
            .filter(|&(_, e)| at < e)
    }
    fn sentence(&self, at: usize) -> &str {
        self.sentence_range(at)
            .map_or("", |(s, e)| &self.text[s..e])
    }
}

/// Finds and normalises the time expressions of `text`, given the document
/// creation (publication) date if known.
pub fn find(text: &str, dct: Option<Date>, sentences: &[(usize, usize)]) -> Vec<Timex> {
    let toks = crate::entities::tokens(text);
    let lowered = crate::entities::Lowered::new(&toks);
    find_in(text, &toks, &lowered, dct, sentences)
}

/// [`find`], given the words of `text` and their lower case (annotation
/// shares them with the entity tagger).
pub(crate) fn find_in(
    text: &str,
    toks: &[Tok<'_>],
    lowered: &crate::entities::Lowered,
    dct: Option<Date>,
    sentences: &[(usize, usize)],
) -> Vec<Timex> {
    let ctx = Ctx {
        text,
        lowered,
        reach: story_reach(toks, dct),
        toks,
        dct,
        sentences,
        story_year: std::cell::Cell::new(None),
    };
    let mut out: Vec<Timex> = Vec::new();
    // The last fully resolved date mentioned: anchor for "the previous day".
    let mut anchor: Option<Date> = None;
    let mut i = 0;
    while i < ctx.toks.len() {
        if let Some((n, value, kind)) = match_at(&ctx, i, anchor) {
            let start = ctx.toks[i].start;
            let end = ctx.toks[i + n - 1].end;
            if kind == "date" {
                if let Ok(d) = value.parse::<Date>() {
                    anchor = Some(d);
                }
            }
            if let Some(y) = ctx.toks[i..i + n].iter().find_map(|t| year_number(t.text)) {
                ctx.story_year.set(Some((y, end)));
            }
            out.push(Timex {
                start,
                end,
                value,
                kind,
                range: None,
            });
            i += n;
        } else {
            i += 1;
        }
    }
    anchor_ranges(&ctx, &mut out);
    out
}

/// Words after a four-digit clock time ("1600 EST", "2030 hrs").
const CLOCK_WORDS: &[&str] = &[
    "GMT", "UTC", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "BST", "CET", "CEST",
    "JST", "KST", "HKT", "SGT", "IST", "hrs", "hours", "local",
];

/// Words that tie a duration to the date it ends or starts on.
const RANGE_END: &[&str] = &["through", "until", "till", "ending", "to", "ended", "ends"];
const RANGE_START: &[&str] = &["from", "starting", "beginning", "began", "begins", "since"];

/// A duration in days followed closely by "through/until <date>" (or
/// "from/starting <date>") gets its first and last day: "a three-day tour
/// through Saturday" is the three days ending that Saturday.
fn anchor_ranges(c: &Ctx<'_>, out: &mut [Timex]) {
    for k in 0..out.len().saturating_sub(1) {
        let days: Option<i64> = out[k]
            .value
            .strip_prefix('P')
            .and_then(|v| v.strip_suffix('D'))
            .and_then(|n| n.parse().ok())
            .filter(|&n: &i64| (1..=366).contains(&n));
        let (Some(n), Ok(date)) = (days, out[k + 1].value.parse::<Date>()) else {
            continue;
        };
        if out[k].kind != "duration" {
            continue;
        }
        let between = &c.text[out[k].end..out[k + 1].start];
        let words: Vec<String> = between
            .split_whitespace()
            .map(|w| {
                w.trim_matches(|ch: char| !ch.is_alphanumeric())
                    .to_lowercase()
            })
            .filter(|w| !w.is_empty())
            .collect();
        if words.len() > 6 || between.contains(['.', ';', '\n']) {
            continue;
        }
        let last = words.iter().rev().find(|w| *w != "on" && *w != "the");
        let range = match last.map(String::as_str) {
            Some(w) if RANGE_END.contains(&w) => (add_days(date, 1 - n), date),
            Some(w) if RANGE_START.contains(&w) => (date, add_days(date, n - 1)),
            _ => continue,
        };
        out[k].range = Some((range.0.to_string(), range.1.to_string()));
    }
}

/// Tries every pattern at token `i`; returns (tokens used, value, type).
fn match_at(c: &Ctx<'_>, i: usize, anchor: Option<Date>) -> Option<(usize, String, &'static str)> {
    let w = c.word(i);
    let l = c.lower(i);
    let year_of_dct = c.dct.map(|d| d.year() as i32);

    // ISO date "2025-05-07" (the tokenizer keeps inner hyphens).
    if w.len() == 10 && w.as_bytes()[4] == b'-' {
        if let Ok(d) = w.parse::<Date>() {
            return Some((1, d.to_string(), "date"));
        }
    }
    // Month-first: "May 7", "May. 7, 2025", "September 1, 2025", "June 2023", "in June".
    if let Some(m) = w
        .chars()
        .next()
        .is_some_and(char::is_uppercase)
        .then(|| month_from_name(w))
        .flatten()
    {
        if c.adjacent(i) {
            if let Some(d) = day_number(c.word(i + 1)) {
                if c.adjacent(i + 1) {
                    if let Some(y) = year_number(c.word(i + 2)) {
                        return Some((3, ymd(y, m, d)?, "date"));
                    }
                }
                let y = infer_year(c, i, m, Some(d))?;
                return Some((
                    2,
                    ymd(y, m, d).unwrap_or_else(|| format!("XXXX-{m:02}-{d:02}")),
                    "date",
                ));
            }
            if let Some(y) = year_number(c.word(i + 1)) {
                return Some((2, format!("{y:04}-{m:02}"), "date"));
            }
        }
        // A bare month: "May" is too often the verb; require a preposition.
        let prev = if i > 0 { c.lower(i - 1) } else { "" };
        if l != "may"
            && matches!(
                prev,
                "in" | "since"
                    | "until"
                    | "by"
                    | "from"
                    | "early"
                    | "late"
                    | "mid"
                    | "last"
                    | "next"
                    | "this"
                    | "as"
            )
        {
            let value = infer_year(c, i, m, None)
                .map_or_else(|| format!("XXXX-{m:02}"), |y| format!("{y:04}-{m:02}"));
            return Some((1, value, "date"));
        }
    }
    // Day-first: "6 August 2023", "06 August".
    if let Some(d) = day_number(w) {
        if c.adjacent(i) {
            if let Some(m) = month_from_name(c.word(i + 1)).filter(|_| c.word(i + 1).len() > 2) {
                if c.adjacent(i + 1) {
                    if let Some(y) = year_number(c.word(i + 2)) {
                        if let Some(v) = ymd(y, m, d) {
                            return Some((3, v, "date"));
                        }
                    }
                }
                let y = infer_year(c, i, m, Some(d))?;
                return Some((2, ymd(y, m, d)?, "date"));
            }
        }
    }
    // "last Wednesday", "the previous Friday", "this coming Sunday": the
    // qualifier belongs to the expression.
    let (lead, qual) = match l {
        "last" | "next" => (1, l),
        "the" if matches!(c.lower(i + 1), "previous" | "following") => (2, c.lower(i + 1)),
        "this" if c.lower(i + 1) == "coming" => (2, "next"),
        _ => (0, ""),
    };
    if lead > 0 {
        let wd_word = c.word(i + lead);
        if let Some(wd) = weekday_from_name(wd_word).filter(|_| wd_word.len() > 3) {
            let value = match (c.dct, qual) {
                (None, _) => format!("XXXX-WXX-{}", wd + 1),
                (Some(d), "next" | "following") => resolve_weekday(d, wd, true).to_string(),
                (Some(d), _) => {
                    // Strictly before publication: "last Wednesday" said on a
                    // Wednesday is a week back.
                    resolve_weekday(add_days(d, -1), wd, false).to_string()
                }
            };
            return Some((lead + 1, value, "date"));
        }
    }
    // Weekdays.
    if let Some(wd) = weekday_from_name(w)
        .filter(|_| w.chars().next().is_some_and(char::is_uppercase) && w.len() > 3)
    {
        // "Friday, Oct. 23": the date says which Friday.
        let k = i + 1;
        if c.adjacent(i) {
            if let Some(m) = month_from_name(c.word(k)).filter(|_| c.adjacent(k)) {
                if let Some(d) = day_number(c.word(k + 1)) {
                    let year = if c.adjacent(k + 1) {
                        year_number(c.word(k + 2))
                    } else {
                        None
                    };
                    let n = if year.is_some() { 4 } else { 3 };
                    if let Some(y) = year.or_else(|| infer_year(c, k, m, Some(d))) {
                        if let Some(v) = ymd(y, m, d) {
                            return Some((n, v, "date"));
                        }
                    }
                }
            }
        }
        let prev = if i > 0 { c.lower(i - 1) } else { "" };
        let future = prev == "next" || (prev != "last" && weekday_future(c, i));
        let value = c.dct.map_or_else(
            || format!("XXXX-WXX-{}", wd + 1),
            |d| resolve_weekday(d, wd, future).to_string(),
        );
        // "Friday night": the expression takes the part of the day, the
        // value stays the day (as TimeBank annotates it).
        if day_part(c.lower(i + 1)).is_some() && c.adjacent(i) {
            return Some((2, value, "date"));
        }
        return Some((1, value, "date"));
    }
    // Relative days.
    if let Some(off) = match l {
        "today" | "tonight" => Some(0),
        "yesterday" => Some(-1),
        "tomorrow" => Some(1),
        _ => None,
    } {
        let value = c
            .dct
            .map_or_else(|| "XXXX-XX-XX".into(), |d| add_days(d, off).to_string());
        return Some((1, value, "date"));
    }
    // "the previous day", "the day before", "a day earlier", "the next day".
    if matches!(l, "the" | "a") && c.lower(i + 1) == "previous" && c.lower(i + 2) == "day"
        || l == "the" && c.lower(i + 1) == "day" && c.lower(i + 2) == "before"
    {
        let base = anchor.or(c.dct)?;
        return Some((3, add_days(base, -1).to_string(), "date"));
    }
    if matches!(l, "the" | "a")
        && c.lower(i + 1) == "day"
        && matches!(c.lower(i + 2), "earlier" | "later")
    {
        let base = anchor.or(c.dct)?;
        let off = if c.lower(i + 2) == "later" { 1 } else { -1 };
        return Some((3, add_days(base, off).to_string(), "date"));
    }
    if l == "the" && c.lower(i + 1) == "next" && c.lower(i + 2) == "day" {
        let base = anchor.or(c.dct)?;
        return Some((3, add_days(base, 1).to_string(), "date"));
    }
    // "early/late next year", "last month", "this week", "next year".
    // ("early January", "late 2024" fall to the month and year rules.)
    let skip = usize::from(matches!(l, "early" | "late" | "mid" | "later" | "earlier"));
    let rel = c.lower(i + skip);
    let per = c.lower(i + skip + 1);
    if matches!(rel, "last" | "next" | "this" | "past" | "coming")
        && matches!(per, "week" | "month" | "year")
    {
        let off = match rel {
            "last" | "past" => -1,
            "next" | "coming" => 1,
            _ => 0,
        };
        let value = c.dct.map_or_else(
            || match per {
                "week" => "XXXX-WXX".to_string(),
                "month" => "XXXX-XX".to_string(),
                _ => "XXXX".to_string(),
            },
            |d| relative_period(d, per, off),
        );
        return Some((skip + 2, value, "date"));
    }
    // Quarters: "the fourth quarter", "third-quarter", "Q4", "first quarter
    // of 2025". Without a year, the latest such quarter up to publication
    // (a fourth quarter reported in January is last year's).
    let hyphen_quarter = w
        .split_once('-')
        .filter(|(_, b)| b.eq_ignore_ascii_case("quarter"))
        .and_then(|(a, _)| ordinal(a));
    if let Some((q, n)) = ordinal(w)
        .filter(|_| c.lower(i + 1) == "quarter")
        .map(|q| (q, 2))
        .or(hyphen_quarter.map(|q| (q, 1)))
    {
        if n == 2 && c.lower(i + 2) == "of" {
            if let Some(y) = year_number(c.word(i + 3)) {
                return Some((4, format!("{y:04}-Q{q}"), "date"));
            }
        }
        let value = c.dct.map_or_else(
            || format!("XXXX-Q{q}"),
            |d| {
                let dq = (d.month() as u32 - 1) / 3 + 1;
                let future = future_context(c.sentence(c.toks[i].start));
                let y = d.year() as i32 - i32::from(q > dq && !future);
                format!("{y:04}-Q{q}")
            },
        );
        return Some((n, value, "date"));
    }
    // "the quarter", "the latest quarter", "the year-ago quarter": the
    // quarter last reported before publication (or a year before it).
    if l == "the" {
        let mut k = i + 1;
        let mut year_ago = false;
        while matches!(
            c.lower(k),
            "latest" | "recent" | "most" | "just" | "ended" | "year-ago" | "year-earlier"
        ) {
            year_ago |= c.lower(k).starts_with("year-");
            k += 1;
        }
        if c.lower(k) == "quarter" {
            let value = c.dct.map_or_else(
                || "XXXX-QX".to_string(),
                |d| {
                    let (y, q) = last_quarter(d);
                    format!("{:04}-Q{q}", y - i32::from(year_ago))
                },
            );
            return Some((k + 1 - i, value, "date"));
        }
    }
    if w.len() == 2 && w.starts_with('Q') {
        if let Some(q) = w[1..].parse::<u32>().ok().filter(|q| (1..=4).contains(q)) {
            let value =
                year_of_dct.map_or_else(|| format!("XXXX-Q{q}"), |y| format!("{y:04}-Q{q}"));
            return Some((1, value, "date"));
        }
    }
    // "two months ago", "a year earlier", "a year-earlier" period: the date
    // that far before publication, as fine as the unit (a year before a
    // quarterly report is that quarter a year before).
    if let Some(n) = number(w).or((l == "a" || l == "an").then_some(1)) {
        if let Some(u) = unit(c.word(i + 1)) {
            let back = c.lower(i + 2);
            if matches!(back, "ago" | "earlier" | "before") {
                let quarterly = quarterly(c, c.toks[i].start);
                let value = c
                    .dct
                    .map_or_else(|| "PAST_REF".to_string(), |d| ago(d, n, u, quarterly));
                return Some((3, value, "date"));
            }
        }
    }
    if matches!(l, "year-earlier" | "year-ago") {
        let value = c.dct.map_or_else(
            || "XXXX".to_string(),
            |d| ago(d, 1, "Y", quarterly(c, c.toks[i].start)),
        );
        return Some((1, value, "date"));
    }
    // Sets: "daily", "every day", "each Thursday", "annually".
    if let Some(v) = match l {
        "daily" | "nightly" => Some("P1D"),
        "weekly" => Some("P1W"),
        "monthly" => Some("P1M"),
        "annually" | "yearly" | "annual" if l != "annual" => Some("P1Y"),
        _ => None,
    } {
        return Some((1, v.to_string(), "set"));
    }
    if matches!(l, "every" | "each") {
        if let Some(u) = unit(c.word(i + 1)) {
            return Some((2, duration(1, u), "set"));
        }
        if let Some(wd) = weekday_from_name(c.word(i + 1)) {
            return Some((2, format!("XXXX-WXX-{}", wd + 1), "set"));
        }
    }
    // Seasons: "last fall", "this summer", "next spring".
    if matches!(l, "last" | "this" | "next" | "early" | "late") {
        if let Some(code) = season(c.lower(i + 1)) {
            let off = match l {
                "last" => -1,
                "next" => 1,
                _ => 0,
            };
            let value = c.dct.map_or_else(
                || format!("XXXX-{code}"),
                |d| format!("{:04}-{code}", d.year() as i32 + off),
            );
            return Some((2, value, "date"));
        }
    }
    // Parts of today: "this morning", "tonight" is above.
    if l == "this" {
        if let Some(part) = day_part(c.lower(i + 1)) {
            let value = c
                .dct
                .map_or_else(|| format!("XXXX-XX-XXT{part}"), |d| format!("{d}T{part}"));
            return Some((2, value, "time"));
        }
    }
    // Durations: "three-day", "two years", "8 months".
    if let Some((n, u)) = w
        .split_once('-')
        .and_then(|(a, b)| Some((number(a)?, unit(b)?)))
    {
        return Some((1, duration(n, u), "duration"));
    }
    if let Some(n) = number(w).filter(|_| c.adjacent(i)) {
        if let Some(u) = unit(c.word(i + 1)) {
            // "2,000 days" is a count but "two days" a duration; both fine.
            return Some((2, duration(n, u), "duration"));
        }
    }
    // Decades: "the 1990s", "the late 1930s", "1980s".
    if let Some(dec) = w
        .strip_suffix('s')
        .filter(|d| d.len() == 4 && d.ends_with('0'))
        .and_then(year_number)
    {
        return Some((1, format!("{:03}X", dec / 10), "date"));
    }
    // "mid-November", "late-November", "early-2024".
    if let Some((pre, rest)) = w.split_once('-') {
        if matches!(pre.to_ascii_lowercase().as_str(), "mid" | "late" | "early") {
            if let Some(m) = month_from_name(rest).filter(|_| rest.len() > 2) {
                let value = infer_year(c, i, m, None)
                    .map_or_else(|| format!("XXXX-{m:02}"), |y| format!("{y:04}-{m:02}"));
                return Some((1, value, "date"));
            }
            if let Some(y) = year_number(rest) {
                return Some((1, format!("{y:04}"), "date"));
            }
        }
    }
    // Clock times: "10:35 a.m.", "5 p.m.", "noon", "midnight". The words
    // split at the colon: "10" ":" "35".
    let colon = c.toks.get(i + 1).is_some_and(|n| {
        &c.text[c.toks[i].end..n.start] == ":" && n.text.len() == 2 && w.len() <= 2
    });
    let (word, after) = if colon {
        (Cow::Owned(format!("{w}:{}", c.word(i + 1))), i + 2)
    } else {
        (Cow::Borrowed(w), i + 1)
    };
    if let Some((hh, mm)) = clock(&word, c.lower(after)) {
        let marked = matches!(c.lower(after), "a.m" | "p.m" | "am" | "pm");
        let mut n = after - i + usize::from(marked);
        // "9 a.m. EST Tuesday": a time zone, then the day it falls on.
        if matches!(
            c.word(i + n),
            "EST" | "EDT" | "GMT" | "UTC" | "PST" | "PDT" | "CET"
        ) {
            n += 1;
        }
        let day = weekday_from_name(c.word(i + n))
            .filter(|_| c.word(i + n).len() > 3)
            .and_then(|wd| {
                let future = weekday_future(c, i + n);
                c.dct.map(|d| resolve_weekday(d, wd, future))
            });
        if day.is_some() {
            n += 1;
        }
        // Otherwise the day last mentioned, else publication.
        let value = day.or(anchor).or(c.dct).map_or_else(
            || format!("XXXX-XX-XXT{hh:02}:{mm:02}"),
            |d| format!("{d}T{hh:02}:{mm:02}"),
        );
        return Some((n, value, "time"));
    }
    if matches!(l, "noon" | "midday" | "midnight") {
        let hh = if l == "midnight" { 24 } else { 12 };
        let value = c
            .dct
            .map_or_else(|| format!("XXXX-XX-XXT{hh}:00"), |d| format!("{d}T{hh}:00"));
        return Some((1, value, "time"));
    }
    // Holidays (US-centred, as the news they come from): fixed dates and
    // Thanksgiving (fourth Thursday of November).
    if let Some(n_words) = holiday_words(c, i) {
        let value = holiday_value(l, c.lower(i + 1), c.dct);
        return Some((n_words, value, "date"));
    }
    // "the weekend": the one around publication.
    if l == "the" && c.lower(i + 1) == "weekend" {
        let value = c.dct.map_or_else(
            || "XXXX-WXX-WE".to_string(),
            |d| {
                let iso = add_days(d, -1).iso_week_date();
                format!("{:04}-W{:02}-WE", iso.year(), iso.week())
            },
        );
        return Some((2, value, "date"));
    }
    // A year: "in 2023", "2026 party congress" (not "8,700-ton" or "2,000").
    if let Some(y) = year_number(w) {
        let before = &c.text[..c.toks[i].start];
        let after = &c.text[c.toks[i].end..];
        let glued = before.ends_with([',', '.', '$'])
            || after.starts_with([',', '%'])
                && after[1..].starts_with(|ch: char| ch.is_ascii_digit());
        // Older years need a cue: "in 1793", "1861," — not "1500 soldiers".
        let prev = if i > 0 { c.lower(i - 1) } else { "" };
        let cue = matches!(
            prev,
            "in" | "of"
                | "since"
                | "until"
                | "by"
                | "from"
                | "to"
                | "during"
                | "early"
                | "late"
                | "mid"
                | "before"
                | "after"
                | "around"
                | "between"
                | "and"
                | "summer"
                | "winter"
                | "spring"
                | "autumn"
                | "fall"
                | "year"
        ) || !c.word(i + 1).starts_with(|ch: char| ch.is_lowercase());
        // Wire copy writes clock times as four digits and a zone: "a
        // deadline of 1600 EST", "at 2030 GMT" — never years.
        let clock = CLOCK_WORDS.contains(&c.word(i + 1).trim_end_matches(['.', ',', ';', ')']));
        if !glued && !clock && ((1900..=2100).contains(&y) || (1000..1900).contains(&y) && cue) {
            return Some((1, format!("{y:04}"), "date"));
        }
    }
    // Vague references.
    if l == "recently" {
        return Some((1, "PAST_REF".into(), "date"));
    }
    if matches!(l, "currently" | "now") && i > 0 {
        return Some((1, "PRESENT_REF".into(), "date"));
    }
    // "the past five days", "the next two quarters", "the past few weeks",
    // "the past decade": durations.
    if l == "the" && matches!(c.lower(i + 1), "past" | "last" | "next" | "coming") {
        let k = i + 2;
        if let Some(n) = number(c.word(k)) {
            if let Some(u) = unit(c.word(k + 1)) {
                return Some((4, duration(n, u), "duration"));
            }
        }
        if matches!(c.lower(k), "few" | "several" | "many") {
            if let Some(u) = unit(c.word(k + 1)) {
                return Some((4, duration_x(u), "duration"));
            }
        }
        if let Some(u) = unit(c.word(k)) {
            let plural = c.lower(k).ends_with('s');
            let value = if plural {
                duration_x(u)
            } else {
                duration(1, u)
            };
            // "the last year" alone is a date ("last year" is above); the
            // past decade or the last week is a stretch of time.
            if plural || !matches!(u, "Y" | "M" | "W") || c.lower(i + 1) == "past" {
                return Some((3, value, "duration"));
            }
        }
    }
    // "recent years", "coming months", "these days".
    if let Some(u) = unit(c.word(i + 1)).filter(|_| c.lower(i + 1).ends_with('s')) {
        match l {
            "recent" => return Some((2, duration_x(u), "duration")),
            "coming" | "future" => return Some((2, "FUTURE_REF".into(), "date")),
            "past" => return Some((2, "PAST_REF".into(), "date")),
            "these" if u == "D" => return Some((2, "PRESENT_REF".into(), "date")),
            _ => {}
        }
    }
    if l == "the" && matches!(c.lower(i + 1), "future" | "past") {
        let v = if c.lower(i + 1) == "future" {
            "FUTURE_REF"
        } else {
            "PAST_REF"
        };
        return Some((2, v.into(), "date"));
    }
    // Bare and vague durations: "years", "a week", "several months".
    let vague = matches!(l, "several" | "few" | "many" | "some");
    let (k, n) = if (l == "a" || l == "an") && c.lower(i + 1) == "few" {
        (i + 2, None)
    } else if vague {
        (i + 1, None)
    } else if l == "a" || l == "an" {
        (i + 1, Some(1))
    } else {
        (i, None)
    };
    if let Some(u) = unit(c.word(k)) {
        let plural = c.lower(k).ends_with('s');
        if k > i && (n.is_some() && !plural || n.is_none() && plural) || k == i && plural {
            // "the past years" and "years of war" read as durations too.
            let value = n.map_or_else(|| duration_x(u), |n| duration(n, u));
            return Some((k + 1 - i, value, "duration"));
        }
    }
    None
}

/// Whether the text reports by quarters (earnings): then "a year ago" is
/// that quarter a year before.
fn quarterly(c: &Ctx<'_>, at: usize) -> bool {
    let (_, e) = c.sentence_range(at).unwrap_or((at, at));
    // This sentence and the few before it.
    let mut from = at.saturating_sub(QUARTER_REACH);
    while !c.text.is_char_boundary(from) {
        from -= 1;
    }
    c.text[from..e.max(at)].contains("quarter")
}

/// How far back (bytes) a mention of quarters makes "a year ago" a quarter
/// (TBAQ value F1 0.758 / 0.760 / 0.759 at 250 / 400 / 800).
const QUARTER_REACH: usize = 400;

/// "10:35" (+ "a.m."/"p.m.") or "5" + "p.m." as 24-hour time.
fn clock(w: &str, next: &str) -> Option<(u32, u32)> {
    let pm = matches!(next, "p.m" | "pm");
    let am = matches!(next, "a.m" | "am");
    let (h, m) = match w.split_once(':') {
        Some((h, m)) if m.len() == 2 => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        None if am || pm => (w.parse::<u32>().ok()?, 0),
        _ => return None,
    };
    if h > 23 || m > 59 || (am || pm) && !(1..=12).contains(&h) {
        return None;
    }
    let h = match (am, pm) {
        (true, _) if h == 12 => 0,
        (_, true) if h < 12 => h + 12,
        _ => h,
    };
    Some((h, m))
}

/// Words of a holiday name starting at `i`, if one starts there.
fn holiday_words(c: &Ctx<'_>, i: usize) -> Option<usize> {
    let a = c.lower(i);
    let b = c.lower(i + 1);
    match (a, b) {
        (
            "thanksgiving" | "election" | "christmas" | "independence" | "labor" | "memorial",
            "day",
        ) => Some(2),
        ("new", "year's") | ("new", "years") if c.lower(i + 2) == "day" => Some(3),
        ("christmas", "eve") | ("new", "year's") => Some(2),
        ("thanksgiving" | "christmas" | "easter", _) => Some(1),
        _ => None,
    }
}

/// A holiday's date: this year's if it is past or within two weeks of
/// publication, else last year's.
fn holiday_value(a: &str, b: &str, dct: Option<Date>) -> String {
    let Some(d) = dct else {
        return "XXXX-XX-XX".to_string();
    };
    let this = holiday_in(a, b, d.year() as i32);
    match this.parse::<Date>() {
        Ok(h) if h > add_days(d, 14) => holiday_in(a, b, d.year() as i32 - 1),
        _ => this,
    }
}

fn holiday_in(a: &str, b: &str, y: i32) -> String {
    let fixed = |m: u32, d: u32| ymd(y, m, d).unwrap_or_else(|| format!("{y:04}"));
    match a {
        "christmas" if b == "eve" => fixed(12, 24),
        "christmas" => fixed(12, 25),
        "independence" => fixed(7, 4),
        "new" => fixed(1, 1),
        "thanksgiving" => {
            // Fourth Thursday of November.
            let first = Date::new(y as i16, 11, 1).ok();
            first.map_or_else(
                || format!("{y:04}-11"),
                |f| {
                    let off = (3 - f.weekday().to_monday_zero_offset() as i64).rem_euclid(7);
                    add_days(f, off + 21).to_string()
                },
            )
        }
        "election" => {
            // The Tuesday after the first Monday of November.
            Date::new(y as i16, 11, 2).ok().map_or_else(
                || format!("{y:04}-11"),
                |f| {
                    let off = (1 - f.weekday().to_monday_zero_offset() as i64).rem_euclid(7);
                    add_days(f, off).to_string()
                },
            )
        }
        _ => format!("{y:04}"),
    }
}

/// The quarter last finished before `d` (a report in October is about Q3).
fn last_quarter(d: Date) -> (i32, u32) {
    let t = add_days(d, -45);
    (t.year() as i32, (t.month() as u32 - 1) / 3 + 1)
}

/// The date `n` units before publication, at the unit's granularity.
fn ago(d: Date, n: u32, unit: &str, quarterly: bool) -> String {
    let n = n as i64;
    match unit {
        "Y" if quarterly => {
            let (y, q) = last_quarter(d);
            format!("{:04}-Q{q}", y as i64 - n)
        }
        "Y" => format!("{:04}", d.year() as i64 - n),
        "DE" => format!("{:03}X", (d.year() as i64 - 10 * n) / 10),
        "M" => {
            let t = d.first_of_month().checked_sub(n.months()).unwrap_or(d);
            format!("{:04}-{:02}", t.year(), t.month())
        }
        "W" => {
            let t = add_days(d, -7 * n);
            let iso = t.iso_week_date();
            format!("{:04}-W{:02}", iso.year(), iso.week())
        }
        "D" => add_days(d, -n).to_string(),
        _ => "PAST_REF".to_string(),
    }
}

/// "PXY"-style value of an unspecified number of units.
fn duration_x(unit: &str) -> String {
    match unit {
        "DE" => "PXDE".to_string(),
        "H" => "PTXH".to_string(),
        "MIN" => "PTXM".to_string(),
        "S" => "PTXS".to_string(),
        u => format!("PX{u}"),
    }
}

fn season(w: &str) -> Option<&'static str> {
    Some(match w {
        "spring" => "SP",
        "summer" => "SU",
        "fall" | "autumn" => "FA",
        "winter" => "WI",
        _ => return None,
    })
}

fn day_part(w: &str) -> Option<&'static str> {
    Some(match w {
        "morning" => "MO",
        "afternoon" => "AF",
        "evening" => "EV",
        "night" => "NI",
        _ => return None,
    })
}

fn ymd(y: i32, m: u32, d: u32) -> Option<String> {
    Date::new(y as i16, m as i8, d as i8)
        .ok()
        .map(|d| d.to_string())
}

fn duration(n: u32, unit: &str) -> String {
    match unit {
        "DE" => format!("P{}Y", n * 10),
        "CE" => format!("P{}Y", n * 100),
        "H" => format!("PT{n}H"),
        "MIN" => format!("PT{n}M"),
        "S" => format!("PT{n}S"),
        u => format!("P{n}{u}"),
    }
}

fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(n.days()).unwrap_or(d)
}

/// Tense around a weekday: the verb just before it ("said on Tuesday",
/// "will vote on Friday") decides.
fn weekday_future(c: &Ctx<'_>, i: usize) -> bool {
    let sentence_start = c.sentence_range(c.toks[i].start).map_or(0, |(s, _)| s);
    for j in (i.saturating_sub(8)..i).rev() {
        if c.toks[j].start < sentence_start {
            break;
        }
        let w = c.lower(j);
        if matches!(
            w,
            "will"
                | "would"
                | "next"
                | "shall"
                | "planned"
                | "scheduled"
                | "expected"
                | "due"
                | "plan"
                | "plans"
                | "planning"
                | "set"
                | "soon"
                | "could"
                | "might"
                | "until"
                | "ll"
                | "upcoming"
                | "coming"
                | "tomorrow"
        ) {
            return true;
        }
        // "as early as Tuesday".
        if w == "early" && c.lower(j.saturating_sub(1)) == "as" {
            return true;
        }
        if w.ends_with("ed")
            || matches!(
                w,
                "said"
                    | "told"
                    | "met"
                    | "was"
                    | "were"
                    | "held"
                    | "took"
                    | "made"
                    | "gave"
                    | "began"
                    | "came"
                    | "went"
                    | "last"
            )
        {
            return false;
        }
    }
    // News reports mostly look back: past unless a future cue is near.
    false
}

/// How far (bytes) a named year carries to later dates without one in
/// news: measured on TimeBank/AQUAINT, longer reaches cost value F1.
const NEWS_YEAR_REACH: usize = 350;

/// A text most of whose named years lie well before publication (or that
/// has no publication date) is a history: a named year holds until the
/// next one. Otherwise it is news, and dates without a year follow the
/// publication date unless a year was named just before.
fn story_reach(toks: &[Tok<'_>], dct: Option<Date>) -> usize {
    let years: Vec<i32> = toks.iter().filter_map(|t| year_number(t.text)).collect();
    if years.is_empty() {
        return NEWS_YEAR_REACH;
    }
    let old = match dct {
        None => return usize::MAX,
        Some(d) => years.iter().filter(|&&y| y < d.year() as i32 - 3).count(),
    };
    if years.len() >= 3 && old * 3 > years.len() * 2 {
        usize::MAX
    } else {
        NEWS_YEAR_REACH
    }
}

/// Year of a month (and day) given without one. News looks back: the
/// latest such date up to publication, unless the next one is much nearer
/// (under half as far; as near, in a sentence about the future) — "Dec. 7"
/// in late October is the coming one, "March 31" in November the past one.
/// "last"/"next" before the month decide outright.
fn infer_year(c: &Ctx<'_>, i: usize, month: u32, day: Option<u32>) -> Option<i32> {
    // A year named in the last few sentences, other than the publication
    // year, is the story's time.
    if let Some((y, at)) = c.story_year.get() {
        let near = if c.reach == usize::MAX {
            true
        } else {
            // News: only a year named earlier in the same sentence.
            c.sentence_range(c.toks[i].start)
                .is_some_and(|(s, _)| at > s)
        };
        if near && c.dct.is_none_or(|d| d.year() as i32 != y) {
            return Some(y);
        }
    }
    let dct = c.dct?;
    let y = dct.year() as i32;
    let on = |yy: i32| Date::new(yy as i16, month as i8, day.unwrap_or(15).min(28) as i8).ok();
    let gap = |d: Date| dct.until(d).map_or(0, |s| i64::from(s.get_days()));
    let (past, future) = match on(y) {
        Some(d) if gap(d) > 0 => (on(y - 1)?, d),
        Some(d) => (d, on(y + 1)?),
        None => return Some(y),
    };
    let prev = if i > 0 { c.lower(i - 1) } else { "" };
    let (back, ahead) = (-gap(past), gap(future));
    let pick_future = match prev {
        "last" | "since" => false,
        "next" | "until" | "by" => true,
        _ if future_context(c.sentence(c.toks[i].start)) => ahead * 2 < back * 3,
        _ => ahead * 2 < back,
    };
    Some(if pick_future {
        future.year()
    } else {
        past.year()
    } as i32)
}

/// The weekday `wd` (0 = Monday) nearest the publication date: on or before
/// it for past-tense reports, after it for future ones.
fn resolve_weekday(dct: Date, wd: u32, future: bool) -> Date {
    let cur = dct.weekday().to_monday_zero_offset() as i64;
    let wd = wd as i64;
    if future {
        let ahead = (wd - cur).rem_euclid(7);
        add_days(dct, if ahead == 0 { 7 } else { ahead })
    } else {
        add_days(dct, -((cur - wd).rem_euclid(7)))
    }
}

fn relative_period(d: Date, per: &str, off: i64) -> String {
    match per {
        "week" => {
            let t = add_days(d, 7 * off);
            let iso = t.iso_week_date();
            format!("{:04}-W{:02}", iso.year(), iso.week())
        }
        "month" => {
            let t = d.first_of_month().checked_add(off.months()).unwrap_or(d);
            format!("{:04}-{:02}", t.year(), t.month())
        }
        _ => format!("{:04}", d.year() as i64 + off),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str, dct: Option<&str>) -> Vec<(String, String)> {
        let sents = crate::sentences::split(text);
        find(text, dct.map(|d| d.parse().unwrap()), &sents)
            .into_iter()
            .map(|t| (text[t.start..t.end].to_string(), t.value))
            .collect()
    }

    #[test]
    fn word_tests_ignore_ascii_case_only() {
        let cases = [
            ("three", Some(3)),
            ("Nineteen", Some(19)),
            ("Twenty-Four", Some(24)),
            ("seventy-seven", Some(77)),
            ("twenty-ten", None),
            ("twenty-zero", None),
            ("007", Some(7)),
            ("1000", None),
            ("3-day", None),
            ("HUNDRED", Some(100)),
            ("thrée", None),
            ("", None),
        ];
        for (w, n) in cases {
            assert_eq!(number(w), n, "{w}");
        }
        assert_eq!(unit("Days"), Some("D"));
        assert_eq!(unit("CENTURIES"), Some("CE"));
        assert_eq!(unit("weekss"), Some("W"));
        assert_eq!(unit("dais"), None);
        assert_eq!(ordinal("Third"), Some(3));
        assert_eq!(ordinal("5th"), None);
        assert_eq!(weekday_from_name("THURS."), Some(3));
        assert_eq!(weekday_from_name("Sundays"), None);
        assert_eq!(month_from_name("Sept."), Some(9));
        assert_eq!(month_from_name("Kept"), None);
    }

    #[test]
    fn four_digit_clock_times_are_not_years() {
        // 1987-03-02 is a Monday.
        let v = values(
            "The offer expires at 1600 EST on March 11. Trading stops at 2000 GMT, \
the rule of 1600 says, and the 1930 agreement stands.",
            Some("1987-03-02"),
        );
        let got: Vec<(&str, &str)> = v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(
            got,
            [
                ("March 11", "1987-03-11"),
                ("1600", "1600"),
                ("1930", "1930")
            ]
        );
    }

    #[test]
    fn dates_resolve_against_publication() {
        // 2025-05-08 is a Thursday.
        let v = values(
            "The agency reported on Tuesday that the visit took place on May. 7. \
The previous day, officials met. A meeting is planned for early next year and the fourth quarter looks weak. \
The three-day tour ended last month, two years after a 2023 summit on 6 August 2023.",
            Some("2025-05-08"),
        );
        let want = [
            ("Tuesday", "2025-05-06"),
            ("May. 7", "2025-05-07"),
            ("The previous day", "2025-05-06"),
            ("early next year", "2026"),
            ("fourth quarter", "2025-Q4"),
            ("three-day", "P3D"),
            ("last month", "2025-04"),
            ("two years", "P2Y"),
            ("2023", "2023"),
            ("6 August 2023", "2023-08-06"),
        ];
        let got: Vec<(&str, &str)> = v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn relative_sets_seasons_and_quarters() {
        // 1989-10-26 is a Thursday.
        let v = values(
            "Profit rose in the third quarter from a year earlier, and third-quarter sales fell. \
Two months ago the plant closed; it reopens next spring and ships daily, each Thursday. \
Last Wednesday the board met, and the past five days were calm. On Friday, Oct. 13 trading halted.",
            Some("1989-10-26"),
        );
        let got: Vec<(&str, &str)> = v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(
            got,
            [
                ("third quarter", "1989-Q3"),
                ("a year earlier", "1988-Q3"),
                ("third-quarter", "1989-Q3"),
                ("Two months ago", "1989-08"),
                ("next spring", "1990-SP"),
                ("daily", "P1D"),
                ("each Thursday", "XXXX-WXX-4"),
                ("Last Wednesday", "1989-10-25"),
                ("the past five days", "P5D"),
                ("Friday, Oct. 13", "1989-10-13"),
            ]
        );
    }

    #[test]
    fn dates_without_a_year_near_or_in_a_history() {
        // News: the nearer past unless the next one is much nearer.
        let v = values(
            "Trading resumed Dec. 7 after the March 31 deadline.",
            Some("1989-10-30"),
        );
        assert_eq!(v[0].1, "1989-12-07");
        assert_eq!(v[1].1, "1989-03-31");
        // A history: the year named last holds.
        let v = values(
            "The fort, built in 1703, burned in 1812. The siege began in 1941. \
On 22 June the first shells fell, and by October the city was cut off.",
            Some("2009-12-19"),
        );
        let got: Vec<&str> = v.iter().map(|(_, b)| b.as_str()).collect();
        assert_eq!(got, ["1703", "1812", "1941", "1941-06-22", "1941-10"]);
        // News: a year named in another sentence does not carry.
        let v = values(
            "Sales peaked in 1985. On Dec. 7 the plant closed.",
            Some("1989-10-30"),
        );
        assert_eq!(v[1].1, "1989-12-07");
    }

    #[test]
    fn durations_tied_to_a_date_get_a_range() {
        // 2025-05-08 is a Thursday; Saturday before it is 2025-05-03.
        let sents = crate::sentences::split(
            "Kim ended a three-day tour of factories through Saturday. A two-day meeting starting May 12 is planned.",
        );
        let text = "Kim ended a three-day tour of factories through Saturday. A two-day meeting starting May 12 is planned.";
        let t = find(text, Some("2025-05-08".parse().unwrap()), &sents);
        let ranged: Vec<_> = t.iter().filter_map(|t| t.range.clone()).collect();
        assert_eq!(
            ranged,
            [
                ("2025-05-01".to_string(), "2025-05-03".to_string()),
                ("2025-05-12".to_string(), "2025-05-13".to_string()),
            ]
        );
    }

    #[test]
    fn future_weekday_and_unknown_publication_date() {
        let v = values("The council will vote on Friday.", Some("2025-05-08"));
        assert_eq!(v, vec![("Friday".into(), "2025-05-09".into())]);
        let v = values("Officials met on Tuesday.", None);
        assert_eq!(v, vec![("Tuesday".into(), "XXXX-WXX-2".into())]);
        // Not years: quantities glued to punctuation.
        assert!(values("It weighs 8,700 tons and cost 2,000 dollars.", None).is_empty());
    }
}
