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

    let mut quotes: Vec<LocalQuote> = Vec::new();
    let spans = quote_spans(text);
    let mut last_speaker: Option<(Option<usize>, String)> = None;
    // Where the last kept quote's closing mark ended.
    let mut last_close: Option<usize> = None;
    for (qs, qe, open_at, close_end) in &spans {
        let content = text[*qs..*qe].trim().trim_end_matches(',').trim();
        if content.split_whitespace().count() < MIN_QUOTE_WORDS {
            continue;
        }
        let content_start = *qs + (text[*qs..*qe].len() - text[*qs..*qe].trim_start().len());
        let sent = sentence_of(sentences, *open_at);
        // A quote mark outside every sentence (stray marks in a fragment)
        // still gives a well-formed "after" range.
        let sent_end = sentence_of(sentences, close_end.saturating_sub(1))
            .1
            .max(sent.1)
            .max(*close_end);
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
        // "“A,” she said. “B.”": B continues A when only an attribution
        // stands between them (same paragraph, a few words with a cue) and
        // B names no other speaker. One statement, one quote.
        if let Some((prev, prev_close)) = quotes.last_mut().zip(last_close) {
            let gap = &text[prev_close..*open_at];
            let gap_words: Vec<&str> = gap
                .split_whitespace()
                .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
                .collect();
            // The first piece stops mid-sentence: “A,” she said …
            let mid_sentence = text[..prev_close]
                .trim_end_matches(['"', '”', '\'', '’', ' '])
                .ends_with(',')
                || gap.trim_start().starts_with(',');
            let interrupted = mid_sentence
                && !gap.contains("\n\n")
                && gap_words.len() <= 8
                && gap_words.iter().any(|w| CUES.contains(w));
            let same_speaker = attr
                .as_ref()
                .is_none_or(|a| a.entity.is_some() && a.entity == prev.speaker);
            if interrupted && same_speaker && prev.kind == QuoteKind::Direct {
                let end = content_start + content.len();
                prev.span.end = end as u32;
                prev.text = text[prev.span.start as usize..end].to_string();
                last_close = Some(*close_end);
                continue;
            }
        }
        last_close = Some(*close_end);
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
        // Wire and NYT style: ``…'' or ''…'' (two marks for one).
        if (c == '`' || c == '\'') && next == c {
            iter.next();
            match open {
                None if c == '`' || !prev.is_alphanumeric() => open = Some((i, i + 2)),
                Some((m, st)) if c == '\'' => {
                    out.push((st, i, m, i + 2));
                    open = None;
                }
                _ => {}
            }
            prev = c;
            continue;
        }
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
        .rposition(|w| (CUES.contains(&w.2) || REPORTING.contains(&w.2)) && w.2 != "according")
    {
        if bw.len() - vi <= 10 {
            // Right before the quote ("One man wrote, “…”"), an unnamed
            // subject is the speaker as written.
            let close = text[bw[vi].1..before.1]
                .trim_matches(|c: char| c.is_whitespace() || c == ',' || c == ':')
                .is_empty();
            let subject = adjacent_speaker(text, &bw, vi, mentions, quote_at).or_else(|| {
                if !close {
                    return None;
                }
                let from = text[before.0..bw[vi].0]
                    .rfind([',', ';', ':'])
                    .map_or(before.0, |p| before.0 + p + 1);
                let (entity, name) = subject_speaker(text, from, bw[vi].0, mentions)?;
                (name.split_whitespace().count() <= 8).then(|| Attribution {
                    entity,
                    name,
                    cue: Some(bw[vi].2.to_string()),
                    channel: None,
                })
            });
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
    // 3. A partial quote inside reported speech: the sentence's subject —
    //    the first person before it ("Trump called Bush “a total stiff”"),
    //    else the first after it.
    let in_before = within(mentions, before.0, before.1)
        .iter()
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
            // The name as written; the entity carries the resolution.
            return Some(Attribution {
                entity: resolved.map(|m| m.entity),
                name: w.2.to_string(),
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
        // Only the next word is compared, not the rest of a long sentence.
        let rest = text[m.end..to].trim_start();
        let next_is = |w: &str| crate::starts_with_ignore_ascii_case(rest, w);
        if next_is("reported") || next_is("said") || next_is("reports") {
            return Some(text[m.start..m.end].to_string());
        }
    }
    lower
        .contains("state media")
        .then(|| "state media".to_string())
}

/// Verbs that report speech or a stance when no quote marks are used
/// ("X said …", "X believes …", "…, X warned").
const REPORTING: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "tell",
    "added",
    "adds",
    "wrote",
    "writes",
    "noted",
    "notes",
    "argued",
    "argues",
    "warned",
    "warns",
    "explained",
    "explains",
    "claimed",
    "claims",
    "insisted",
    "insists",
    "stressed",
    "stresses",
    "announced",
    "announces",
    "reported",
    "reports",
    "believes",
    "believe",
    "believed",
    "thinks",
    "think",
    "thought",
    "suggested",
    "suggests",
    "acknowledged",
    "acknowledges",
    "predicted",
    "predicts",
    "contended",
    "contends",
    "maintained",
    "maintains",
    "estimated",
    "estimates",
    "asserted",
    "asserts",
    "conceded",
    "concedes",
    "cautioned",
    "confirmed",
    "confirms",
    "denied",
    "denies",
    "admitted",
    "admits",
    "tweeted",
    "testified",
    "vowed",
    "vows",
    "promised",
    "promises",
    "pledged",
    "hopes",
    "hoped",
    "fears",
    "feared",
    "knows",
    "knew",
    "agreed",
    "agrees",
    "complained",
    "complains",
    "charged",
    "alleged",
    "alleges",
    "emphasized",
    "emphasised",
    "recalled",
    "recalls",
    "countered",
    "replied",
    "responded",
    "declared",
    "declares",
    "observed",
    "pointed",
    "indicated",
    "indicates",
    "revealed",
    "reveals",
    "showed",
    "shows",
    "found",
    "finds",
    "concluded",
    "expects",
    "expected",
    "worried",
    "worries",
    "wants",
    "wanted",
    "asked",
    "asks",
    "saying",
    "noting",
    "arguing",
    "adding",
    "telling",
    "warning",
    "insisting",
    "suggesting",
    "claiming",
    "citing",
    "urged",
    "urges",
    "sees",
    "see",
    "know",
    "hope",
    "want",
    "argue",
    "suggest",
    "claim",
    "insist",
    "warn",
    "fear",
    "expect",
    // Stances are attributions too (PolNeAR annotates them): "X criticized
    // the plan", "X called for a recount".
    "endorsed",
    "endorses",
    "criticized",
    "criticised",
    "criticizes",
    "accused",
    "accuses",
    "praised",
    "praises",
    "described",
    "describes",
    "called",
    "calling",
    "calls",
    "defended",
    "defends",
    "supported",
    "supports",
    "support",
    "opposed",
    "opposes",
    "oppose",
    "rejected",
    "rejects",
    "dismissed",
    "dismisses",
    "questioned",
    "attacked",
    "attacks",
    "blamed",
    "blames",
    "slammed",
    "welcomed",
    "condemned",
    "condemns",
    "proposed",
    "proposes",
    "sought",
    "seeks",
    "refused",
    "declined",
    "plans",
    "planned",
    "intends",
    "intended",
    "vowing",
    "promising",
    "predicting",
    "acknowledging",
    "believing",
    "demanded",
    "demands",
    "questioning",
    "criticizing",
    "accusing",
    "praising",
    "describing",
    "referring",
    "mocked",
    "mocking",
    "touted",
    "touting",
];

/// Verbs whose listener comes before what was said ("told reporters that").
const TOLD: &[&str] = &[
    "told", "tells", "tell", "asked", "asks", "warned", "warns", "promised", "assured",
];

/// Words that end a subject when walking back from the verb.
const CLAUSE_BREAKS: &[&str] = &[
    "and", "but", "while", "because", "as", "since", "although", "though", "if", "when", "where",
    "which", "who", "that", "than", "so",
];

/// Reported speech without quote marks: "X said (that) CLAUSE",
/// "CLAUSE, X said", "CLAUSE, said X, an analyst", "According to X, CLAUSE",
/// "CLAUSE, according to X". The speaker is a mention in the subject, a
/// pronoun (resolved to the last person named), or the subject as written
/// ("officials", "a spokesman").
fn indirect(
    text: &str,
    sentences: &[(usize, usize)],
    mentions: &[Mention],
    quoted: &[(usize, usize, usize, usize)],
) -> Vec<LocalQuote> {
    let mut out = Vec::new();
    let quoted = crate::entities::Overlaps::new(quoted.iter().map(|q| (q.2, q.3)));
    for &(s, e) in sentences {
        if quoted.any(s, e) {
            continue;
        }
        let words = words_in(text, s, e);
        if let Some(q) = according_to(text, s, e, &words, mentions)
            .or_else(|| reported(text, s, e, &words, mentions))
        {
            out.push(q);
        }
    }
    out
}

/// The speaker named in `text[from..to]`: its last person or organisation
/// mention, a pronoun, or the words themselves.
fn speaker_in(
    text: &str,
    from: usize,
    to: usize,
    mentions: &[Mention],
) -> Option<(Option<usize>, String)> {
    let phrase = text[from..to].trim_matches(|c: char| !c.is_alphanumeric());
    if phrase.is_empty() {
        return None;
    }
    if let Some(m) = within(mentions, from, to).iter().rev().find(|m| {
        m.end <= to
            && matches!(
                m.kind,
                EntityKind::Person | EntityKind::Organization | EntityKind::Other
            )
    }) {
        return Some((Some(m.entity), text[m.start..m.end].to_string()));
    }
    Some(as_written(phrase.to_string(), mentions, from))
}

/// A speaker no mention names, as written: a third-person pronoun resolved
/// to the last person before `at`, other words ("officials", "a
/// spokesman", "we") as they are.
fn as_written(phrase: String, mentions: &[Mention], at: usize) -> (Option<usize>, String) {
    let resolved = PRONOUNS
        .contains(&phrase.as_str())
        .then(|| resolve_pronoun(mentions, at))
        .flatten();
    (resolved.map(|m| m.entity), phrase)
}

/// Auxiliaries and adverbs between a subject and its verb ("has said",
/// "also told").
const AUXILIARIES: &[&str] = &[
    "has",
    "have",
    "had",
    "also",
    "would",
    "will",
    "did",
    "does",
    "do",
    "previously",
    "repeatedly",
    "then",
    "later",
    "once",
    "again",
    "just",
    "recently",
    "still",
    "could",
    "may",
    "might",
    "should",
    "must",
];

/// The speaker of a subject: its first person, else its first other name,
/// else a pronoun, else the words without trailing auxiliaries.
fn subject_speaker(
    text: &str,
    from: usize,
    to: usize,
    mentions: &[Mention],
) -> Option<(Option<usize>, String)> {
    let inside: Vec<&Mention> = within(mentions, from, to)
        .iter()
        .filter(|m| m.end <= to)
        .collect();
    let named = inside
        .iter()
        .find(|m| m.kind == EntityKind::Person)
        .or_else(|| {
            inside
                .iter()
                .find(|m| matches!(m.kind, EntityKind::Organization | EntityKind::Other))
        });
    if let Some(m) = named {
        return Some((Some(m.entity), text[m.start..m.end].to_string()));
    }
    let mut words: Vec<&str> = text[from..to]
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    while words.len() > 1 && words.last().is_some_and(|w| AUXILIARIES.contains(w)) {
        words.pop();
    }
    let phrase = words.join(" ");
    if phrase.is_empty() {
        return None;
    }
    Some(as_written(phrase, mentions, from))
}

fn indirect_quote(
    text: &str,
    clause: (usize, usize),
    speaker: (Option<usize>, String),
    cue: &str,
    channel: Option<String>,
) -> Option<LocalQuote> {
    let mut from = clause.0;
    // A dateline opening the sentence is not part of what was said:
    // "HALVIK (Tidewater Wire) - The harbour …".
    if let Some(d) = dateline_len(&text[clause.0..clause.1.max(clause.0)]) {
        from += d;
    }
    let clause = (from, clause.1);
    let raw = &text[clause.0..clause.1.max(clause.0)];
    let trimmed = raw
        .trim()
        .trim_end_matches(['.', ',', ';', ':'])
        .trim_start_matches([',', ';', ':'])
        .trim();
    if trimmed.split_whitespace().count() < MIN_INDIRECT_WORDS {
        return None;
    }
    let start = clause.0 + raw.find(trimmed)?;
    Some(LocalQuote {
        text: trimmed.to_string(),
        span: Span {
            start: start as u32,
            end: (start + trimmed.len()) as u32,
        },
        speaker: speaker.0,
        speaker_name: Some(speaker.1),
        cue: Some(cue.to_string()),
        channel,
        kind: QuoteKind::Indirect,
    })
}

/// Bytes of a leading dateline: upper-case place words, an optional
/// "(Outlet)", then a dash.
fn dateline_len(s: &str) -> Option<usize> {
    let t = s.trim_start();
    let lead = s.len() - t.len();
    let dash = t.find(['-', '–', '—'])?;
    let head = &t[..dash];
    let place_end = head.find('(').unwrap_or(head.len());
    let place = head[..place_end].trim().trim_end_matches(',');
    let upper = !place.is_empty()
        && place.chars().any(char::is_alphabetic)
        && place
            .chars()
            .all(|c| c.is_uppercase() || c.is_whitespace() || c == ',' || c == '.');
    let dash_len = t[dash..].chars().next()?.len_utf8();
    (upper && dash < 60).then_some(lead + dash + dash_len)
}

/// Reported clauses shorter than this are left out ("he said so").
const MIN_INDIRECT_WORDS: usize = 3;

/// "According to X, CLAUSE." / "CLAUSE, according to X."
fn according_to(
    text: &str,
    s: usize,
    e: usize,
    words: &[(usize, usize, &str)],
    mentions: &[Mention],
) -> Option<LocalQuote> {
    let ai = words
        .windows(2)
        .position(|w| w[0].2.eq_ignore_ascii_case("according") && w[1].2 == "to")?;
    let np_start = words[ai + 1].1;
    // The source runs to the next comma (or the sentence end).
    let np_end = text[np_start..e].find(',').map_or(e, |p| np_start + p);
    let speaker = speaker_in(text, np_start, np_end, mentions)?;
    let before = text[s..words[ai].0].trim();
    let clause = if before.is_empty() || before.split_whitespace().count() <= 1 {
        (np_end, e)
    } else {
        let comma = text[s..words[ai].0]
            .rfind(',')
            .map_or(words[ai].0, |p| s + p);
        (s, comma)
    };
    indirect_quote(text, clause, speaker, "according to", None)
}

/// Whether a word, lower-cased, is a reporting verb. Runs on every word
/// of every sentence without quote marks: a set, and no lower-case copy
/// of words already in lower case.
fn is_reporting(w: &str) -> bool {
    static SET: std::sync::OnceLock<rustc_hash::FxHashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| REPORTING.iter().copied().collect())
        .contains(&*storyline_model::words::lowercase(w))
}

/// "X said (that) CLAUSE", "CLAUSE, X said", "CLAUSE, said X".
fn reported(
    text: &str,
    s: usize,
    e: usize,
    words: &[(usize, usize, &str)],
    mentions: &[Mention],
) -> Option<LocalQuote> {
    let vi = words.iter().position(|w| is_reporting(w.2))?;
    let verb = words[vi].2.to_lowercase();
    let comma_before = vi > 0 && text[words[vi - 1].1..words[vi].0].contains(',');
    let rest = &words[vi + 1..];
    // Up to the next comma after the verb, or the sentence end.
    let tail_end = text[words[vi].1..e]
        .find(',')
        .map_or(e, |p| words[vi].1 + p);
    let tail_words = rest.iter().filter(|w| w.1 <= tail_end).count();
    if comma_before && tail_words <= 6 && vi + 1 < words.len() {
        // "CLAUSE, said Ana Lind, a spokeswoman" (verb first, then the speaker).
        let speaker = speaker_in(text, words[vi].1, tail_end, mentions)?;
        let comma = s + text[s..words[vi].0].rfind(',')?;
        return indirect_quote(text, (s, comma), speaker, &verb, None);
    }
    let after_verb = text[words[vi].1..e].trim_matches(|c: char| !c.is_alphanumeric());
    let short_tail = after_verb.split_whitespace().count() <= 4 && !after_verb.starts_with("that");
    let comma = text[s..words[vi].0].rfind(',').map(|p| s + p);
    if let (true, Some(comma)) = (short_tail, comma) {
        // "CLAUSE, Mr Lind said (on Tuesday)."
        let speaker = speaker_in(text, comma + 1, words[vi].0, mentions)?;
        if speaker.1.split_whitespace().count() > 8 {
            return None;
        }
        return indirect_quote(text, (s, comma), speaker, &verb, None);
    }
    // "Lind, an analyst at X, said (that) CLAUSE": the subject is the
    // stretch after the last comma before the verb — or, when a comma comes
    // right before the verb, the stretch before the apposition it closes —
    // from its last clause break on.
    let head = &text[s..words[vi].0];
    let commas: Vec<usize> = head.match_indices(',').map(|(p, _)| s + p).collect();
    let (mut from, to) = match commas.as_slice() {
        [] => (s, words[vi].0),
        [.., last] if text[last + 1..words[vi].0].trim().is_empty() => {
            let before = &commas[..commas.len() - 1];
            match before {
                [] => (s, *last),
                [.., prev] => {
                    let p2 = before[..before.len() - 1].last().map_or(s, |&p| p + 1);
                    (p2, *prev)
                }
            }
        }
        [.., last] => (last + 1, words[vi].0),
    };
    if let Some(b) = words
        .iter()
        .rfind(|w| w.0 >= from && w.1 <= to && CLAUSE_BREAKS.contains(&w.2))
    {
        from = b.1;
    }
    if text[from..to].split_whitespace().count() > 14 {
        return None;
    }
    let speaker = subject_speaker(text, from, to, mentions)?;
    let mut cs = words[vi].1;
    let mut k = vi + 1;
    // Adverbs and "also", "has": "said on Tuesday that", "told reporters that".
    if TOLD.contains(&verb.as_str()) {
        if let Some(t) = rest.iter().take(6).position(|w| w.2 == "that") {
            k = vi + 1 + t;
        }
    }
    if let Some(w) = words.get(k).filter(|w| w.2 == "that") {
        cs = w.0;
    } else if k > vi + 1 {
        cs = words[k - 1].1;
    }
    let channel = channel_in(text, s, e, mentions, speaker.0);
    indirect_quote(text, (cs, e), speaker, &verb, channel)
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
    fn a_channel_is_an_organisation_reporting_in_any_case() {
        let text = "The cost will be high, the Port Gazette REPORTED on Monday.";
        let at = text.find("the Port").unwrap();
        let gazette = |entity| Mention {
            entity,
            start: at,
            end: at + "the Port Gazette".len(),
            kind: EntityKind::Organization,
        };
        let channel = |text: &str, m: Mention| channel_in(text, 0, text.len(), &[m], None);
        assert_eq!(
            channel(text, gazette(0)).as_deref(),
            Some("the Port Gazette")
        );
        let said = text.replace("REPORTED", "Said");
        assert_eq!(
            channel(&said, gazette(0)).as_deref(),
            Some("the Port Gazette")
        );
        // Only the next word counts, and only for someone else than the speaker.
        let saw = text.replace("REPORTED", "saw it");
        assert_eq!(channel(&saw, gazette(0)), None);
        assert_eq!(
            channel_in(text, 0, text.len(), &[gazette(0)], Some(0)),
            None
        );
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
        assert_eq!(direct[2].speaker_name.as_deref(), Some("She"));
        assert_eq!(speaker(&ents, direct[3]), "Olav Strand");
        assert_eq!(direct[3].channel.as_deref(), Some("the Port Gazette"));
        // Offsets point at the quoted words.
        let q = direct[1];
        assert_eq!(&text[q.span.start as usize..q.span.end as usize], q.text);
    }

    #[test]
    fn reported_speech_without_quote_marks() {
        let text = "According to the Nordvik Port Authority, the quay will reopen next week. \
The repairs cost more than planned, according to harbour officials. \
Olav Strand told reporters on Tuesday that the breakwater had held. \
Harbour master Ana Lind inspected the quay. She believes the ferries will return soon. \
Officials said the storm was the worst in a decade.";
        let (ents, quotes) = run(text);
        let by_start = |p: &str| {
            quotes
                .iter()
                .find(|q| q.text.starts_with(p))
                .unwrap_or_else(|| panic!("{p}: {quotes:#?}"))
        };
        let q = by_start("the quay will reopen");
        assert_eq!(q.cue.as_deref(), Some("according to"));
        assert_eq!(speaker(&ents, q), "Nordvik Port Authority");
        let q = by_start("The repairs cost");
        assert_eq!(q.text, "The repairs cost more than planned");
        assert_eq!(q.speaker_name.as_deref(), Some("harbour officials"));
        let q = by_start("that the breakwater");
        assert_eq!(speaker(&ents, q), "Olav Strand");
        assert_eq!(q.cue.as_deref(), Some("told"));
        let q = by_start("the ferries will return");
        assert_eq!(q.speaker_name.as_deref(), Some("She"));
        assert_eq!(speaker(&ents, q), "Ana Lind");
        let q = by_start("the storm was");
        assert_eq!(q.speaker_name.as_deref(), Some("Officials"));
        assert_eq!(q.speaker, None);
    }

    #[test]
    fn a_quote_interrupted_by_its_attribution_is_one_quote() {
        let text = "\u{201c}The quay will reopen on Friday,\u{201d} Olav Strand said. \u{201c}The ferries come back a day later.\u{201d}\n\n\
\u{201c}We are ready.\u{201d} He added that crews were tired. \u{201c}Nobody slept this week.\u{201d}";
        let (ents, quotes) = run(text);
        let direct: Vec<&LocalQuote> = quotes
            .iter()
            .filter(|q| q.kind == QuoteKind::Direct)
            .collect();
        assert_eq!(direct[0].text, "The quay will reopen on Friday,\u{201d} Olav Strand said. \u{201c}The ferries come back a day later.");
        assert_eq!(speaker(&ents, direct[0]), "Olav Strand");
        // A full stop ends the first piece: two statements.
        assert!(
            direct.iter().any(|q| q.text == "We are ready."),
            "{direct:#?}"
        );
        assert!(
            direct.iter().any(|q| q.text == "Nobody slept this week."),
            "{direct:#?}"
        );
    }

    #[test]
    fn datelines_are_not_said() {
        assert_eq!(dateline_len("HALVIK (Tidewater Wire) - The quay"), Some(25));
        assert_eq!(dateline_len("OSLO, March 3 — x"), None);
        assert_eq!(dateline_len("The well-known quay"), None);
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
        // Doubled marks are quote marks too.
        let (_, q) =
            run("``We will rebuild the quay.'' Olav Strand said it twice. ''It takes a year.''");
        let texts: Vec<&str> = q.iter().map(|q| q.text.as_str()).collect();
        assert!(texts.contains(&"We will rebuild the quay."), "{q:#?}");
        assert!(texts.contains(&"It takes a year."), "{q:#?}");
        // Scare quotes are not quotes.
        let (_, q) = run("The so-called \"reform\" failed.");
        assert!(q.is_empty());
    }
}
