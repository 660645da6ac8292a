//! Word tests the annotators and the linker run on every word of every
//! page: lower-casing that copies only when it must, and look-ups in small
//! tables of lower-case ASCII names without lower-casing at all.

use std::borrow::Cow;

/// `w` lower-cased as [`str::to_lowercase`] does, borrowed when it already
/// is lower case (ASCII without capitals: most words of a page).
pub fn lowercase(w: &str) -> Cow<'_, str> {
    if w.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
        Cow::Owned(w.to_lowercase())
    } else {
        Cow::Borrowed(w)
    }
}

/// The value `table` gives the name `w` is, ignoring ASCII case. The names
/// are lower-case ASCII, so this is the same test as looking up the word
/// lower-cased.
pub fn find_ignoring_case<T: Copy>(table: &[(&str, T)], w: &str) -> Option<T> {
    table
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(w))
        .map(|&(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercase_borrows_only_what_is_already_lower_case() {
        for w in [
            "said",
            "Said",
            "SAID",
            "3-day",
            "Ελλάδα",
            "ΟΔΟΣ",
            "straße",
            "",
        ] {
            assert_eq!(lowercase(w), w.to_lowercase(), "{w}");
        }
        assert!(matches!(lowercase("said"), Cow::Borrowed(_)));
        assert!(matches!(lowercase("Said"), Cow::Owned(_)));
        assert!(matches!(lowercase("ελλάδα"), Cow::Owned(_)));
    }

    #[test]
    fn tables_match_ignoring_ascii_case_only() {
        let table = [("day", 'D'), ("week", 'W')];
        assert_eq!(find_ignoring_case(&table, "DaY"), Some('D'));
        assert_eq!(find_ignoring_case(&table, "week"), Some('W'));
        assert_eq!(find_ignoring_case(&table, "days"), None);
        assert_eq!(find_ignoring_case(&table, "dáy"), None);
    }
}
