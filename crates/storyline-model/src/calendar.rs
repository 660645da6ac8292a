//! Calendar words and absolute-date parsing shared by the cleaner (datelines)
//! and the time tagger. Pure functions, no I/O.

/// English month names and their usual abbreviations, 1-based.
pub fn month_from_name(word: &str) -> Option<u32> {
    const MONTHS: [(&str, u32); 24] = [
        ("january", 1),
        ("jan", 1),
        ("february", 2),
        ("feb", 2),
        ("march", 3),
        ("mar", 3),
        ("april", 4),
        ("apr", 4),
        ("may", 5),
        ("june", 6),
        ("jun", 6),
        ("july", 7),
        ("jul", 7),
        ("august", 8),
        ("aug", 8),
        ("september", 9),
        ("sep", 9),
        ("sept", 9),
        ("october", 10),
        ("oct", 10),
        ("november", 11),
        ("nov", 11),
        ("december", 12),
        ("dec", 12),
    ];
    let w = word.trim_end_matches('.');
    // Cheap rejects first: this runs on every word of every page.
    if !(3..=9).contains(&w.len()) || !w.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    // Every name begins with one of these (lower-case) letters.
    let first = w.as_bytes()[0].to_ascii_lowercase();
    if !matches!(first, b'j' | b'f' | b'm' | b'a' | b's' | b'o' | b'n' | b'd') {
        return None;
    }
    crate::words::find_ignoring_case(&MONTHS, w)
}

/// English weekday names (and abbreviations), 0 = Monday.
pub fn weekday_from_name(word: &str) -> Option<u32> {
    const DAYS: [(&str, u32); 17] = [
        ("monday", 0),
        ("mon", 0),
        ("tuesday", 1),
        ("tue", 1),
        ("tues", 1),
        ("wednesday", 2),
        ("wed", 2),
        ("thursday", 3),
        ("thu", 3),
        ("thur", 3),
        ("thurs", 3),
        ("friday", 4),
        ("fri", 4),
        ("saturday", 5),
        ("sat", 5),
        ("sunday", 6),
        ("sun", 6),
    ];
    // This runs on every word of every page.
    let w = word.trim_end_matches([',', '.']);
    if !(3..=9).contains(&w.len()) {
        return None;
    }
    crate::words::find_ignoring_case(&DAYS, w)
}

/// Days in a month of the proleptic Gregorian calendar.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// A validated calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ymd {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day, 1–31.
    pub day: u32,
}

impl Ymd {
    /// Builds a date if it exists (1000–2999 only: news dates, not IDs).
    pub fn new(year: i32, month: u32, day: u32) -> Option<Ymd> {
        ((1000..3000).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month))
        .then_some(Ymd { year, month, day })
    }

    /// Days since 1970-01-01 (negative before), for date arithmetic.
    pub fn days_since_epoch(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (Hinnant's civil_from_days), if in range.
    pub fn from_days_since_epoch(days: i64) -> Option<Ymd> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Ymd::new(i32::try_from(year).ok()?, month as u32, day as u32)
    }

    /// `YYYY-MM-DD`.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Parses an absolute date written in any of the usual news and metadata
/// forms, ignoring weekdays, times and time zones around it:
/// `2025-05-08`, `2025-05-08T07:11:00Z`, `May 8, 2025`, `8 May 2025`,
/// `Sunday 06 August 2023 07:11 EDT`, `Thursday, May 8, 2025`, `2025/05/08`.
/// Returns `None` for anything without a day, month and year.
pub fn parse_date(text: &str) -> Option<Ymd> {
    let t = text.trim();
    // ISO first: the form of metadata and JSON-LD.
    if let Some(d) = parse_iso_prefix(t) {
        return Some(d);
    }
    let words: Vec<&str> = t
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    for i in 0..words.len() {
        if let Some(month) = month_from_name(words[i]) {
            // "May 8, 2025" / "May 8th 2025"
            if let (Some(d), Some(y)) = (words.get(i + 1), words.get(i + 2)) {
                if let (Some(d), Some(y)) = (day_number(d), year_number(y)) {
                    if let Some(date) = Ymd::new(y, month, d) {
                        return Some(date);
                    }
                }
            }
            // "8 May 2025"
            if i > 0 {
                if let (Some(d), Some(y)) = (day_number(words[i - 1]), words.get(i + 1)) {
                    if let Some(y) = year_number(y) {
                        if let Some(date) = Ymd::new(y, month, d) {
                            return Some(date);
                        }
                    }
                }
            }
        }
    }
    None
}

/// Every absolute date written in `text`, with its byte offset, in order:
/// `2025-05-08`, `May 8, 2025`, `May. 8 2025`, `8 May 2025`, `8th of May, 2025`,
/// and US-style `5/8/2025` (month first; an impossible month-first reading
/// is skipped rather than guessed).
pub fn find_dates(text: &str) -> Vec<(usize, Ymd)> {
    let words: Vec<(usize, &str)> = text.split_word_bound_indices_simple().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (pos, w) = words[i];
        let mut used = 0;
        if let Some(d) = parse_iso_prefix(w).filter(|_| w.len() == 10) {
            out.push((pos, d));
            used = 1;
        } else if let Some(d) = parse_slash(w) {
            out.push((pos, d));
            used = 1;
        } else if let Some(m) =
            month_from_name(w).filter(|_| w.len() >= 3 && w.starts_with(|c: char| c.is_uppercase()))
        {
            // "May 8, 2025"
            if let (Some(&(_, d)), Some(&(_, y))) = (words.get(i + 1), words.get(i + 2)) {
                if let (Some(d), Some(y)) = (day_number(d), year_number(y)) {
                    if let Some(date) = Ymd::new(y, m, d) {
                        out.push((pos, date));
                        used = 3;
                    }
                }
            }
        } else if let Some(d) = day_number(w) {
            // "8 May 2025", "8th of May 2025"
            let skip = usize::from(words.get(i + 1).is_some_and(|&(_, x)| x == "of"));
            if let (Some(&(_, m)), Some(&(_, y))) =
                (words.get(i + 1 + skip), words.get(i + 2 + skip))
            {
                if let (Some(m), Some(y)) =
                    (month_from_name(m).filter(|_| m.len() >= 3), year_number(y))
                {
                    if let Some(date) = Ymd::new(y, m, d) {
                        out.push((pos, date));
                        used = 3 + skip;
                    }
                }
            }
        }
        i += used.max(1);
    }
    out
}

/// "5/8/2025" → 2025-05-08 (US order).
fn parse_slash(w: &str) -> Option<Ymd> {
    let mut it = w.split('/');
    let (m, d, y) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || m.len() > 2 || d.len() > 2 || y.len() != 4 {
        return None;
    }
    Ymd::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Splitting into words with offsets: runs of non-space characters with
/// trailing commas and periods trimmed ("8," → "8", "May." → "May").
trait WordIndices {
    fn split_word_bound_indices_simple(&self) -> std::vec::IntoIter<(usize, &str)>;
}

impl WordIndices for str {
    fn split_word_bound_indices_simple(&self) -> std::vec::IntoIter<(usize, &str)> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in self.char_indices() {
            if c.is_whitespace() {
                if let Some(s) = start.take() {
                    out.push((s, &self[s..i]));
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            out.push((s, &self[s..]));
        }
        out.into_iter()
            .map(|(s, w)| {
                let t = w.trim_end_matches([',', '.', ';', ':', ')']);
                let t2 = t.trim_start_matches('(');
                (s + (t.len() - t2.len()), t2)
            })
            .filter(|(_, w)| !w.is_empty())
            .collect::<Vec<_>>()
            .into_iter()
    }
}

fn parse_iso_prefix(t: &str) -> Option<Ymd> {
    let b = t.as_bytes();
    if b.len() < 10 {
        return None;
    }
    let sep = b[4];
    if !(sep == b'-' || sep == b'/') || b[7] != sep {
        return None;
    }
    if b.len() > 10 && b[10].is_ascii_digit() {
        return None;
    }
    let y = t.get(0..4)?.parse().ok()?;
    let m = t.get(5..7)?.parse().ok()?;
    let d = t.get(8..10)?.parse().ok()?;
    Ymd::new(y, m, d)
}

/// "8", "08", "8th", "1st" → day number.
pub fn day_number(w: &str) -> Option<u32> {
    let w = w.trim_end_matches(['.', ',']);
    let digits = w
        .strip_suffix("st")
        .or_else(|| w.strip_suffix("nd"))
        .or_else(|| w.strip_suffix("rd"))
        .or_else(|| w.strip_suffix("th"))
        .unwrap_or(w);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let d: u32 = digits.parse().ok()?;
    (1..=31).contains(&d).then_some(d)
}

/// A four-digit year between 1000 and 2999.
pub fn year_number(w: &str) -> Option<i32> {
    let w = w.trim_end_matches(['.', ',', ';', ':', ')']);
    if w.len() != 4 || !w.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = w.parse().ok()?;
    (1000..3000).contains(&y).then_some(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        for d in [
            Ymd::new(1970, 1, 1).unwrap(),
            Ymd::new(2000, 2, 29).unwrap(),
            Ymd::new(2024, 12, 31).unwrap(),
            Ymd::new(1987, 2, 26).unwrap(),
        ] {
            assert_eq!(Ymd::from_days_since_epoch(d.days_since_epoch()), Some(d));
        }
        assert_eq!(Ymd::from_days_since_epoch(0).unwrap().iso(), "1970-01-01");
    }

    #[test]
    fn parses_news_date_forms() {
        let want = Some(Ymd::new(2023, 8, 6).unwrap());
        assert_eq!(parse_date("Sunday 06 August 2023 07:11 EDT"), want);
        assert_eq!(parse_date("2023-08-06T07:11:00+00:00"), want);
        assert_eq!(parse_date("Aug. 6, 2023"), want);
        assert_eq!(parse_date("Sunday, August 6th, 2023"), want);
        assert_eq!(parse_date("2023/08/06"), want);
        assert_eq!(parse_date("May 2023"), None);
        assert_eq!(parse_date("February 30, 2023"), None);
        assert_eq!(parse_date("20230806"), None);
        assert_eq!(Ymd::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        let found: Vec<(usize, String)> =
            find_dates("Updated May 8, 2025. Filed 6th of August 2023 (2024-01-02), 13/40/2020, 3/4/2021 and May 2023.")
                .into_iter()
                .map(|(p, d)| (p, d.iso()))
                .collect();
        assert_eq!(
            found,
            vec![
                (8, "2025-05-08".to_string()),
                (27, "2023-08-06".to_string()),
                (47, "2024-01-02".to_string()),
                (72, "2021-03-04".to_string())
            ]
        );
        assert_eq!(Ymd::new(2000, 3, 1).unwrap().days_since_epoch(), 11_017);
        assert_eq!(Ymd::new(1969, 12, 31).unwrap().days_since_epoch(), -1);
    }
}
