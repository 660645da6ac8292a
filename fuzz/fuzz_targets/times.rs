//! Fuzz the time parser: any text, with or without a publication date,
//! must give time expressions inside the text with well-formed values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use storyline_model::calendar;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = calendar::parse_date(&text);
    let len = text.len();
    let sentences = [(0, len)];
    for dct in [None, Some(jiff::civil::date(2025, 5, 8))] {
        for t in storyline_nlp::times::find(&text, dct, &sentences) {
            assert!(t.start <= t.end && t.end <= len, "{t:?}");
            assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        }
    }
});
