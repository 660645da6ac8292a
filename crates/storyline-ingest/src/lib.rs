//! Reading raw pages: files, directories, JSONL and gzip, in any encoding.
//!
//! [`read_paths`] walks what the user named (directories recursively, in a
//! stable sorted order) and yields one `Result<RawDoc, IngestError>` per page,
//! so that one unreadable file never stops a batch. Every [`RawDoc`] carries
//! decoded UTF-8 text and a content hash used to skip pages already seen.
//!
//! ```
//! use storyline_ingest::{decode_bytes, PageKind};
//! // Windows-1252 "café" is not UTF-8; the detector finds the encoding.
//! let (text, enc) = decode_bytes(b"Le caf\xe9 du coin est ouvert depuis des ann\xe9es.", PageKind::Text);
//! assert!(text.contains("café"));
//! assert_eq!(enc, "windows-1252");
//! ```
#![deny(missing_docs)]

mod feed;
pub mod synthetic;
mod warc;

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::Deserialize;

/// Largest page (after decompression) we accept, in bytes. Bounds memory per
/// document; a larger file is reported, not truncated silently.
pub const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;

/// Markup or flattened text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// HTML.
    Html,
    /// Plain text.
    Text,
}

/// One page as read from the input, decoded to UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDoc {
    /// Where it came from: the path, or `path:line` for JSONL.
    pub source: String,
    /// Markup or text.
    pub kind: PageKind,
    /// The decoded page.
    pub content: String,
    /// Page URL, if the input gave one.
    pub url: Option<String>,
    /// Publication date or timestamp, as the input gave it.
    pub published: Option<String>,
    /// Outlet name, if the input gave one.
    pub outlet: Option<String>,
    /// Headline, if the input gave one.
    pub title: Option<String>,
    /// Encoding the bytes were decoded from.
    pub encoding: &'static str,
    /// 128-bit content hash (hex) of the decoded content.
    pub hash: String,
}

impl RawDoc {
    /// Builds a document from text, computing its hash.
    pub fn new(source: impl Into<String>, kind: PageKind, content: String) -> Self {
        let hash = content_hash(&content);
        RawDoc {
            source: source.into(),
            kind,
            content,
            url: None,
            published: None,
            outlet: None,
            title: None,
            encoding: "utf-8",
            hash,
        }
    }

    /// The stable article id: `a` + the first 12 hex digits of the hash.
    pub fn article_id(&self) -> String {
        format!("a{}", &self.hash[..12])
    }
}

/// Hash of a page's content. Whitespace runs are folded first so that a page
/// saved twice with different line endings counts as the same page.
pub fn content_hash(content: &str) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    // Each run of non-whitespace followed by one space, fed in chunks (the
    // streaming digest does not depend on where chunks end). One pass over
    // the bytes: ASCII is classified by value, and only other characters
    // are decoded. Whitespace is `char::is_whitespace`.
    let bytes = content.as_bytes();
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut in_word = false;
    let mut i = 0;
    let ascii_space = |b: u8| matches!(b, b' ' | b'\t'..=b'\r');
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 && !ascii_space(b) {
            // A run of ASCII non-space bytes at once (raw HTML is mostly
            // that); a long one goes to the digest without a copy.
            let start = i;
            while i < bytes.len() && bytes[i] < 0x80 && !ascii_space(bytes[i]) {
                i += 1;
            }
            let run = &bytes[start..i];
            if run.len() >= 512 {
                h.update(&buf);
                buf.clear();
                h.update(run);
            } else {
                buf.extend_from_slice(run);
            }
            in_word = true;
        } else {
            let (len, space) = if b < 0x80 {
                (1, true)
            } else {
                let c = content[i..].chars().next().unwrap_or(' ');
                (c.len_utf8(), c.is_whitespace())
            };
            if space {
                if in_word {
                    buf.push(b' ');
                    in_word = false;
                }
            } else {
                buf.extend_from_slice(&bytes[i..i + len]);
                in_word = true;
            }
            i += len;
        }
        if buf.len() >= 8000 {
            h.update(&buf);
            buf.clear();
        }
    }
    if in_word {
        buf.push(b' ');
    }
    h.update(&buf);
    format!("{:032x}", h.digest128())
}

/// Why a page could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IngestErrorKind {
    /// The OS refused.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// Nothing but whitespace.
    #[error("empty file")]
    Empty,
    /// NUL bytes or mostly control characters.
    #[error("binary data, not a text or HTML page")]
    Binary,
    /// Over [`MAX_PAGE_BYTES`].
    #[error("page larger than {} MiB", MAX_PAGE_BYTES / (1024 * 1024))]
    TooLarge,
    /// Broken gzip stream.
    #[error("corrupt gzip data: {0}")]
    Gzip(std::io::Error),
    /// A JSONL line that is not a JSON object of the expected shape.
    #[error("invalid JSON: {0}")]
    Json(String),
    /// A JSONL object without `html` or `text`.
    #[error("JSON object has neither an \"html\" nor a \"text\" field")]
    NoContent,
    /// A WARC archive that is malformed or truncated at this record.
    #[error("bad WARC: {0}")]
    Warc(String),
    /// An RSS/Atom/JSON feed that does not parse.
    #[error("not a readable feed: {0}")]
    Feed(String),
    /// An extension we do not read.
    #[error("unsupported file type (expected .txt, .html, .htm, .jsonl, .warc, .rss, .atom, .xml, or .gz of one)")]
    Unsupported,
}

/// A page that could not be read, with where it came from.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {kind}")]
pub struct IngestError {
    /// Path, or `path:line`.
    pub source_name: String,
    /// What went wrong.
    pub kind: IngestErrorKind,
}

impl IngestErrorKind {
    /// A read error: the gzip stream's when the input is compressed.
    fn read(e: std::io::Error, gz: bool) -> Self {
        if gz {
            IngestErrorKind::Gzip(e)
        } else {
            IngestErrorKind::Io(e)
        }
    }
}

impl IngestError {
    fn new(source_name: impl Into<String>, kind: IngestErrorKind) -> Self {
        IngestError {
            source_name: source_name.into(),
            kind,
        }
    }
}

/// What a file holds, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileType {
    Page(PageKind),
    Jsonl,
    Warc,
    Feed,
}

fn file_type(path: &Path) -> Option<(FileType, bool)> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    let (name, gz) = match name.strip_suffix(".gz") {
        Some(n) => (n.to_string(), true),
        None => (name, false),
    };
    let ext = name.rsplit_once('.').map(|(_, e)| e)?;
    let t = match ext {
        "txt" | "text" => FileType::Page(PageKind::Text),
        "html" | "htm" | "xhtml" => FileType::Page(PageKind::Html),
        "jsonl" | "ndjson" => FileType::Jsonl,
        "warc" => FileType::Warc,
        "rss" | "atom" | "xml" => FileType::Feed,
        _ => return None,
    };
    Some((t, gz))
}

/// Expands `paths` into the list of files to read: files as given (whatever
/// their extension, so that a wrong one gets a clear error), directories
/// walked recursively keeping only the extensions we read, sorted.
pub fn collect_files(paths: &[PathBuf]) -> Vec<Result<PathBuf, IngestError>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let walker = walkdir::WalkDir::new(p)
                .follow_links(false)
                .sort_by_file_name();
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() => {
                        if file_type(e.path()).is_some() {
                            out.push(Ok(e.into_path()));
                        }
                    }
                    Ok(_) => {}
                    Err(err) => {
                        let name = err
                            .path()
                            .map(|p| p.display().to_string())
                            .unwrap_or_else(|| p.display().to_string());
                        out.push(Err(IngestError::new(
                            name,
                            IngestErrorKind::Io(std::io::Error::other(err.to_string())),
                        )));
                    }
                }
            }
        } else {
            out.push(Ok(p.clone()));
        }
    }
    out
}

/// Reads every page under `paths` (`-` is JSONL on standard input).
/// Errors come back in place, one per bad file, record or JSONL line, and
/// never stop the iteration.
pub fn read_paths(paths: &[PathBuf]) -> impl Iterator<Item = Result<RawDoc, IngestError>> {
    read_paths_counting(paths, Arc::new(AtomicU64::new(0)))
}

/// [`read_paths`], adding to `bytes` every byte read from the files as
/// stored (compressed bytes for `.gz`): against [`input_size`], a progress
/// measure that holds whatever the files contain.
pub fn read_paths_counting(
    paths: &[PathBuf],
    bytes: Arc<AtomicU64>,
) -> impl Iterator<Item = Result<RawDoc, IngestError>> {
    collect_files(paths).into_iter().flat_map(
        move |f| -> Box<dyn Iterator<Item = Result<RawDoc, IngestError>> + Send> {
            match f {
                Ok(path) => read_file_counting(&path, bytes.clone()),
                Err(e) => Box::new(std::iter::once(Err(e))),
            }
        },
    )
}

/// Total size of the files under `paths` as stored (standard input counts 0).
pub fn input_size(paths: &[PathBuf]) -> u64 {
    collect_files(paths)
        .into_iter()
        .flatten()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// Whether `path` names standard input.
fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Reads one file: a page, a JSONL stream of pages, a WARC archive or a
/// feed; `-` is JSONL on standard input.
pub fn read_file(path: &Path) -> Box<dyn Iterator<Item = Result<RawDoc, IngestError>> + Send> {
    read_file_counting(path, Arc::new(AtomicU64::new(0)))
}

fn read_file_counting(
    path: &Path,
    bytes: Arc<AtomicU64>,
) -> Box<dyn Iterator<Item = Result<RawDoc, IngestError>> + Send> {
    if is_stdin(path) {
        return read_stream(
            "stdin".into(),
            FileType::Jsonl,
            false,
            Box::new(std::io::stdin()),
        );
    }
    let name = path.display().to_string();
    let Some((ft, gz)) = file_type(path) else {
        return Box::new(std::iter::once(Err(IngestError::new(
            name,
            IngestErrorKind::Unsupported,
        ))));
    };
    let reader = match open(path, gz, bytes) {
        Ok(r) => r,
        Err(kind) => return Box::new(std::iter::once(Err(IngestError::new(name, kind)))),
    };
    read_stream(name, ft, gz, reader)
}

/// Pages from bytes in memory, read as a file of that `name` would be
/// (its extension says the format, `.gz` included). For fuzzing and tests.
pub fn read_bytes(
    name: &str,
    bytes: Vec<u8>,
) -> Box<dyn Iterator<Item = Result<RawDoc, IngestError>> + Send> {
    let Some((ft, gz)) = file_type(Path::new(name)) else {
        return Box::new(std::iter::once(Err(IngestError::new(
            name,
            IngestErrorKind::Unsupported,
        ))));
    };
    let cursor = std::io::Cursor::new(bytes);
    let reader: Box<dyn Read + Send> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(cursor))
    } else {
        Box::new(cursor)
    };
    read_stream(name.to_string(), ft, gz, reader)
}

fn read_stream(
    name: String,
    ft: FileType,
    gz: bool,
    reader: Box<dyn Read + Send>,
) -> Box<dyn Iterator<Item = Result<RawDoc, IngestError>> + Send> {
    match ft {
        FileType::Page(kind) => Box::new(std::iter::once(read_page(name, reader, kind, gz))),
        FileType::Jsonl => Box::new(JsonlReader::new(name, reader, gz)),
        // Streamed a record at a time, each bounded: no limit on the whole.
        FileType::Warc => Box::new(warc::WarcReader::new(name, BufReader::new(reader), gz)),
        FileType::Feed => match read_bounded(&name, reader, gz) {
            Ok(bytes) => Box::new(feed::read_feed(&name, &bytes).into_iter()),
            Err(e) => Box::new(std::iter::once(Err(e))),
        },
    }
}

/// Counts bytes read through it into a shared total.
struct Counting<R> {
    inner: R,
    bytes: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn open(
    path: &Path,
    gz: bool,
    bytes: Arc<AtomicU64>,
) -> Result<Box<dyn Read + Send>, IngestErrorKind> {
    let file = Counting {
        inner: File::open(path)?,
        bytes,
    };
    if gz {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(
            file,
        ))))
    } else {
        Ok(Box::new(file))
    }
}

fn read_page(
    name: String,
    reader: Box<dyn Read + Send>,
    kind: PageKind,
    gz: bool,
) -> Result<RawDoc, IngestError> {
    let bytes = read_bounded(&name, reader, gz)?;
    doc_from_bytes(name, &bytes, kind)
}

/// Reads a whole input of at most [`MAX_PAGE_BYTES`].
fn read_bounded(
    name: &str,
    reader: Box<dyn Read + Send>,
    gz: bool,
) -> Result<Vec<u8>, IngestError> {
    let mut bytes = Vec::new();
    // Read one byte past the limit to tell "exactly at the limit" from "over".
    if let Err(e) = reader.take(MAX_PAGE_BYTES + 1).read_to_end(&mut bytes) {
        return Err(IngestError::new(name, IngestErrorKind::read(e, gz)));
    }
    if bytes.len() as u64 > MAX_PAGE_BYTES {
        return Err(IngestError::new(name, IngestErrorKind::TooLarge));
    }
    Ok(bytes)
}

/// Decodes and checks one page's bytes.
pub fn doc_from_bytes(name: String, bytes: &[u8], kind: PageKind) -> Result<RawDoc, IngestError> {
    if looks_binary(bytes) {
        return Err(IngestError::new(name, IngestErrorKind::Binary));
    }
    let (text, encoding) = decode_bytes(bytes, kind);
    if text.trim().is_empty() {
        return Err(IngestError::new(name, IngestErrorKind::Empty));
    }
    let mut doc = RawDoc::new(name, kind, text);
    doc.encoding = encoding;
    Ok(doc)
}

/// Whether bytes look like a binary file rather than text in some encoding.
/// NUL bytes never occur in text encodings we read (we do not read UTF-16);
/// many C0 control characters signal compressed or image data.
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return true;
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    sample.len() >= 16 && controls * 20 > sample.len()
}

/// Decodes bytes to UTF-8, returning the text and the encoding's name.
///
/// Order of trust: a byte-order mark; valid UTF-8; for HTML, a `charset`
/// declared in the first 2 KiB; otherwise `chardetng`'s guess.
pub fn decode_bytes(bytes: &[u8], kind: PageKind) -> (String, &'static str) {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), enc.name());
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), "utf-8");
    }
    let declared = if kind == PageKind::Html {
        declared_charset(&bytes[..bytes.len().min(2048)])
    } else {
        None
    };
    let enc = declared.unwrap_or_else(|| {
        let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        det.feed(bytes, true);
        det.guess(None, chardetng::Utf8Detection::Allow)
    });
    let (text, _, _) = enc.decode(bytes);
    (text.into_owned(), enc.name())
}

/// Finds `charset=NAME` in an HTML head.
fn declared_charset(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let needle = b"charset=";
    let pos = lower.windows(needle.len()).position(|w| w == needle)?;
    let rest = &lower[pos + needle.len()..];
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.')))
        .unwrap_or(rest.len());
    let enc = encoding_rs::Encoding::for_label(&rest[..end])?;
    // A page that declares UTF-8 but is not valid UTF-8 is mislabelled; let the
    // detector decide instead.
    (enc != encoding_rs::UTF_8).then_some(enc)
}

/// One line of a JSONL input.
#[derive(Debug, Deserialize)]
struct JsonlPage {
    url: Option<String>,
    html: Option<String>,
    text: Option<String>,
    #[serde(alias = "date", alias = "published_at", alias = "publish_date")]
    published: Option<String>,
    #[serde(alias = "source", alias = "site", alias = "site_name")]
    outlet: Option<String>,
    #[serde(alias = "headline")]
    title: Option<String>,
}

/// JSONL read a line at a time, each line bounded like a page
/// ([`MAX_PAGE_BYTES`]) and the whole not at all: a stream on standard input
/// has no end known in advance, and capping it (at 4 GiB, once) silently
/// dropped the rest of a long stream.
struct JsonlReader {
    name: String,
    lines: BufReader<Box<dyn Read + Send>>,
    line_no: usize,
    gz: bool,
    done: bool,
    /// The line being read, kept between lines: HTML pages make lines of
    /// hundreds of KB, and growing a new buffer to that size for each one
    /// (fresh memory from the OS, zeroed) was most of the reading thread.
    buf: Vec<u8>,
}

impl JsonlReader {
    fn new(name: String, reader: Box<dyn Read + Send>, gz: bool) -> Self {
        JsonlReader {
            name,
            // HTML pages make lines of hundreds of KB.
            lines: BufReader::with_capacity(1 << 20, reader),
            line_no: 0,
            gz,
            done: false,
            buf: Vec::new(),
        }
    }
}

impl Iterator for JsonlReader {
    type Item = Result<RawDoc, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            let buf = &mut self.buf;
            buf.clear();
            // After an overlong line, not ~50 MB for the rest of the file.
            if buf.capacity() > 8 << 20 {
                *buf = Vec::new();
            }
            // A single line is bounded like a page.
            let read = (&mut self.lines)
                .take(MAX_PAGE_BYTES + 1)
                .read_until(b'\n', buf);
            self.line_no += 1;
            let source = format!("{}:{}", self.name, self.line_no);
            match read {
                Ok(0) => {
                    self.done = true;
                    if self.line_no == 1 {
                        return Some(Err(IngestError::new(
                            self.name.clone(),
                            IngestErrorKind::Empty,
                        )));
                    }
                    return None;
                }
                Ok(_) => {}
                Err(e) => {
                    self.done = true;
                    return Some(Err(IngestError::new(
                        source,
                        IngestErrorKind::read(e, self.gz),
                    )));
                }
            }
            if buf.len() as u64 > MAX_PAGE_BYTES {
                if let Err(e) = skip_line(&mut self.lines) {
                    self.done = true;
                    return Some(Err(IngestError::new(
                        source,
                        IngestErrorKind::read(e, self.gz),
                    )));
                }
                return Some(Err(IngestError::new(source, IngestErrorKind::TooLarge)));
            }
            if buf.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            return Some(parse_jsonl_line(source, buf));
        }
    }
}

/// Reads past the next newline (or to the end) without keeping what it
/// passes: the rest of an overlong line can be of any length (a gzip bomb
/// with no newline), and reading it into a buffer took that much memory.
fn skip_line(r: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match memchr::memchr(b'\n', buf) {
            Some(at) => {
                r.consume(at + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                r.consume(n);
            }
        }
    }
}

/// Pages from JSONL already in memory (one page per line, as in `.jsonl`
/// files), named `name:line` in errors — for pages posted over HTTP.
pub fn read_jsonl_bytes(
    name: &str,
    bytes: Vec<u8>,
) -> impl Iterator<Item = Result<RawDoc, IngestError>> {
    JsonlReader::new(
        name.to_string(),
        Box::new(std::io::Cursor::new(bytes)),
        false,
    )
}

fn parse_jsonl_line(source: String, buf: &[u8]) -> Result<RawDoc, IngestError> {
    let line = match std::str::from_utf8(buf) {
        Ok(s) => s,
        Err(e) => {
            return Err(IngestError::new(
                source,
                IngestErrorKind::Json(format!("not UTF-8 ({e})")),
            ))
        }
    };
    let page: JsonlPage = serde_json::from_str(line)
        .map_err(|e| IngestError::new(source.clone(), IngestErrorKind::Json(e.to_string())))?;
    let (kind, content) = match (page.html, page.text) {
        (Some(h), _) if !h.trim().is_empty() => (PageKind::Html, h),
        (_, Some(t)) if !t.trim().is_empty() => (PageKind::Text, t),
        (Some(_), _) | (_, Some(_)) => {
            return Err(IngestError::new(source, IngestErrorKind::Empty))
        }
        (None, None) => return Err(IngestError::new(source, IngestErrorKind::NoContent)),
    };
    let mut doc = RawDoc::new(page.url.clone().unwrap_or(source), kind, content);
    doc.url = page.url;
    doc.published = page.published;
    doc.outlet = page.outlet;
    doc.title = page.title;
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// The digest as first written (word by word): stores hold these hashes,
    /// so the fast one must give the same.
    fn content_hash_by_words(content: &str) -> String {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for word in content.split_whitespace() {
            h.update(word.as_bytes());
            h.update(b" ");
        }
        format!("{:032x}", h.digest128())
    }

    #[test]
    fn content_hash_folds_every_kind_of_whitespace_as_before() {
        let mut cases: Vec<String> = [
            "",
            " ",
            "one",
            "  two  words\n",
            "tab\tvt\x0bff\x0ccr\r\nend",
            "nbsp\u{a0}thin\u{2009}ideographic\u{3000}line\u{2028}x",
            "Kim Jong-un\u{3000}visited 김정은\u{a0}\u{a0}Pyongyang",
            "\u{85}next-line and \u{1680}ogham",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Pseudo-random mixes of words, ASCII and other whitespace, long
        // enough to cross the 8,000-byte chunks.
        let parts = [
            "a", "Zé", "北", " ", "\n", "\t", "\u{a0}", "\u{2003}", "\x0b", "word", "\r\n",
        ];
        let mut x: u64 = 0x5eed;
        for len in [10, 100, 5_000, 20_000] {
            let mut t = String::new();
            for _ in 0..len {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                t.push_str(parts[(x >> 33) as usize % parts.len()]);
            }
            cases.push(t);
        }
        // Long runs without spaces (minified markup), alone and mixed.
        cases.push("x".repeat(100_000));
        cases.push(format!(
            "{} é {}\n{}",
            "<div>".repeat(300),
            "y".repeat(511),
            "z".repeat(513)
        ));
        for c in &cases {
            assert_eq!(
                content_hash(c),
                content_hash_by_words(c),
                "{:?}",
                &c[..c.len().min(40)]
            );
        }
        assert_eq!(content_hash("a  b\n"), content_hash("a b"));
        assert_ne!(content_hash("a b"), content_hash("ab"));
    }

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// `head` bytes of `x`, then `tail`, made as they are read.
    struct Made {
        head: u64,
        tail: std::io::Cursor<Vec<u8>>,
    }

    impl Read for Made {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.head == 0 {
                return self.tail.read(buf);
            }
            let n = buf.len().min(self.head as usize);
            buf[..n].fill(b'x');
            self.head -= n as u64;
            Ok(n)
        }
    }

    #[test]
    fn a_jsonl_stream_is_read_to_its_end_past_an_overlong_line_and_past_4_gib() {
        // One line of 4.5 GiB: past the 64 MiB a line may have, and past the
        // 4 GiB a stream was once cut at (silently: the pages after it were
        // never read).
        let stream = Made {
            head: 9 << 29,
            tail: std::io::Cursor::new(b"\n{\"text\":\"after the long line\"}\n".to_vec()),
        };
        let out: Vec<_> = JsonlReader::new("stdin".into(), Box::new(stream), false).collect();
        assert_eq!(out.len(), 2, "{out:?}");
        let e = out[0].as_ref().unwrap_err();
        assert_eq!(e.source_name, "stdin:1");
        assert!(matches!(e.kind, IngestErrorKind::TooLarge), "{e:?}");
        assert_eq!(out[1].as_ref().unwrap().content, "after the long line");
    }

    #[test]
    fn reads_text_html_jsonl_and_gzip_recursively() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"A plain text page about harbours.");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        write(
            &dir.path().join("sub"),
            "b.html",
            b"<html><body><p>Hello there</p></body></html>",
        );
        write(
            dir.path(),
            "c.jsonl",
            b"{\"url\":\"https://x.example/1\",\"text\":\"first\",\"published\":\"2025-01-02\",\"outlet\":\"X\"}\n\n{\"html\":\"<p>second</p>\"}\n",
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"Compressed text page.").unwrap();
        write(dir.path(), "d.txt.gz", &gz.finish().unwrap());
        write(dir.path(), "ignored.png", b"\x89PNG");

        let docs: Vec<_> = read_paths(&[dir.path().to_path_buf()]).collect();
        assert_eq!(docs.len(), 5, "{docs:?}");
        let docs: Vec<RawDoc> = docs.into_iter().map(Result::unwrap).collect();
        assert_eq!(docs[0].kind, PageKind::Text);
        assert_eq!(docs[1].url.as_deref(), Some("https://x.example/1"));
        assert_eq!(docs[1].published.as_deref(), Some("2025-01-02"));
        assert_eq!(docs[1].outlet.as_deref(), Some("X"));
        assert_eq!(docs[2].kind, PageKind::Html);
        assert!(docs[2].source.ends_with("c.jsonl:3"));
        assert_eq!(docs[3].content, "Compressed text page.");
        assert_eq!(docs[4].kind, PageKind::Html);
    }

    #[test]
    fn bad_files_give_named_errors_and_the_batch_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let empty = write(dir.path(), "empty.txt", b"  \n ");
        let binary = write(dir.path(), "bin.html", b"\x00\x01\x02\x03binary");
        let badgz = write(dir.path(), "bad.txt.gz", b"\x1f\x8b\x08\x00not really gzip");
        let badjson = write(
            dir.path(),
            "bad.jsonl",
            b"{not json}\n{\"url\":\"u\"}\n{\"text\":\"ok\"}\n",
        );
        let other = write(dir.path(), "x.pdf", b"%PDF");
        let good = write(dir.path(), "good.txt", b"Fine.");
        let missing = dir.path().join("missing.txt");
        let paths = vec![empty, binary, badgz, badjson, other, missing, good];
        let results: Vec<_> = read_paths(&paths).collect();
        let errors: Vec<String> = results
            .iter()
            .filter_map(|r| r.as_ref().err().map(|e| e.to_string()))
            .collect();
        let ok = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, 2, "{errors:?}");
        assert!(errors[0].contains("empty.txt: empty file"), "{errors:?}");
        assert!(errors[1].contains("bin.html: binary data"));
        assert!(errors[2].contains("bad.txt.gz: corrupt gzip"));
        assert!(errors[3].contains("bad.jsonl:1: invalid JSON"));
        assert!(errors[4].contains("bad.jsonl:2: JSON object has neither"));
        assert!(errors[5].contains("x.pdf: unsupported file type"));
        assert!(errors[6].contains("missing.txt: cannot read"));
    }

    #[test]
    fn detects_legacy_encodings() {
        let text = "서울의 날씨는 오늘 맑고 따뜻하겠습니다. 시민들은 공원에서 산책을 즐겼습니다.";
        let (bytes, _, _) = encoding_rs::EUC_KR.encode(text);
        let (decoded, enc) = decode_bytes(&bytes, PageKind::Text);
        assert_eq!(decoded, text);
        assert_eq!(enc, "EUC-KR");

        let html = b"<html><head><meta charset=\"windows-1252\"></head><body>na\xefve \x93quotes\x94</body></html>";
        let (decoded, enc) = decode_bytes(html, PageKind::Html);
        assert!(decoded.contains("naïve “quotes”"), "{decoded}");
        assert_eq!(enc, "windows-1252");
    }

    #[test]
    fn same_content_same_hash_whatever_the_line_endings() {
        let a = RawDoc::new("a", PageKind::Text, "One line.\nTwo lines.".into());
        let b = RawDoc::new("b", PageKind::Text, "One line.\r\nTwo lines.\r\n".into());
        let c = RawDoc::new("c", PageKind::Text, "One line. Three lines.".into());
        assert_eq!(a.hash, b.hash);
        assert_ne!(a.hash, c.hash);
        assert_eq!(a.article_id().len(), 13);
    }
}
