//! Language identification of the clean body.

/// ISO 639-1 code where one exists (else whatlang's ISO 639-3 code), or `None`
/// when the text is too short or the guess unreliable.
pub fn detect(text: &str) -> Option<String> {
    // The first characters decide; detection cost stays bounded.
    let sample: String = text.chars().take(800).collect();
    let info = whatlang::detect(&sample)?;
    if !info.is_reliable() && sample.split_whitespace().count() < 8 {
        return None;
    }
    let code = info.lang().code();
    Some(iso639_1(code).unwrap_or(code).to_string())
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
}
