//! Quotations: direct quotes in straight or curly marks (partial quotes
//! inside reported speech included), reported speech ("X said …"), the
//! speaker (named before or after the quote, or by pronoun), the cue verb and
//! the channel ("state media KCNA cited Kim as saying", "according to …").
//!
//! All offsets here are bytes into the body; the caller converts them.

use storyline_model::{EntityKind, LocalEntity, LocalQuote, QuoteKind, Span};

/// Verbs that introduce speech.
const CUES: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "added",
    "adds",
    "stated",
    "states",
    "noted",
    "notes",
    "warned",
    "warns",
    "explained",
    "insisted",
    "argued",
    "argues",
    "wrote",
    "writes",
    "asked",
    "asks",
    "stressed",
    "stresses",
    "urged",
    "declared",
    "announced",
    "claimed",
    "claims",
    "recalled",
    "remarked",
    "replied",
    "continued",
    "emphasised",
    "emphasized",
    "underlined",
    "cited",
    "quoted",
    "quoting",
    "according",
];

const PRONOUNS: &[&str] = &["he", "she", "they", "He", "She", "They"];

/// Minimum words for a quoted span to be a quote and not a scare-quoted term.
const MIN_QUOTE_WORDS: usize = 3;

#[derive(Debug, Clone, Copy)]
struct Mention {
    entity: usize,
    start: usize,
    end: usize,
    kind: EntityKind,
}

/// Finds the quotes of `text`. `sentences` and entity mentions are byte spans.
pub fn find(text: &str, sentences: &[(usize, usize)], entities: &[LocalEntity]) -> Vec<LocalQuote> {
    let mut mentions: Vec<Mention> = entities
        .iter()
        .enumerate()
        .flat_map(|(i, e)| {
            e.mentions.iter().map(move |m| Mention {
                entity: i,
                start: m.start as usize,
                end: m.end as usize,
                kind: e.kind,
            })
        })
        .collect();
    mentions.sort_by_key(|m| m.start);

    let mut quotes = Vec::new();
    let spans = quote_spans(text);
    let mut last_speaker: Option<(Option<usize>, String)> = None;
    for (qs, qe, open_at, close_end) in &spans {
        let content = text[*qs..*qe].trim().trim_end_matches(',').trim();
        if content.split_whitespace().count() < MIN_QUOTE_WORDS {
            continue;
        }
        let content_start = *qs + (text[*qs..*qe].len() - text[*qs..*qe].trim_start().len());
        let sent = sentence_of(sentences, *open_at);
        let sent_end = sentence_of(sentences, close_end.saturating_sub(1))
            .1
            .max(sent.1);
        let before = (sent.0, *open_at);
        let after = (*close_end, sent_end);
        let attr = attribute(text, before, after, &mentions, *open_at).or_else(|| {
            // A quote that fills its whole sentence continues the previous speaker
            // ("He added" has its own cue; a bare follow-on quote has none).
            let bare = text[sent.0..*open_at].trim().is_empty()
                && text[*close_end..sent_end].trim().len() <= 2;
            if bare {
                last_speaker.clone().map(|(entity, name)| Attribution {
                    entity,
                    name,
                    cue: None,
                    channel: None,
                })
            } else {
                None
            }
        });
        let channel = attr.as_ref().and_then(|a| a.channel.clone()).or_else(|| {
            channel_in(
                text,
                sent.0,
                sent_end,
                &mentions,
                attr.as_ref().and_then(|a| a.entity),
            )
        });
        if let Some(a) = &attr {
            last_speaker = Some((a.entity, a.name.clone()));
        }
        quotes.push(LocalQuote {
            text: content.to_string(),
            span: Span {
                start: content_start as u32,
                end: (content_start + content.len()) as u32,
            },
            speaker: attr.as_ref().and_then(|a| a.entity),
            speaker_name: attr.as_ref().map(|a| a.name.clone()),
            cue: attr.as_ref().and_then(|a| a.cue.clone()),
            channel,
            kind: QuoteKind::Direct,
        });
    }
    quotes.extend(indirect(text, sentences, &mentions, &spans));
    quotes.sort_by_key(|q| q.span.start);
    quotes
}

/// `(content_start, content_end, open_mark_start, close_mark_end)` of each
/// quoted stretch. Quotes do not cross paragraphs; an unclosed quote ends
/// with its paragraph (news style for multi-paragraph quotes).
fn quote_spans(text: &str) -> Vec<(usize, usize, usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None; // (mark start, content start)
    let mut prev = ' ';
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let next = iter.peek().map_or(' ', |(_, n)| *n);
        match c {
            '“' | '„' | '«' if open.is_none() => {
                open = Some((i, i + c.len_utf8()));
            }
            '”' | '»' => {
                if let Some((m, s)) = open.take() {
                    out.push((s, i, m, i + c.len_utf8()));
                }
            }
            '"' => match open {
                None if !prev.is_alphanumeric() => open = Some((i, i + 1)),
                Some((m, s))
                    if !next.is_alphanumeric()
                        || prev.is_alphanumeric()
                        || ",.!?".contains(prev) =>
                {
                    out.push((s, i, m, i + 1));
                    open = None;
                }
                _ => {}
            },
            '\n' if next == '\n' => {
                if let Some((m, s)) = open.take() {
                    out.push((s, i, m, i));
                }
            }
            _ => {}
        }
        prev = c;
    }
    if let Some((m, s)) = open {
        out.push((s, text.len(), m, text.len()));
    }
    out
}

/// The sentence containing byte `at` (sentences are sorted and disjoint).
fn sentence_of(sentences: &[(usize, usize)], at: usize) -> (usize, usize) {
    let i = sentences.partition_point(|&(s, _)| s <= at);
    i.checked_sub(1)
        .map(|i| sentences[i])
        .filter(|&(_, e)| at < e)
        .unwrap_or((at, at))
}

#[derive(Debug, Clone)]
struct Attribution {
    entity: Option<usize>,
    name: String,
    cue: Option<String>,
    channel: Option<String>,
}

/// Words with byte offsets in `text[from..to]`.
fn words_in(text: &str, from: usize, to: usize) -> Vec<(usize, usize, &str)> {
    crate::entities::tokens(&text[from..to])
        .into_iter()
        .map(|t| (from + t.start, from + t.end, t.text))
        .collect()
}

/// The first mention overlapping `[start, end)`; mentions are sorted by start
/// and do not nest, so only those starting just before `end` can overlap.
fn mention_at(mentions: &[Mention], start: usize, end: usize) -> Option<Mention> {
    let upto = mentions.partition_point(|m| m.start < end);
    mentions[..upto]
        .iter()
        .rev()
        .take(4)
        .rev()
        .copied()
        .find(|m| start < m.end)
}

/// The mentions starting in `[from, to)` (mentions are sorted by start), so
/// that per-quote work stays within its sentence.
fn within(mentions: &[Mention], from: usize, to: usize) -> &[Mention] {
    let lo = mentions.partition_point(|m| m.start < from);
    let hi = mentions.partition_point(|m| m.start < to).max(lo);
    &mentions[lo..hi]
}

fn speaker_from(m: Mention, text: &str) -> Attribution {
    Attribution {
        entity: Some(m.entity),
        name: text[m.start..m.end].to_string(),
        cue: None,
        channel: None,
    }
}

/// The person a pronoun most likely refers to: the last person mentioned before `at`.
fn resolve_pronoun(mentions: &[Mention], at: usize) -> Option<Mention> {
    mentions[..mentions.partition_point(|m| m.start < at)]
        .iter()
        .rev()
        .find(|m| m.end <= at && m.kind == EntityKind::Person)
        .copied()
}

fn attribute(
    text: &str,
    before: (usize, usize),
    after: (usize, usize),
    mentions: &[Mention],
    quote_at: usize,
) -> Option<Attribution> {
    // 1. After the quote: `," state media KCNA cited Kim as saying` / `," Park said` / `," said Park`.
    let aw = words_in(text, after.0, after.1);
    let head = &aw[..aw.len().min(12)];
    if let Some(vi) = head.iter().position(|w| CUES.contains(&w.2)) {
        let verb = head[vi].2;
        if matches!(verb, "cited" | "quoted" | "quoting") {
            let target = aw[vi + 1..]
                .iter()
                .find_map(|w| mention_at(mentions, w.0, w.1));
            if let Some(m) = target {
                let channel_text = text[after.0..head[vi].0]
                    .trim_matches(|c: char| !c.is_alphanumeric())
                    .to_string();
                let mut a = speaker_from(m, text);
                a.cue = Some(format!("{verb} … as saying"));
                a.channel = (!channel_text.is_empty()).then_some(channel_text);
                return Some(a);
            }
        } else if verb != "according" {
            if let Some(a) = adjacent_speaker(text, &aw, vi, mentions, quote_at) {
                return Some(a);
            }
        }
    }
    // 2. Before the quote: `Kim stated, according to the KCNA, "` / `He added, "` / `said Lind: "`.
    let bw = words_in(text, before.0, before.1);
    if let Some(vi) = bw
        .iter()
        .rposition(|w| CUES.contains(&w.2) && w.2 != "according")
    {
        if bw.len() - vi <= 10 {
            let subject = adjacent_speaker(text, &bw, vi, mentions, quote_at);
            // "X said that Y “…”": Y speaks, X is the channel.
            let reported = within(mentions, bw[vi].1, before.1)
                .iter()
                .rev()
                .find(|m| m.start >= bw[vi].1 && m.end <= before.1 && m.kind == EntityKind::Person);
            if let Some(m) = reported {
                let mut a = speaker_from(*m, text);
                a.channel = subject.map(|s| s.name);
                return Some(a);
            }
            if subject.is_some() {
                return subject;
            }
        }
    }
    // 3. A partial quote inside reported speech: the nearest person before it
    //    in the sentence, else the first after it.
    let in_before = within(mentions, before.0, before.1)
        .iter()
        .rev()
        .find(|m| m.start >= before.0 && m.end <= before.1 && m.kind == EntityKind::Person);
    let in_after = within(mentions, after.0, after.1)
        .iter()
        .find(|m| m.start >= after.0 && m.end <= after.1 && m.kind == EntityKind::Person);
    in_before.or(in_after).map(|m| speaker_from(*m, text))
}

/// The speaker next to the cue verb at `words[vi]`: a mention ending within
/// three words before it, or starting right after it, or a pronoun.
fn adjacent_speaker(
    text: &str,
    words: &[(usize, usize, &str)],
    vi: usize,
    mentions: &[Mention],
    quote_at: usize,
) -> Option<Attribution> {
    let verb = words[vi].2.to_string();
    // "Lind, an analyst at X, said": the apposition ends in a comma right
    // before the verb; the speaker is the person it describes.
    let gap_before = if vi > 0 {
        &text[words[vi - 1].1..words[vi].0]
    } else {
        ""
    };
    if gap_before.contains(',') {
        let clause_start = words.first().map_or(0, |w| w.0);
        if let Some(m) = within(mentions, clause_start, words[vi].0)
            .iter()
            .find(|m| {
                m.start >= clause_start && m.end <= words[vi].0 && m.kind == EntityKind::Person
            })
        {
            let mut a = speaker_from(*m, text);
            a.cue = Some(verb);
            return Some(a);
        }
    }
    let lo = vi.saturating_sub(3);
    for w in words[lo..vi].iter().rev() {
        if let Some(m) = mention_at(mentions, w.0, w.1) {
            if matches!(
                m.kind,
                EntityKind::Person | EntityKind::Organization | EntityKind::Other
            ) {
                let mut a = speaker_from(m, text);
                a.cue = Some(verb);
                return Some(a);
            }
        }
        if PRONOUNS.contains(&w.2) {
            let resolved = resolve_pronoun(mentions, quote_at.min(w.0));
            return Some(Attribution {
                entity: resolved.map(|m| m.entity),
                name: resolved
                    .map_or_else(|| w.2.to_string(), |m| text[m.start..m.end].to_string()),
                cue: Some(verb),
                channel: None,
            });
        }
    }
    // "said Park Won-gon, a North Korea expert"
    if let Some(w) = words.get(vi + 1) {
        let w = if matches!(w.2, "the" | "a" | "an") {
            words.get(vi + 2)?
        } else {
            w
        };
        if let Some(m) = mention_at(mentions, w.0, w.1) {
            let mut a = speaker_from(m, text);
            a.cue = Some(verb);
            return Some(a);
        }
    }
    None
}

/// "according to (the) X" or "X reported" in the sentence, naming someone
/// other than the speaker.
fn channel_in(
    text: &str,
    from: usize,
    to: usize,
    mentions: &[Mention],
    speaker: Option<usize>,
) -> Option<String> {
    let s = &text[from..to];
    // ASCII lowering keeps byte offsets valid for `text`.
    let lower = s.to_ascii_lowercase();
    if let Some(p) = lower.find("according to ") {
        let at = from + p + "according to ".len();
        if let Some(m) = within(mentions, at, at + 6).first() {
            if Some(m.entity) != speaker {
                return Some(text[m.start..m.end].to_string());
            }
        }
    }
    for m in within(mentions, from, to).iter().filter(|m| m.end <= to) {
        if Some(m.entity) == speaker || m.kind != EntityKind::Organization {
            continue;
        }
        let rest = text[m.end..to].trim_start().to_lowercase();
        if rest.starts_with("reported") || rest.starts_with("said") || rest.starts_with("reports") {
            return Some(text[m.start..m.end].to_string());
        }
    }
    lower
        .contains("state media")
        .then(|| "state media".to_string())
}

/// Reported speech without quote marks: "X said (that) CLAUSE." and
/// "CLAUSE, X said."
fn indirect(
    text: &str,
    sentences: &[(usize, usize)],
    mentions: &[Mention],
    quoted: &[(usize, usize, usize, usize)],
) -> Vec<LocalQuote> {
    let mut out = Vec::new();
    for &(s, e) in sentences {
        if quoted.iter().any(|q| q.2 < e && s < q.3) {
            continue;
        }
        let words = words_in(text, s, e);
        let Some(vi) = words
            .iter()
            .position(|w| matches!(w.2, "said" | "says" | "told"))
        else {
            continue;
        };
        // "CLAUSE, said Cheong Seong Chang, an analyst at …"
        let comma_before = vi > 0 && text[words[vi - 1].1..words[vi].0].contains(',');
        let named_after = words
            .get(vi + 1)
            .and_then(|w| mention_at(mentions, w.0, w.1))
            .filter(|m| m.kind == EntityKind::Person);
        let (speaker, clause) = if let (true, Some(m)) = (comma_before, named_after) {
            (Some(m), (s, words[vi - 1].1))
        } else if vi + 1 == words.len()
            || text[words[vi].1..e]
                .trim_matches(|c: char| !c.is_alphanumeric())
                .is_empty()
        {
            // "CLAUSE, Mr Lind said."
            let comma = text[s..words[vi].0].rfind(',').map(|p| s + p);
            let Some(comma) = comma else { continue };
            let m = within(mentions, comma + 1, words[vi].0)
                .iter()
                .find(|m| m.end <= words[vi].0)
                .copied();
            (m, (s, comma))
        } else {
            // "Lind, an analyst at X, said (that) CLAUSE" — the subject is the
            // first mention of the sentence and must precede the verb.
            let m = within(mentions, s, words[vi].0)
                .iter()
                .find(|m| m.end <= words[vi].0)
                .copied();
            let mut cs = words[vi].1;
            if let Some(w) = words.get(vi + 1) {
                if w.2 == "that" || w.2 == "reporters" {
                    cs = w.1;
                }
            }
            (m, (cs, e))
        };
        let Some(m) = speaker else { continue };
        if !matches!(m.kind, EntityKind::Person | EntityKind::Organization) {
            continue;
        }
        let raw = &text[clause.0..clause.1];
        let trimmed = raw.trim().trim_end_matches(['.', ',']).trim();
        if trimmed.split_whitespace().count() < 5 {
            continue;
        }
        let start = clause.0 + (raw.len() - raw.trim_start().len());
        out.push(LocalQuote {
            text: trimmed.to_string(),
            span: Span {
                start: start as u32,
                end: (start + trimmed.len()) as u32,
            },
            speaker: Some(m.entity),
            speaker_name: Some(text[m.start..m.end].to_string()),
            cue: Some(words[vi].2.to_string()),
            channel: channel_in(text, s, e, mentions, Some(m.entity)),
            kind: QuoteKind::Indirect,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (Vec<LocalEntity>, Vec<LocalQuote>) {
        let sents = crate::sentences::split(text);
        let ents = crate::entities::find(text);
        let quotes = find(text, &sents, &ents);
        (ents, quotes)
    }

    fn speaker(ents: &[LocalEntity], q: &LocalQuote) -> String {
        q.speaker.map(|i| ents[i].name.clone()).unwrap_or_default()
    }

    #[test]
    fn speakers_after_before_and_by_pronoun() {
        let text = "Harbour master Olav Strand inspected the quay on Monday.\n\n\
\"We will reopen the inner basin first,\" Strand said.\n\n\
Ana Lind, an analyst at Nordic Maritime Institute, said: \u{201c}The cost will be high for a small port.\u{201d} \
She added, \"Nobody expected the storm to be this strong.\"\n\n\
\u{201c}The repairs must be finished before the fishing season,\u{201d} the Port Gazette quoted Strand as saying.";
        let (ents, quotes) = run(text);
        let direct: Vec<&LocalQuote> = quotes
            .iter()
            .filter(|q| q.kind == QuoteKind::Direct)
            .collect();
        assert_eq!(direct.len(), 4, "{quotes:#?}");
        assert_eq!(direct[0].text, "We will reopen the inner basin first");
        assert_eq!(speaker(&ents, direct[0]), "Olav Strand");
        assert_eq!(direct[0].cue.as_deref(), Some("said"));
        assert_eq!(speaker(&ents, direct[1]), "Ana Lind");
        assert_eq!(speaker(&ents, direct[2]), "Ana Lind");
        assert_eq!(direct[2].speaker_name.as_deref(), Some("Ana Lind"));
        assert_eq!(speaker(&ents, direct[3]), "Olav Strand");
        assert_eq!(direct[3].channel.as_deref(), Some("the Port Gazette"));
        // Offsets point at the quoted words.
        let q = direct[1];
        assert_eq!(&text[q.span.start as usize..q.span.end as usize], q.text);
    }

    #[test]
    fn partial_and_indirect_quotes() {
        let text = "The Nordvik Port Authority said on Tuesday that harbour master Olav Strand \u{201c}fully approved the repair plan\u{201d} for the quay. \
The storm was the worst in a decade, Mr Strand said. \
Ferries will run again next week, said Ana Lind, a spokeswoman for the ferry company.";
        let (ents, quotes) = run(text);
        let partial = quotes.iter().find(|q| q.kind == QuoteKind::Direct).unwrap();
        assert_eq!(speaker(&ents, partial), "Olav Strand");
        let indirect = quotes
            .iter()
            .find(|q| q.text.starts_with("The storm"))
            .unwrap();
        assert_eq!(indirect.kind, QuoteKind::Indirect);
        assert_eq!(speaker(&ents, indirect), "Olav Strand");
        let ferries = quotes
            .iter()
            .find(|q| q.text.starts_with("Ferries"))
            .unwrap();
        assert_eq!(ferries.text, "Ferries will run again next week");
        assert_eq!(speaker(&ents, ferries), "Ana Lind");
        // Scare quotes are not quotes.
        let (_, q) = run("The so-called \"reform\" failed.");
        assert!(q.is_empty());
    }
}
