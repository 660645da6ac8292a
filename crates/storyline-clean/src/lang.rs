//! Language identification of the clean body.

/// ISO 639-1 code where one exists (else whatlang's ISO 639-3 code), or `None`
/// when the text is too short or the guess unreliable.
pub fn detect(text: &str) -> Option<String> {
    // The first characters decide; detection cost stays bounded.
    let sample: String = text.chars().take(800).collect();
    if plainly_english(&sample) {
        return Some("en".to_string());
    }
    detect_trigrams(&sample)
}

/// whatlang's trigram detection of `sample` alone (the answer
/// [`plainly_english`] must agree with).
pub fn detect_trigrams(sample: &str) -> Option<String> {
    let info = whatlang::detect(sample)?;
    if !info.is_reliable() && sample.split_whitespace().count() < 8 {
        return None;
    }
    let code = info.lang().code();
    Some(iso639_1(code).unwrap_or(code).to_string())
}

/// Words frequent in English and rare as words in the other languages
/// written in Latin script (`was`, `will`, `for`, `by`, `her`, `at`, `is`,
/// `in`, `on`, `to`, `a` are left out: German, Scandinavian, Dutch,
/// Romance or Slavic words too).
const ENGLISH_WORDS: [&str; 24] = [
    "the", "and", "of", "that", "with", "which", "this", "from", "have", "has", "had", "said",
    "would", "been", "their", "they", "its", "his", "who", "are", "not", "but", "it", "were",
];

/// Whether `sample` is English beyond doubt, so that the trigram
/// comparison (a fixed ~60 µs against every Latin-script profile, a fifth
/// of the page stage on news text) can be skipped: at least 40 words, nearly
/// all letters ASCII, and at least one word in eight from [`ENGLISH_WORDS`]
/// (news English has about one in five; other languages a few in a
/// hundred, from names and quotations).
fn plainly_english(sample: &str) -> bool {
    let (mut words, mut english, mut non_ascii) = (0usize, 0usize, 0usize);
    for w in sample.split(|c: char| !c.is_alphabetic()) {
        if w.is_empty() {
            continue;
        }
        words += 1;
        if !w.is_ascii() {
            non_ascii += 1;
            continue;
        }
        if w.len() <= 5 {
            let mut buf = [0u8; 5];
            let lower = &mut buf[..w.len()];
            lower.copy_from_slice(w.as_bytes());
            lower.make_ascii_lowercase();
            if ENGLISH_WORDS.iter().any(|e| e.as_bytes() == lower) {
                english += 1;
            }
        }
    }
    words >= 40 && non_ascii * 50 <= words && english * 8 >= words
}

fn iso639_1(code: &str) -> Option<&'static str> {
    Some(match code {
        "eng" => "en",
        "kor" => "ko",
        "jpn" => "ja",
        "cmn" => "zh",
        "rus" => "ru",
        "ukr" => "uk",
        "deu" => "de",
        "fra" => "fr",
        "spa" => "es",
        "por" => "pt",
        "ita" => "it",
        "nld" => "nl",
        "dan" => "da",
        "swe" => "sv",
        "nob" => "nb",
        "fin" => "fi",
        "pol" => "pl",
        "ces" => "cs",
        "tur" => "tr",
        "ara" => "ar",
        "heb" => "he",
        "hin" => "hi",
        "vie" => "vi",
        "ind" => "id",
        "tha" => "th",
        "ell" => "el",
        "hun" => "hu",
        "ron" => "ro",
        "bul" => "bg",
        "srp" => "sr",
        "hrv" => "hr",
        "slk" => "sk",
        "slv" => "sl",
        "lit" => "lt",
        "lav" => "lv",
        "est" => "et",
        "pes" => "fa",
        "urd" => "ur",
        "ben" => "bn",
        "tam" => "ta",
        "cat" => "ca",
        "afr" => "af",
        "epo" => "eo",
        "aze" => "az",
        "bel" => "be",
        "kat" => "ka",
        "mkd" => "mk",
        "tgl" => "tl",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn detects_common_languages() {
        assert_eq!(
            super::detect("The council approved the new budget after a long debate on Thursday.")
                .as_deref(),
            Some("en")
        );
        assert_eq!(
            super::detect("Der Stadtrat hat den neuen Haushalt nach einer langen Debatte am Donnerstag beschlossen.").as_deref(),
            Some("de")
        );
        assert_eq!(super::detect("ok"), None);
    }

    #[test]
    fn only_plain_english_skips_the_trigrams() {
        let en = "The harbour board said on Monday that it would reopen the northern quay \
                  after repairs, and that the ferry company had agreed to pay for part of the work. \
                  Officials who have seen the plans said the cost was not yet known, but their \
                  estimate has been revised twice this year.";
        assert!(super::plainly_english(en));
        assert_eq!(super::detect(en).as_deref(), Some("en"));
        // Too short to be sure.
        assert!(!super::plainly_english(
            "The board said that the quay would reopen."
        ));
        // Other languages, even quoting English or naming English things.
        let nl = "Het havenbestuur zei maandag dat de noordelijke kade na reparaties weer open \
                  gaat, en dat de veerdienst een deel van de kosten betaalt. Volgens ambtenaren \
                  die de plannen hebben gezien is het bedrag nog niet bekend, of het wordt later \
                  in het jaar bekendgemaakt door de gemeente, zei de woordvoerder van The Harbour Trust.";
        assert!(!super::plainly_english(nl));
        assert_eq!(super::detect(nl).as_deref(), Some("nl"));
        let da = "Havnebestyrelsen sagde mandag, at den nordlige kaj åbner igen efter \
                  reparationer, og at færgeselskabet betaler for en del af arbejdet. Embedsmænd, \
                  der har set planerne, siger at prisen endnu ikke er kendt, men at den er blevet \
                  ændret to gange i år, ifølge for eksempel by og havn.";
        assert!(!super::plainly_english(da));
        // English words but mostly non-ASCII letters: left to the trigrams.
        let mixed = "Ο δήμαρχος είπε ότι η αποβάθρα θα ανοίξει ξανά the and of that with which \
                     this from have has had said would been their they its his who are not but";
        assert!(!super::plainly_english(mixed));
    }
}
