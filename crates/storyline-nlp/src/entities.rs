//! Named entities by rules: runs of capitalised words, typed by cue words,
//! gazetteers and context, with aliases merged inside the article
//! ("Kim Jong Un" … "Mr Kim" … "Kim"; "Korean Central News Agency (KNCA)" …
//! "KCNA").
//!
//! This is the first, rule-based recogniser; a trained model replaces the
//! typing step later (issue 6) behind the same output.

use std::collections::HashMap;

use storyline_model::{EntityKind, LocalEntity, Span};

/// A word with its byte range.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
}

/// Every word of a document lower-cased into one buffer: one allocation
/// per document instead of one per word (the tagger and the time parser
/// read each word's lower case many times).
pub(crate) struct Lowered {
    buf: String,
    /// Word `i` is `buf[at[i]..at[i + 1]]`.
    at: Vec<usize>,
}

impl Lowered {
    pub(crate) fn new(toks: &[Tok<'_>]) -> Lowered {
        let mut buf = String::with_capacity(toks.iter().map(|t| t.text.len()).sum());
        let mut at = Vec::with_capacity(toks.len() + 1);
        for t in toks {
            at.push(buf.len());
            buf.push_str(&storyline_model::words::lowercase(t.text));
        }
        at.push(buf.len());
        Lowered { buf, at }
    }

    /// Word `i` lower-cased ("" past the end).
    pub(crate) fn word(&self, i: usize) -> &str {
        match (self.at.get(i), self.at.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.buf[a..b],
            _ => "",
        }
    }
}

/// Splits into words (letters, digits, inner hyphens and apostrophes).
pub(crate) fn tokens(text: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let inner = matches!(c, '-' | '\'' | '’' | '.')
            && start.is_some()
            && iter.peek().is_some_and(|(_, n)| n.is_alphanumeric());
        if c.is_alphanumeric() || inner {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push(Tok {
                text: &text[s..i],
                start: s,
                end: i,
            });
        }
    }
    if let Some(s) = start {
        out.push(Tok {
            text: &text[s..],
            start: s,
            end: text.len(),
        });
    }
    out
}

/// Capitalised words that begin sentences or headlines but are not names.
pub(crate) const NOT_NAMES: &[&str] = &[
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "For",
    "But",
    "And",
    "Or",
    "If",
    "As",
    "It",
    "Its",
    "He",
    "She",
    "They",
    "We",
    "I",
    "You",
    "His",
    "Her",
    "Their",
    "Our",
    "This",
    "That",
    "These",
    "Those",
    "There",
    "Here",
    "When",
    "While",
    "After",
    "Before",
    "During",
    "Since",
    "Until",
    "Some",
    "Many",
    "Most",
    "More",
    "Other",
    "Such",
    "According",
    "However",
    "Meanwhile",
    "Also",
    "Yet",
    "So",
    "Then",
    "Now",
    "Why",
    "What",
    "Who",
    "How",
    "Where",
    "Which",
    "Experts",
    "Analysts",
    "Officials",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Read",
    "Next",
    "Last",
    "Earlier",
    "Later",
    "Following",
    "Accompanying",
    "Expressing",
    "Despite",
    "Under",
    "With",
    "Without",
    "From",
    "To",
    "By",
    "Of",
    "Over",
    "Not",
    "No",
    "Yes",
    "All",
    "Every",
    "Each",
    "Both",
    "State",
];

/// Titles that precede a person's name and are not part of it.
pub(crate) const TITLES: &[&str] = &[
    "Mr",
    "Mr.",
    "Mrs",
    "Mrs.",
    "Ms",
    "Ms.",
    "Dr",
    "Dr.",
    "Prof",
    "Prof.",
    "President",
    "Premier",
    "Chairman",
    "Chairwoman",
    "Minister",
    "Secretary",
    "General",
    "Gen.",
    "Gen",
    "Senator",
    "Sen.",
    "Rep.",
    "Governor",
    "Gov.",
    "Mayor",
    "Judge",
    "Justice",
    "King",
    "Queen",
    "Prince",
    "Princess",
    "Pope",
    "Sir",
    "Dame",
    "Lord",
    "Lady",
    "Chancellor",
    "Ambassador",
    "Adviser",
    "Advisor",
    "Director",
    "Commander",
    "Colonel",
    "Col.",
    "Captain",
    "Capt.",
    "Lieutenant",
    "Sergeant",
    "Professor",
    "Chief",
    "Deputy",
    "Vice",
    "Prime",
];

/// Lower-case words that say the next capitalised name is a person.
pub(crate) const PERSON_CUES_BEFORE: &[&str] = &[
    "leader",
    "president",
    "premier",
    "minister",
    "secretary",
    "chairman",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "analyst",
    "expert",
    "professor",
    "director",
    "adviser",
    "advisor",
    "official",
    "ambassador",
    "envoy",
    "governor",
    "mayor",
    "senator",
    "general",
    "commander",
    "chief",
    "ceo",
    "founder",
    "researcher",
    "economist",
    "author",
    "mr",
    "mrs",
    "ms",
    "dr",
];

/// Last words that make a name an organisation.
pub(crate) const ORG_WORDS: &[&str] = &[
    "Agency",
    "University",
    "Party",
    "Ministry",
    "Institute",
    "Commission",
    "Army",
    "Navy",
    "Council",
    "Committee",
    "Bank",
    "Company",
    "Corp",
    "Corporation",
    "Inc",
    "Ltd",
    "Group",
    "Association",
    "Forces",
    "Office",
    "Department",
    "News",
    "Times",
    "Post",
    "Daily",
    "Herald",
    "Organization",
    "Organisation",
    "Union",
    "Federation",
    "Court",
    "Parliament",
    "Assembly",
    "Government",
    "Police",
    "Authority",
    "Service",
    "Centre",
    "Center",
    "School",
    "College",
    "Foundation",
    "Fund",
    "Reuters",
    "Press",
    "Telegraph",
    "Guardian",
    "Journal",
    "Tribune",
    "Board",
    "Bureau",
    "Alliance",
    "Coalition",
    "Front",
    "Movement",
    "Network",
    "Studies",
    "Academy",
    "Society",
    "Club",
    "Airlines",
    "Airways",
    "Motors",
    "Industries",
    "Holdings",
    "Congress",
    "Senate",
    "Cabinet",
    "Secretariat",
    "Command",
    "Guard",
    "Guards",
    "Independent",
    "Enterprise",
    "Enterprises",
    "Factory",
    "Team",
];

/// Countries, regions and large cities often in the news.
pub(crate) const PLACES: &[&str] = &[
    "North Korea",
    "South Korea",
    "Korea",
    "Korean Peninsula",
    "Russia",
    "Ukraine",
    "China",
    "Japan",
    "Taiwan",
    "United States",
    "US",
    "U.S",
    "U.S.",
    "USA",
    "America",
    "United Kingdom",
    "UK",
    "Britain",
    "England",
    "Scotland",
    "Wales",
    "Ireland",
    "France",
    "Germany",
    "Italy",
    "Spain",
    "Portugal",
    "Netherlands",
    "Belgium",
    "Denmark",
    "Sweden",
    "Norway",
    "Finland",
    "Iceland",
    "Poland",
    "Austria",
    "Switzerland",
    "Czech Republic",
    "Hungary",
    "Romania",
    "Bulgaria",
    "Greece",
    "Turkey",
    "Iran",
    "Iraq",
    "Syria",
    "Israel",
    "Gaza",
    "Lebanon",
    "Jordan",
    "Egypt",
    "Saudi Arabia",
    "Yemen",
    "Qatar",
    "India",
    "Pakistan",
    "Afghanistan",
    "Bangladesh",
    "Vietnam",
    "Thailand",
    "Indonesia",
    "Philippines",
    "Malaysia",
    "Singapore",
    "Australia",
    "New Zealand",
    "Canada",
    "Mexico",
    "Brazil",
    "Argentina",
    "Chile",
    "Colombia",
    "Venezuela",
    "Peru",
    "Cuba",
    "Nigeria",
    "Kenya",
    "Ethiopia",
    "South Africa",
    "Sudan",
    "Libya",
    "Morocco",
    "Algeria",
    "Europe",
    "Asia",
    "Africa",
    "Middle East",
    "Seoul",
    "Pyongyang",
    "Tokyo",
    "Beijing",
    "Moscow",
    "Kyiv",
    "Kiev",
    "Washington",
    "London",
    "Paris",
    "Berlin",
    "Rome",
    "Madrid",
    "Brussels",
    "New York",
    "Los Angeles",
    "Crimea",
    "Hong Kong",
    "Shanghai",
    "Delhi",
    "Mumbai",
    "Jerusalem",
    "Tehran",
    "Baghdad",
    "Cairo",
    "Istanbul",
    "Ankara",
    "Warsaw",
    "Vienna",
    "Stockholm",
    "Oslo",
    "Copenhagen",
    "Helsinki",
    "Amsterdam",
    "Dublin",
    "Lisbon",
    "Athens",
];

/// Nationality and group adjectives.
pub(crate) const GROUPS: &[&str] = &[
    "North Korean",
    "South Korean",
    "Korean",
    "Russian",
    "Ukrainian",
    "Chinese",
    "Japanese",
    "American",
    "British",
    "French",
    "German",
    "Italian",
    "Spanish",
    "European",
    "Asian",
    "Iranian",
    "Israeli",
    "Palestinian",
    "Indian",
    "Pakistani",
    "Turkish",
    "Syrian",
    "Iraqi",
    "Western",
    "Anti-Western",
    "anti-Western",
    "Soviet",
    "Taiwanese",
    "Canadian",
    "Mexican",
    "Brazilian",
    "Australian",
    "Polish",
    "Swedish",
    "Danish",
    "Norwegian",
    "Finnish",
    "Dutch",
];

/// Lower-case connectors allowed inside an organisation or place name.
const CONNECTORS: &[&str] = &[
    "of", "for", "de", "du", "der", "von", "van", "and", "the", "on",
];

/// Whether a word is a title or honorific written before names
/// ("President", "Mr", "Dr.").
pub fn is_title(w: &str) -> bool {
    TITLES.contains(&w.trim_end_matches('.'))
}

fn is_cap(t: &str) -> bool {
    t.chars().next().is_some_and(char::is_uppercase)
}

fn is_acronym(t: &str) -> bool {
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    (2..=6).contains(&letters)
        && t.chars().all(|c| c.is_uppercase() || c == '.')
        && t.chars().any(char::is_alphabetic)
}

/// Strips a possessive "'s" / "’s".
pub(crate) fn base(t: &str) -> &str {
    t.strip_suffix("'s")
        .or_else(|| t.strip_suffix("’s"))
        .or_else(|| t.strip_suffix('\''))
        .or_else(|| t.strip_suffix('’'))
        .unwrap_or(t)
}

/// A name found in the text, before aliases are merged.
#[derive(Debug, Clone)]
struct Candidate {
    name: String,
    start: usize,
    end: usize,
    kind: EntityKind,
    /// A title or person cue stood right before it.
    person_cue: bool,
    /// It was followed by a parenthesised acronym: "Name (ACR)".
    defined_acronym: Option<(String, usize, usize)>,
}

/// Finds and merges the entities of `text`. Spans are byte ranges here;
/// the caller converts them to characters.
pub fn find(text: &str) -> Vec<LocalEntity> {
    find_with(text, Some(crate::ner::Model::shipped()))
}

/// [`find`] with a given tagger, or with the rules alone (`None`).
///
/// The tagger's names come first; the rules' capitalised runs fill in
/// where it found nothing (nationalities, events, names it missed), keeping
/// their own kinds.
pub fn find_with(text: &str, model: Option<&crate::ner::Model>) -> Vec<LocalEntity> {
    let toks = tokens(text);
    find_in(text, &toks, &Lowered::new(&toks), model)
}

/// [`find_with`], given the words of `text` and their lower case.
pub(crate) fn find_in(
    text: &str,
    toks: &[Tok<'_>],
    lowered: &Lowered,
    model: Option<&crate::ner::Model>,
) -> Vec<LocalEntity> {
    let mut cands = candidates(text, toks);
    if let Some(model) = model.filter(|m| !m.is_empty()) {
        let mut tagged: Vec<Candidate> = model
            .find_in(text, toks, lowered)
            .into_iter()
            .filter_map(|f| tagged_candidate(text, toks, f))
            .collect();
        let overlaps = Overlaps::new(tagged.iter().map(|t| (t.start, t.end)));
        cands.retain(|c| !overlaps.any(c.start, c.end));
        // Where the tagger saw no name, a bare capitalised pair is not
        // taken for a person without a title or cue.
        for c in &mut cands {
            if c.kind == EntityKind::Person && !c.person_cue {
                c.kind = EntityKind::Other;
            }
        }
        cands.append(&mut tagged);
    }
    // A name is a few words. A longer span is a heading, a list or a run of
    // capitalised words in hostile text (one run of 400 made a 2,799-
    // character "name"), and it would be a name in every list, page and
    // API cursor of the store.
    cands.retain(|c| name_sized(&c.name));
    cands.sort_by_key(|c| c.start);
    let mut ents = merge(text, cands);
    descriptions(text, toks, &mut ents);
    ents
}

/// Byte ranges, to ask whether any overlaps a given one in logarithmic
/// time: comparing every candidate with every tagged name (or every
/// sentence with every quotation) made a page of many names quadratic.
pub(crate) struct Overlaps {
    /// The ranges by start.
    spans: Vec<(usize, usize)>,
    /// The furthest end among the ranges up to each.
    reach: Vec<usize>,
}

impl Overlaps {
    pub(crate) fn new(ranges: impl Iterator<Item = (usize, usize)>) -> Overlaps {
        let mut spans: Vec<(usize, usize)> = ranges.collect();
        spans.sort_unstable();
        let reach = spans
            .iter()
            .scan(0, |m, &(_, end)| {
                *m = end.max(*m);
                Some(*m)
            })
            .collect();
        Overlaps { spans, reach }
    }

    /// Whether a range overlaps `start..end`: one starts before `end`
    /// and ends after `start`.
    pub(crate) fn any(&self, start: usize, end: usize) -> bool {
        let before_end = self.spans.partition_point(|&(s, _)| s < end);
        before_end > 0 && self.reach[before_end - 1] > start
    }
}

/// Longest name kept, in words and in characters: "the Supreme People's
/// Assembly of the Democratic People's Republic of Korea" is 11 and 70.
const MAX_NAME_WORDS: usize = 12;
const MAX_NAME_CHARS: usize = 120;

fn name_sized(name: &str) -> bool {
    name.chars().count() <= MAX_NAME_CHARS && name.split_whitespace().count() <= MAX_NAME_WORDS
}

/// Words that may qualify a role in a description ("the former North
/// Korean leader").
const DESCRIPTION_MODIFIERS: &[&str] = &[
    "former", "new", "veteran", "top", "young", "late", "current", "outgoing", "incoming",
    "acting", "deputy", "senior", "chief",
];

/// "the North Korean leader", "the minister" after a person was introduced
/// with that role ("North Korean leader Kim Jong Un", "Lind, a shipping
/// analyst, …"): the description becomes a mention and alias of that person
/// (the latest one so introduced before it).
fn descriptions(text: &str, toks: &[Tok<'_>], ents: &mut [LocalEntity]) {
    // Per person: the role words written right before its mentions, and
    // those of its apposition.
    let mut roles: Vec<(usize, usize, String)> = Vec::new(); // (entity, mention start, role)
    for (k, e) in ents.iter().enumerate() {
        if e.kind != EntityKind::Person {
            continue;
        }
        for m in &e.mentions {
            let at = toks.partition_point(|t| t.start < m.start as usize);
            for t in &toks[at.saturating_sub(2)..at] {
                let w = t.text.to_lowercase();
                if PERSON_CUES_BEFORE.contains(&w.as_str()) {
                    roles.push((k, m.start as usize, w));
                }
            }
        }
        if let Some(r) = &e.role {
            for w in r.split_whitespace() {
                let w = w
                    .trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase();
                if PERSON_CUES_BEFORE.contains(&w.as_str()) {
                    let first = e.mentions.first().map_or(0, |m| m.start as usize);
                    roles.push((k, first, w));
                }
            }
        }
    }
    if roles.is_empty() {
        return;
    }
    let mut found: Vec<(usize, Span, String)> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if t.text != "the" && t.text != "The" {
            continue;
        }
        let mut j = i + 1;
        while j < toks.len()
            && j - i <= 4
            && (DESCRIPTION_MODIFIERS.contains(&toks[j].text)
                || is_cap(toks[j].text) && !PERSON_CUES_BEFORE.contains(&toks[j].text))
            && text[toks[j - 1].end..toks[j].start] == *" "
        {
            j += 1;
        }
        let Some(noun) = toks.get(j) else { continue };
        if text[toks[j - 1].end..noun.start] != *" " || !PERSON_CUES_BEFORE.contains(&noun.text) {
            continue;
        }
        // "the leader Kim Jong Un": a cue before a name, not a description.
        if toks
            .get(j + 1)
            .is_some_and(|n| is_cap(n.text) && text[noun.end..n.start] == *" ")
        {
            continue;
        }
        let target = roles
            .iter()
            .filter(|(_, at, role)| *at < t.start && role == noun.text)
            .max_by_key(|(_, at, _)| *at)
            .map(|(k, _, _)| *k);
        if let Some(k) = target {
            let span = Span {
                start: t.start as u32,
                end: noun.end as u32,
            };
            found.push((k, span, text[t.start..noun.end].to_string()));
        }
    }
    for (k, span, alias) in found {
        let e = &mut ents[k];
        if !e.mentions.contains(&span) {
            e.mentions.push(span);
            e.mentions.sort();
        }
        let alias = alias
            .strip_prefix("The ")
            .map_or(alias.clone(), |r| format!("the {r}"));
        if !e.aliases.contains(&alias) {
            e.aliases.push(alias);
        }
    }
}

/// Last words that make a name an organisation whatever the tagger says
/// (places such as centres, schools and courts are left to it).
const ORG_HEADS: &[&str] = &[
    "Agency",
    "Service",
    "Authority",
    "Ministry",
    "Party",
    "Council",
    "Committee",
    "Commission",
    "Bank",
    "Company",
    "Corporation",
    "Corp",
    "Inc",
    "Ltd",
    "Association",
    "Federation",
    "Foundation",
    "Organization",
    "Organisation",
    "Department",
    "Bureau",
    "Board",
    "Institute",
];

/// A tagged span as a candidate: a leading "the" and titles left out (a
/// title makes it a person cue, as with the rules), an acronym defined in
/// parentheses right after it noted.
fn tagged_candidate(text: &str, toks: &[Tok<'_>], f: crate::ner::Found) -> Option<Candidate> {
    let mut start = f.start;
    let mut person_cue = false;
    loop {
        let rest = &text[start..f.end];
        let Some((w, after)) = rest.split_once(' ') else {
            break;
        };
        if w == "the" || w == "The" {
            start = f.end - after.len();
        } else if is_title(w) {
            person_cue = true;
            start = f.end - after.len();
        } else {
            break;
        }
    }
    let name = text[start..f.end].to_string();
    if name.chars().count() < 2 || NOT_NAMES.contains(&name.as_str()) {
        return None;
    }
    // The word before the name (words are in order: a binary search, where
    // a scan per name made a page of many names quadratic).
    if let Some(k) = toks.partition_point(|t| t.end <= f.start).checked_sub(1) {
        let prev = toks[k].text.to_lowercase();
        person_cue |=
            is_title(toks[k].text) || PERSON_CUES_BEFORE.contains(&prev.trim_end_matches('.'));
    }
    // The gazetteers settle what the tagger learnt from GUM's habit of
    // calling countries organisations when they act ("North Korea said").
    let kind = if PLACES.contains(&name.as_str()) {
        EntityKind::Place
    } else if GROUPS.contains(&name.as_str()) {
        EntityKind::Group
    } else if name.contains(' ')
        && name
            .rsplit(' ')
            .next()
            .is_some_and(|w| ORG_HEADS.contains(&w))
    {
        // "… Weather Service", "… Port Authority": named by what they are.
        EntityKind::Organization
    } else {
        f.kind
    };
    Some(Candidate {
        defined_acronym: defined_acronym(text, f.end),
        name,
        start,
        end: f.end,
        kind,
        person_cue,
    })
}

/// "Name (ACR)": an acronym defined right after a name ending at `end`.
fn defined_acronym(text: &str, end: usize) -> Option<(String, usize, usize)> {
    text[end..].strip_prefix(" (").and_then(|r| {
        let close = r.find(')')?;
        let acr = &r[..close];
        is_acronym(acr).then(|| {
            let s = end + 2;
            (acr.to_string(), s, s + acr.len())
        })
    })
}

fn candidates(text: &str, toks: &[Tok<'_>]) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if !is_cap(toks[i].text) {
            i += 1;
            continue;
        }
        // Grow a run of capitalised words, allowing connectors between them
        // and no punctuation other than spaces.
        let mut j = i + 1;
        let mut last_cap = i;
        while j < toks.len() {
            let gap = &text[toks[j - 1].end..toks[j].start];
            // Plural possessives stay inside a name: "Workers' Party".
            let plain_gap =
                gap == " " || (gap == "' " || gap == "’ ") && toks[j - 1].text.ends_with('s');
            // "Korean People's Army": a possessive inside an organisation name.
            let org_after_possessive = gap == " " && ORG_WORDS.contains(&toks[j].text);
            let possessive = toks[j - 1].text.ends_with("'s") || toks[j - 1].text.ends_with("’s");
            if !plain_gap || possessive && !org_after_possessive {
                break;
            }
            if is_cap(toks[j].text) {
                last_cap = j;
                j += 1;
            } else if CONNECTORS.contains(&toks[j].text)
                && j + 1 < toks.len()
                && is_cap(toks[j + 1].text)
            {
                j += 1;
            } else {
                break;
            }
        }
        let start_idx = i;
        let run = &toks[i..=last_cap];
        i = last_cap + 1;
        emit(text, toks, start_idx, run, &mut out);
    }
    out
}

/// Turns one capitalised run into zero or more candidates: drops leading
/// non-name words and titles, splits off a known place or group prefix
/// ("North Korean leader" is handled by the caller's run breaking on the
/// lower-case "leader"; "North Korean Kim" is not split).
fn emit(text: &str, all: &[Tok<'_>], run_at: usize, run: &[Tok<'_>], out: &mut Vec<Candidate>) {
    let mut s = 0;
    let mut person_cue = false;
    while s < run.len()
        && (NOT_NAMES.contains(&run[s].text)
            || TITLES.contains(&run[s].text)
            || !is_cap(run[s].text))
    {
        person_cue |= TITLES.contains(&run[s].text);
        s += 1;
    }
    // Trailing connectors ("of") cannot end a name.
    let mut e = run.len();
    while e > s && !is_cap(run[e - 1].text) {
        e -= 1;
    }
    if s >= e {
        return;
    }
    let run = &run[s..e];
    let start = run[0].start;
    let mut end = run[run.len() - 1].end;
    let mut name = text[start..end].to_string();
    let stripped = base(&name).len();
    if stripped < name.len() {
        end -= name.len() - stripped;
        name.truncate(stripped);
    }
    if name.chars().count() < 2 {
        return;
    }
    // Context: the word before the run (lower case person cue) and after.
    let idx = run_at + s;
    if idx > 0 {
        let prev = all[idx - 1].text.to_lowercase();
        person_cue |= PERSON_CUES_BEFORE.contains(&prev.trim_end_matches('.'));
    }
    // "Olav Strand told …": a multi-word name right before a speech verb.
    let next = all.get(run_at + s + run.len());
    person_cue |= run.len() >= 2
        && next.is_some_and(|n| {
            text[end..n.start].trim().is_empty()
                && matches!(
                    n.text,
                    "said" | "says" | "told" | "tells" | "added" | "wrote"
                )
        });
    // "Name (ACR)": an acronym defined right after the name.
    let defined_acronym = defined_acronym(text, end);
    let kind = classify(&name, person_cue);
    out.push(Candidate {
        name,
        start,
        end,
        kind,
        person_cue,
        defined_acronym,
    });
}

fn classify(name: &str, person_cue: bool) -> EntityKind {
    let words: Vec<&str> = name.split_whitespace().collect();
    let last = words.last().copied().unwrap_or("");
    if PLACES.contains(&name) {
        return EntityKind::Place;
    }
    if GROUPS.contains(&name) {
        return EntityKind::Group;
    }
    if ORG_WORDS.contains(&last)
        || words.len() > 1
            && words.iter().any(|w| {
                matches!(
                    *w,
                    "Ministry" | "University" | "Party" | "Agency" | "Institute"
                )
            })
    {
        return EntityKind::Organization;
    }
    if is_acronym(name) {
        return EntityKind::Organization;
    }
    // Holidays, wars, battles: named, but neither people nor places.
    if matches!(last, "Day" | "War" | "II" | "I" | "Eve") || words.first() == Some(&"Battle") {
        return EntityKind::Other;
    }
    if person_cue {
        return EntityKind::Person;
    }
    if (2..=4).contains(&words.len()) && words.iter().all(|w| is_cap(w) && !is_acronym(w)) {
        return EntityKind::Person;
    }
    EntityKind::Other
}

const KIND_ORDER: [EntityKind; 5] = [
    EntityKind::Person,
    EntityKind::Organization,
    EntityKind::Place,
    EntityKind::Group,
    EntityKind::Other,
];

fn kind_index(k: EntityKind) -> usize {
    KIND_ORDER.iter().position(|&x| x == k).unwrap_or(4)
}

/// Folds case, hyphens, apostrophes and spaces: "Kim Jong-un" and
/// "Kim Jong Un" get the same key.
pub fn name_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Name parts, with hyphenated given names split: "Kim Jong-un" → kim, jong, un.
fn parts(name: &str) -> Vec<String> {
    name.split(|c: char| c.is_whitespace() || c == '-')
        .filter(|p| !p.is_empty())
        .map(name_key)
        .collect()
}

/// Initials of the capitalised words: "Workers' Party of Korea" → "WPK".
fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter(|w| is_cap(w))
        .filter_map(|w| w.chars().next())
        .collect()
}

/// Whether `acr` can abbreviate `name`: it starts with the name's first
/// initial and at least two thirds of its letters (two at least, each
/// counted once) are initials of the name's capitalised words — "KNCA", a
/// misspelling, abbreviates "Korean Central News Agency", "BSWW" "Baltic
/// Weather Service", but "EIAJ" does not abbreviate "Japan", the part of
/// "Electronic Industries Association of Japan" a tagger may find.
pub fn acronym_fits(acr: &str, name: &str) -> bool {
    let mut initials: Vec<char> = initials(name)
        .chars()
        .flat_map(char::to_uppercase)
        .collect();
    let letters: Vec<char> = acr.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.first() != initials.first() || letters.len() > initials.len() + 1 {
        return false;
    }
    let mut hits = 0;
    for c in &letters {
        if let Some(k) = initials.iter().position(|i| i == c) {
            initials.swap_remove(k);
            hits += 1;
        }
    }
    hits >= 2 && 3 * hits >= 2 * letters.len()
}

/// Whether two names seen as one entity in an article can stand for each
/// other in every article: one is an acronym of three letters or more
/// that fits the other, or the
/// shorter has two words or more and all its words are in the longer
/// ("Gerhard Stoltenberg", "Finance Minister Gerhard Stoltenberg").
/// Descriptions ("the former spokesman") and single words ("Corp") are
/// aliases only where they were written: taken everywhere, each wrong
/// reading in one article joins two entities, and over a large corpus
/// they chain unrelated names into one (100k synthetic Reuters pages: one
/// "Japan" of 69,605 mentions with "ACP", "AWB", "Andy" among its aliases).
pub fn alias_fits(name: &str, alias: &str) -> bool {
    // Two letters fit too many names ("EC": "European Community", "Ethyl
    // Corp"; "US": "United Steelworkers").
    let long_acronym = |a: &str| a.chars().filter(|c| c.is_alphabetic()).count() >= 3;
    if is_acronym(alias) {
        return long_acronym(alias) && acronym_fits(alias, name);
    }
    if is_acronym(name) {
        return long_acronym(name) && acronym_fits(name, alias);
    }
    let words = |s: &str| -> Vec<String> {
        s.split_whitespace()
            .map(name_key)
            .filter(|w| !w.is_empty())
            .collect()
    };
    let (a, b) = (words(name), words(alias));
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 2 && short.iter().all(|w| long.contains(w))
}

fn merge(text: &str, cands: Vec<Candidate>) -> Vec<LocalEntity> {
    let mut ents: Vec<LocalEntity> = Vec::new();
    let mut person_votes: Vec<bool> = Vec::new();
    // Per entity, how often each kind was read for its mentions.
    let mut kind_votes: Vec<[u32; 5]> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    // Acronyms defined in parentheses, to the entity they abbreviate.
    let mut defined: HashMap<String, usize> = HashMap::new();
    // Indexes that keep alias lookup linear in the number of candidates:
    // persons by first and last name part, organisations by initials, and
    // each entity's mention starts, sorted.
    let mut by_part: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_initials: HashMap<String, usize> = HashMap::new();
    let mut starts: Vec<Vec<u32>> = Vec::new();

    // Longest names first, so that short forms find their full form
    // wherever it appears in the article.
    let mut order: Vec<usize> = (0..cands.len()).collect();
    order.sort_by_key(|&i| {
        (
            std::cmp::Reverse(cands[i].name.split_whitespace().count()),
            cands[i].start,
        )
    });

    let mut assigned: Vec<Option<usize>> = vec![None; cands.len()];
    for &ci in &order {
        let c = &cands[ci];
        let key = name_key(&c.name);
        let target = by_key
            .get(&key)
            .copied()
            .or_else(|| defined.get(&c.name).copied())
            .or_else(|| {
                // Acronym of a known organisation's name.
                if is_acronym(&c.name) {
                    let acr: String = c.name.chars().filter(|ch| ch.is_alphabetic()).collect();
                    return by_initials.get(&acr).copied();
                }
                // A single name part of a known person: "Kim" for "Kim Jong Un",
                // "Cheong" for "Cheong Seong Chang", "Lind" for "Ana Lind".
                let p = parts(&c.name);
                if p.len() == 1 && c.kind != EntityKind::Place && c.kind != EntityKind::Group {
                    let matches = by_part.get(&p[0])?;
                    // The nearest full mention before this one wins; else the first.
                    let latest_before = |i: usize| {
                        let k = starts[i].partition_point(|&s| (s as usize) < c.start);
                        k.checked_sub(1).map(|k| starts[i][k])
                    };
                    let before = matches
                        .iter()
                        .copied()
                        .filter_map(|i| latest_before(i).map(|s| (s, i)))
                        .max()
                        .map(|(_, i)| i);
                    return before.or(matches.first().copied());
                }
                None
            });
        let idx = match target {
            Some(t) => {
                let e = &mut ents[t];
                if c.name != e.name && !e.aliases.contains(&c.name) {
                    e.aliases.push(c.name.clone());
                }
                person_votes[t] |= c.person_cue;
                kind_votes[t][kind_index(c.kind)] += 1;
                t
            }
            None => {
                ents.push(LocalEntity {
                    name: c.name.clone(),
                    kind: c.kind,
                    aliases: Vec::new(),
                    mentions: Vec::new(),
                    role: None,
                });
                person_votes.push(c.person_cue);
                let mut votes = [0; 5];
                votes[kind_index(c.kind)] += 1;
                kind_votes.push(votes);
                starts.push(Vec::new());
                let idx = ents.len() - 1;
                let p = parts(&c.name);
                if c.kind == EntityKind::Person && p.len() >= 2 {
                    for part in [&p[0], &p[p.len() - 1]] {
                        let list = by_part.entry(part.clone()).or_default();
                        // Only this entity's other part can have put it
                        // there, last (a scan of the list made a page naming
                        // thousands of Kims quadratic).
                        if list.last() != Some(&idx) {
                            list.push(idx);
                        }
                    }
                }
                if c.kind == EntityKind::Organization && c.name.split_whitespace().count() >= 2 {
                    by_initials.entry(initials(&c.name)).or_insert(idx);
                }
                idx
            }
        };
        ents[idx].mentions.push(Span {
            start: c.start as u32,
            end: c.end as u32,
        });
        let at = starts[idx].partition_point(|&s| s < c.start as u32);
        starts[idx].insert(at, c.start as u32);
        by_key.entry(key).or_insert(idx);
        if let Some((acr, _, _)) = &c.defined_acronym {
            // "Japan (EIAJ)" where the tagger found only the last word of
            // a longer name: the acronym is not this entity's.
            if acronym_fits(acr, &c.name) {
                defined.insert(acr.clone(), idx);
            }
        }
        assigned[ci] = Some(idx);
    }

    for (i, e) in ents.iter_mut().enumerate() {
        e.mentions.sort();
        // One kind per name in a document: the one most of its mentions
        // were read as (names over "other"; ties keep the first reading).
        let votes = kind_votes[i];
        let best = (0..4).max_by_key(|&k| (votes[k], k == kind_index(e.kind)));
        if let Some(k) = best.filter(|&k| votes[k] > 0) {
            if votes[k] > votes[kind_index(e.kind)] || e.kind == EntityKind::Other {
                e.kind = KIND_ORDER[k];
            }
        }
        if person_votes[i] && e.kind == EntityKind::Other {
            e.kind = EntityKind::Person;
        }
        if e.kind == EntityKind::Person {
            e.role = apposition(text, &e.mentions);
        }
    }
    // Drop one-off single words we could not type: mostly capitalised common
    // words at sentence starts.
    ents.retain(|e| {
        !(e.kind == EntityKind::Other && e.mentions.len() == 1 && !e.name.contains(' '))
    });
    ents
}

/// "Park Won-gon, a North Korea expert at Ewha Womans University, said" →
/// "a North Korea expert at Ewha Womans University".
fn apposition(text: &str, mentions: &[Span]) -> Option<String> {
    for m in mentions {
        let rest = &text[m.end as usize..];
        let Some(rest) = rest.strip_prefix(", ") else {
            continue;
        };
        // The article's first word only, not the rest of the page.
        let starts = |w: &str| crate::starts_with_ignore_ascii_case(rest, w);
        if !(starts("a ") || starts("an ") || starts("the ")) {
            continue;
        }
        let end = rest.find([',', '.', ';', '\n']).unwrap_or(rest.len());
        let role = rest[..end].trim();
        let words = role.split_whitespace().count();
        if (2..=15).contains(&words) {
            return Some(role.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlaps_answer_as_comparing_every_range_would() {
        let mut r = crate::test_rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..300 {
            let ranges: Vec<(usize, usize)> = (0..r(12))
                .map(|_| {
                    let a = r(50);
                    (a, a + r(8))
                })
                .collect();
            let overlaps = Overlaps::new(ranges.iter().copied());
            for start in 0..60 {
                for end in start..start + 6 {
                    let every = ranges.iter().any(|&(s, e)| s < end && start < e);
                    assert_eq!(overlaps.any(start, end), every, "{ranges:?} {start}..{end}");
                }
            }
        }
    }

    fn ent<'a>(ents: &'a [LocalEntity], name: &str) -> &'a LocalEntity {
        ents.iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} not in {ents:#?}"))
    }

    #[test]
    fn people_places_orgs_and_aliases() {
        let text = "Harbour master Olav Strand said the Nordvik Port Authority (NPA) would reopen the quay. \
Mr Strand told Reuters that the NPA had asked the Ministry of Transport for funds. \
Ana Lind, a shipping analyst at Nordic Maritime Institute, said Norway would pay. Strand agreed.";
        let ents = find(text);
        let strand = ent(&ents, "Olav Strand");
        assert_eq!(strand.kind, EntityKind::Person);
        assert_eq!(strand.mentions.len(), 3);
        assert!(strand.aliases.contains(&"Strand".to_string()));
        let npa = ent(&ents, "Nordvik Port Authority");
        assert_eq!(npa.kind, EntityKind::Organization);
        assert_eq!(npa.mentions.len(), 3, "{npa:?}");
        assert_eq!(
            ent(&ents, "Ministry of Transport").kind,
            EntityKind::Organization
        );
        assert_eq!(ent(&ents, "Norway").kind, EntityKind::Place);
        let lind = ent(&ents, "Ana Lind");
        assert_eq!(
            lind.role.as_deref(),
            Some("a shipping analyst at Nordic Maritime Institute")
        );
    }

    #[test]
    fn an_apposition_starts_with_an_article_in_any_case() {
        let role = |text: &str| {
            let end = text.find(',').unwrap() as u32;
            apposition(text, &[Span { start: 0, end }])
        };
        assert_eq!(
            role("Ana Lind, The chief analyst at Nordic Maritime, said so.").as_deref(),
            Some("The chief analyst at Nordic Maritime")
        );
        assert_eq!(
            role("Ana Lind, AN analyst at the port, said so.").as_deref(),
            Some("AN analyst at the port")
        );
        // The article is a whole word.
        assert_eq!(role("Ana Lind, another analyst, said so."), None);
        assert_eq!(role("Ana Lind, theatre critic, said so."), None);
    }

    #[test]
    fn misspelt_defined_acronym_and_initials() {
        let text = "The Baltic Weather Service (BSWW) issued a warning. Later the BWS said the storm had passed.";
        let ents = find(text);
        let s = ent(&ents, "Baltic Weather Service");
        assert!(s.aliases.contains(&"BSWW".to_string()));
        assert!(s.aliases.contains(&"BWS".to_string()));
        assert_eq!(s.mentions.len(), 3);
    }

    #[test]
    fn descriptions_after_the_name_are_aliases() {
        let text = "Port spokesman Olav Strand opened the quay on Monday. \
The former spokesman said the repairs were done. The minister did not come.";
        let ents = find(text);
        let strand = ent(&ents, "Olav Strand");
        assert!(
            strand.aliases.contains(&"the former spokesman".to_string()),
            "{strand:?}"
        );
        assert_eq!(strand.mentions.len(), 2);
        // Nobody was introduced as a minister.
        assert!(ents
            .iter()
            .all(|e| !e.aliases.iter().any(|a| a.contains("minister"))));
    }

    #[test]
    fn acronyms_and_aliases_must_fit_the_name() {
        assert!(acronym_fits("KCNA", "Korean Central News Agency"));
        assert!(acronym_fits("KNCA", "Korean Central News Agency"));
        assert!(acronym_fits("BSWW", "Baltic Weather Service"));
        assert!(acronym_fits("USDA", "U.S. Department of Agriculture"));
        assert!(!acronym_fits("EIAJ", "Japan"));
        assert!(!acronym_fits("FHLBB", "Japan"));
        assert!(!acronym_fits("ACP", "Agricola"));
        // Same letters, wrong first one.
        assert!(!acronym_fits("NKCA", "Korean Central News Agency"));
        assert!(alias_fits("Korean Central News Agency", "KNCA"));
        assert!(alias_fits("KCNA", "Korean Central News Agency"));
        assert!(alias_fits(
            "Gerhard Stoltenberg",
            "Finance Minister Gerhard Stoltenberg"
        ));
        assert!(!alias_fits("Olav Strand", "the former spokesman"));
        assert!(!alias_fits("Commodity Credit Corp", "Corp"));
        assert!(!alias_fits("Reuters", "Alan Greenspan"));
        assert!(!alias_fits("EC", "Ethyl Corp"));
        // In an article, an acronym after a part of a longer name is not
        // taken for it.
        let ents = find(
            "The national electronics association of Norway (EAN) met in Oslo. Norway exports fell, the EAN said.",
        );
        assert!(ents
            .iter()
            .filter(|e| e.name == "Norway")
            .all(|e| !e.aliases.contains(&"EAN".to_string())));
    }

    #[test]
    fn a_run_of_capitalised_words_longer_than_a_name_is_no_name() {
        let run: Vec<String> = (0..400)
            .map(|i| format!("Word{}x", char::from(b'A' + (i % 26) as u8)))
            .collect();
        let text = format!(
            "The minister met {} on Tuesday in Paris. Kim Jong Un was not there.",
            run.join(" ")
        );
        let names: Vec<String> = find(&text).into_iter().map(|e| e.name).collect();
        assert!(names.iter().all(|n| name_sized(n)), "{names:?}");
        assert!(names.iter().any(|n| n == "Paris"), "{names:?}");
        assert!(names.iter().any(|n| n == "Kim Jong Un"), "{names:?}");
    }

    #[test]
    fn keys_fold_hyphens_and_case() {
        assert_eq!(name_key("Kim Jong-un"), name_key("Kim Jong Un"));
        assert_eq!(name_key("Park Won gon"), name_key("Park Won-gon"));
    }
}
