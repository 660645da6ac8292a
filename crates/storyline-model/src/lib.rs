//! The types every storyline stage shares.
//!
//! Data flows one way: a raw page becomes an [`Article`] (clean body plus
//! metadata), per-article annotators add [`LocalEntity`] mentions, [`LocalQuote`]s
//! and [`TimeMention`]s (together an [`AnnotatedArticle`]), and the linking stage
//! turns many annotated articles into an [`Analysis`]: relations, events,
//! storylines, merged entities and quote groups.
//!
//! Every position is a [`Span`] of *character* offsets (Unicode scalar values)
//! into the article's clean `body`, so that a consumer in any language can
//! slice the text without knowing about UTF-8.
//!
//! ```
//! use storyline_model::{CharMap, Span};
//! let body = "Señor Kim said.";
//! let map = CharMap::new(body);
//! // "Kim" starts at byte 7 but at character 6.
//! assert_eq!(map.span(7, 10), Span { start: 6, end: 9 });
//! ```
#![deny(missing_docs)]

use serde::{Deserialize, Serialize};

pub mod calendar;
pub mod words;

/// Version of the JSON output contract (`docs/json-output.md`).
/// Bump it whenever a field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

/// A half-open range `[start, end)` of character offsets into an article body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First character.
    pub start: u32,
    /// One past the last character.
    pub end: u32,
}

impl Span {
    /// Whether the two spans share at least one character.
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// Converts byte offsets of a `&str` into character offsets.
///
/// Annotators work on byte offsets (that is what `str` slicing needs); the
/// contract speaks in characters. Building the map is O(n) once per body.
pub struct CharMap {
    /// `byte_to_char[b]` is the character index of the char starting at byte `b`
    /// (or the next one, for continuation bytes).
    byte_to_char: Vec<u32>,
}

impl CharMap {
    /// Builds the map for `text`.
    pub fn new(text: &str) -> Self {
        let mut byte_to_char = Vec::with_capacity(text.len() + 1);
        let mut chars = 0u32;
        for (i, _) in text.char_indices() {
            // Continuation bytes map to the character that follows them.
            byte_to_char.resize(i, chars);
            byte_to_char.push(chars);
            chars += 1;
        }
        byte_to_char.resize(text.len() + 1, chars);
        CharMap { byte_to_char }
    }

    /// Character offset of byte offset `b` (clamped to the text length).
    pub fn char_at(&self, b: usize) -> u32 {
        let last = self.byte_to_char.len() - 1;
        self.byte_to_char[b.min(last)]
    }

    /// Character span of the byte range `[start, end)`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        Span {
            start: self.char_at(start),
            end: self.char_at(end),
        }
    }
}

/// Returns the characters `[span.start, span.end)` of `text`.
pub fn slice_chars(text: &str, span: Span) -> String {
    text.chars()
        .skip(span.start as usize)
        .take(span.end.saturating_sub(span.start) as usize)
        .collect()
}

/// Whether a page arrived as markup or as already-flattened text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// An HTML document.
    Html,
    /// Plain text, possibly with all the page clutter flattened into it.
    Text,
}

/// A piece of the page that the cleaner kept out of the body, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    /// The removed text, as it stood in the page.
    pub text: String,
    /// A short machine-readable reason, e.g. `cookie-banner` or `caption`.
    pub reason: String,
}

/// One page cleaned to its article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable id derived from the page's content hash (`a` + 12 hex digits).
    pub id: String,
    /// The path or URL as given (for JSONL lines, `path:line`).
    pub source: String,
    /// URL of the page, when the input said so.
    pub url: Option<String>,
    /// Input format.
    pub format: SourceFormat,
    /// Headline.
    pub title: Option<String>,
    /// Author names from bylines or metadata.
    pub authors: Vec<String>,
    /// The publication that printed the page.
    pub outlet: Option<String>,
    /// The wire service or outlet credited as the origin of the text.
    pub original_source: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    pub published: Option<String>,
    /// When the page gives no publication date: the latest full date its
    /// text names (`YYYY-MM-DD`), so it was written on or after it. A
    /// bound, never shown as the date itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_after: Option<String>,
    /// ISO 639-1 language code where one exists, else ISO 639-3.
    pub language: Option<String>,
    /// Clean article text; paragraphs separated by a blank line.
    pub body: String,
    /// What the cleaner took out, with reasons.
    pub removed: Vec<Removed>,
}

impl Article {
    /// The outlet, or failing that the source the page came from.
    pub fn outlet_or_source(&self) -> &str {
        self.outlet.as_deref().unwrap_or(&self.source)
    }

    /// An article of flattened text with no metadata: for evaluations,
    /// benchmarks and tests that annotate text as it is.
    pub fn plain(id: &str, body: &str) -> Article {
        Article {
            id: id.to_string(),
            source: id.to_string(),
            url: None,
            format: SourceFormat::Text,
            title: None,
            authors: vec![],
            outlet: None,
            original_source: None,
            published: None,
            published_after: None,
            language: None,
            body: body.to_string(),
            removed: vec![],
        }
    }
}

/// Coarse entity types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    /// A person.
    Person,
    /// A company, agency, party, university, outlet…
    Organization,
    /// A country, city, region or facility.
    Place,
    /// A nationality, religious or political group.
    Group,
    /// A name whose type could not be decided.
    Other,
}

/// An entity named inside one article, with every mention of it there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalEntity {
    /// The fullest name seen in the article.
    pub name: String,
    /// Type.
    pub kind: EntityKind,
    /// Other surface forms in this article ("Mr Kim", "KCNA").
    pub aliases: Vec<String>,
    /// Every mention.
    pub mentions: Vec<Span>,
    /// Role or affiliation from an apposition ("a North Korea expert at …").
    pub role: Option<String>,
}

/// A quotation found in one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalQuote {
    /// The quoted words, without quote marks.
    pub text: String,
    /// Span of `text` in the body.
    pub span: Span,
    /// Index into [`AnnotatedArticle::entities`] of the speaker, if resolved.
    pub speaker: Option<usize>,
    /// The speaker as written ("Kim", "He", "Park Won-gon").
    pub speaker_name: Option<String>,
    /// The cue verb ("said", "quoted … as saying").
    pub cue: Option<String>,
    /// The intermediary the words came through ("KCNA").
    pub channel: Option<String>,
    /// `direct` (quote marks) or `indirect` (reported speech).
    pub kind: QuoteKind,
}

/// Direct or reported speech.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    /// Words inside quote marks.
    Direct,
    /// "said that …".
    Indirect,
}

/// A time expression with its normalised value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeMention {
    /// Article id.
    pub article: String,
    /// The expression as written.
    pub text: String,
    /// First character in the body.
    pub start: u32,
    /// One past the last character.
    pub end: u32,
    /// TIMEX3-style value: `2025-05-07`, `2025-W19`, `2025-Q4`, `2026-01`, `P3D`, `PAST_REF`.
    pub value: String,
    /// TIMEX3 type: `date`, `time`, `duration` or `set`.
    #[serde(rename = "type")]
    pub kind: String,
    /// For a duration anchored by the text ("a three-day tour through
    /// Saturday"): its first and last day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<(String, String)>,
}

/// An article with everything the per-article annotators found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnotatedArticle {
    /// The clean article.
    pub article: Article,
    /// Sentence spans.
    pub sentences: Vec<Span>,
    /// Named entities, aliases merged within the article.
    pub entities: Vec<LocalEntity>,
    /// Quotations.
    pub quotes: Vec<LocalQuote>,
    /// Time expressions.
    pub times: Vec<TimeMention>,
}

/// How two articles' texts relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RelationKind {
    /// The same text, up to trivial differences.
    Duplicate,
    /// The same text, trimmed or lightly edited.
    Syndicated,
    /// The same facts in the same order, reworded.
    Rewrite,
}

impl RelationKind {
    /// The contract name.
    pub fn as_str(&self) -> &'static str {
        match self {
            RelationKind::Duplicate => "duplicate",
            RelationKind::Syndicated => "syndicated",
            RelationKind::Rewrite => "rewrite",
        }
    }
}

/// A link between two articles. `a` is the likely original.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    /// Likely original.
    pub a: String,
    /// Likely copy.
    pub b: String,
    /// Kind of link.
    pub kind: RelationKind,
    /// Strength in `[0, 1]`.
    pub score: f32,
    /// Sentences of `a` and `b` that say the same thing, in order (at most
    /// 20): why the pages are linked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<AlignedSentences>,
}

/// A sentence of one article aligned with a sentence of another.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AlignedSentences {
    /// The sentence in the relation's `a` (character offsets in its body).
    pub a: Span,
    /// The sentence in the relation's `b`.
    pub b: Span,
    /// Their similarity (IDF-weighted word overlap).
    pub score: f32,
}

/// One real-world happening, told by one or more articles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Stable id (`e` + the id of its first article).
    pub id: String,
    /// Headline chosen from its articles.
    pub title: String,
    /// When it happened (`YYYY-MM-DD` or coarser), if known.
    pub date: Option<String>,
    /// Where the articles say so: the time expressions in their ledes that
    /// resolve to `date` (at most five).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub date_evidence: Vec<TimeMention>,
    /// Earliest publication date among its articles.
    pub reported: Option<String>,
    /// Member article ids.
    pub articles: Vec<String>,
    /// Distinct outlets.
    pub outlets: Vec<String>,
    /// A sentence or two from its articles.
    pub summary: String,
}

impl Event {
    /// When it happened, else when it was first reported.
    pub fn when(&self) -> Option<&str> {
        self.date.as_deref().or(self.reported.as_deref())
    }
}

/// Orders events as they happened: by [`Event::when`], undated last, then
/// by id.
pub fn chronological(a: &Event, b: &Event) -> std::cmp::Ordering {
    let (ka, kb) = (a.when(), b.when());
    ka.is_none()
        .cmp(&kb.is_none())
        .then(ka.cmp(&kb))
        .then(a.id.cmp(&b.id))
}

/// A thread of related events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Storyline {
    /// Stable id (`s` + the id of its first event's first article).
    pub id: String,
    /// Title, from its most central entities or its first event.
    pub title: String,
    /// Event ids in date order.
    pub events: Vec<String>,
}

/// A mention of an entity in one article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// Article id.
    pub article: String,
    /// First character.
    pub start: u32,
    /// One past the last character.
    pub end: u32,
}

/// An entity merged across articles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Stable id derived from the canonical name.
    pub id: String,
    /// Canonical name.
    pub name: String,
    /// Type.
    pub kind: EntityKind,
    /// Every other surface form.
    pub aliases: Vec<String>,
    /// Role or affiliation, if an apposition gave one.
    pub role: Option<String>,
    /// All mentions.
    pub mentions: Vec<Mention>,
}

/// A quotation, with its speaker resolved to a merged entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// `q` + article id + index.
    pub id: String,
    /// Article id.
    pub article: String,
    /// Quoted words.
    pub text: String,
    /// Entity id of the speaker.
    pub speaker: Option<String>,
    /// The speaker's canonical name (or as written when unresolved).
    pub speaker_name: Option<String>,
    /// Cue verb.
    pub cue: Option<String>,
    /// Intermediary.
    pub channel: Option<String>,
    /// `direct` or `indirect`.
    pub kind: QuoteKind,
    /// First character.
    pub start: u32,
    /// One past the last character.
    pub end: u32,
    /// Id shared by the same quote across articles.
    pub group: Option<String>,
    /// Within a group: `verbatim` if identical to the group's first member, else `altered`.
    pub variant: Option<String>,
    /// For an `altered` member: its words against the group's first member's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diff: Vec<WordEdit>,
}

/// One run of a word-level diff between two versions of a quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordEdit {
    /// `same`, `added` (only in this version) or `removed` (only in the
    /// group's first member).
    pub op: String,
    /// The words of the run, space-separated.
    pub words: String,
}

/// A problem with one input, reported without stopping the batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputError {
    /// The file (or `file:line`) at fault.
    pub source: String,
    /// What is wrong with it.
    pub message: String,
}

/// The whole output of a run: the JSON contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Clean articles.
    pub articles: Vec<Article>,
    /// Copies and rewrites.
    pub relations: Vec<Relation>,
    /// Happenings.
    pub events: Vec<Event>,
    /// Threads of events.
    pub storylines: Vec<Storyline>,
    /// Named entities merged across articles.
    pub entities: Vec<Entity>,
    /// Quotations.
    pub quotes: Vec<Quote>,
    /// Time expressions.
    pub times: Vec<TimeMention>,
    /// Inputs that could not be read.
    pub errors: Vec<InputError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charmap_counts_characters_not_bytes() {
        let text = "ąb “Kim” c";
        let map = CharMap::new(text);
        let b = text.find("Kim").unwrap();
        let span = map.span(b, b + 3);
        assert_eq!(slice_chars(text, span), "Kim");
        assert_eq!(map.char_at(text.len()), text.chars().count() as u32);
        assert_eq!(map.char_at(text.len() + 10), text.chars().count() as u32);
    }

    #[test]
    fn span_overlap() {
        let a = Span { start: 0, end: 5 };
        assert!(a.overlaps(&Span { start: 4, end: 9 }));
        assert!(!a.overlaps(&Span { start: 5, end: 9 }));
    }
}
