//! WARC 1.0/1.1 archives (Common Crawl news): one page per `response`
//! record whose HTTP payload is HTML or text.
//!
//! Hand-written rather than the `warc` crate, whose reader grows a buffer
//! until it meets a newline (a hostile or corrupt archive can make it hold
//! gigabytes) and cannot resynchronise after a bad record. Here every line
//! is bounded, bodies are read by their `Content-Length` up to
//! [`MAX_PAGE_BYTES`] and skipped beyond it, and a truncated or malformed
//! record ends the file with an error that names it.

use std::io::{BufRead, Read};

use crate::{
    decode_bytes, looks_binary, IngestError, IngestErrorKind, PageKind, RawDoc, MAX_PAGE_BYTES,
};

/// Longest WARC or HTTP header line.
const MAX_LINE: u64 = 64 * 1024;
/// Most header lines in one WARC or HTTP header block.
const MAX_HEADERS: usize = 256;

/// Pages from a WARC stream (already gunzipped: `.warc.gz` members are
/// concatenated gzip streams, which `MultiGzDecoder` joins).
pub(crate) struct WarcReader<R> {
    name: String,
    input: R,
    /// Whether `input` is gunzipped, so read errors are gzip's.
    gz: bool,
    record: usize,
    done: bool,
}

impl<R: BufRead> WarcReader<R> {
    pub(crate) fn new(name: String, input: R, gz: bool) -> Self {
        WarcReader {
            name,
            input,
            gz,
            record: 0,
            done: false,
        }
    }

    fn fail(&mut self, message: String) -> Option<Result<RawDoc, IngestError>> {
        self.done = true;
        Some(Err(IngestError::new(
            format!("{} record {}", self.name, self.record),
            IngestErrorKind::Warc(message),
        )))
    }

    /// A read error. Our own format errors are `InvalidData` (which
    /// flate2 never returns); any other error of a compressed file is the
    /// gzip stream's.
    fn fail_io(&mut self, e: std::io::Error) -> Option<Result<RawDoc, IngestError>> {
        if !self.gz || e.kind() == std::io::ErrorKind::InvalidData {
            return self.fail(e.to_string());
        }
        self.done = true;
        Some(Err(IngestError::new(
            format!("{} record {}", self.name, self.record),
            IngestErrorKind::Gzip(e),
        )))
    }
}

/// Reads one line of at most [`MAX_LINE`] bytes; `None` at end of input.
fn line(input: &mut impl BufRead) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let n = input.take(MAX_LINE).read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if !buf.ends_with(b"\n") && n as u64 == MAX_LINE {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("header line longer than {MAX_LINE} bytes"),
        ));
    }
    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        buf.pop();
    }
    Ok(Some(buf))
}

/// `Name: value` lines up to the first blank line, names lower-cased.
fn headers(input: &mut impl BufRead) -> std::io::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    loop {
        let Some(l) = line(input)? else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "truncated header",
            ));
        };
        if l.is_empty() {
            return Ok(out);
        }
        if out.len() >= MAX_HEADERS {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "too many header lines",
            ));
        }
        let l = String::from_utf8_lossy(&l);
        if let Some((k, v)) = l.split_once(':') {
            out.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

impl<R: BufRead> Iterator for WarcReader<R> {
    type Item = Result<RawDoc, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            // Skip the blank lines between records.
            let first = loop {
                match line(&mut self.input) {
                    Ok(None) => {
                        self.done = true;
                        if self.record == 0 {
                            return Some(Err(IngestError::new(
                                self.name.clone(),
                                IngestErrorKind::Empty,
                            )));
                        }
                        return None;
                    }
                    Ok(Some(l)) if l.is_empty() => continue,
                    Ok(Some(l)) => break l,
                    Err(e) => return self.fail_io(e),
                }
            };
            self.record += 1;
            if !first.starts_with(b"WARC/") {
                return self.fail("not a WARC record (expected a WARC/1.x line)".into());
            }
            let h = match headers(&mut self.input) {
                Ok(h) => h,
                Err(e) => return self.fail_io(e),
            };
            let Some(len) = header(&h, "content-length").and_then(|v| v.parse::<u64>().ok()) else {
                return self.fail("record without a valid Content-Length".into());
            };
            let kind = header(&h, "warc-type").unwrap_or("").to_ascii_lowercase();
            let url = header(&h, "warc-target-uri").map(|u| u.trim_matches(['<', '>']).to_string());
            if kind != "response" || len > MAX_PAGE_BYTES {
                let skipped = std::io::copy(&mut (&mut self.input).take(len), &mut std::io::sink());
                match skipped {
                    Ok(n) if n == len => {}
                    Ok(n) => return self.fail(format!("truncated: {n} of {len} body bytes")),
                    Err(e) => return self.fail_io(e),
                }
                if kind == "response" {
                    let source =
                        url.unwrap_or_else(|| format!("{} record {}", self.name, self.record));
                    return Some(Err(IngestError::new(source, IngestErrorKind::TooLarge)));
                }
                continue;
            }
            let mut body = Vec::with_capacity(len as usize);
            match (&mut self.input).take(len).read_to_end(&mut body) {
                Ok(n) if n as u64 == len => {}
                Ok(n) => return self.fail(format!("truncated: {n} of {len} body bytes")),
                Err(e) => return self.fail_io(e),
            }
            let source = url
                .clone()
                .unwrap_or_else(|| format!("{} record {}", self.name, self.record));
            match http_page(&source, &body) {
                Ok(Some(mut doc)) => {
                    doc.url = url;
                    return Some(Ok(doc));
                }
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// The page inside an HTTP response: `None` for responses that are not a
/// successful HTML or text page (redirects, images, PDFs).
fn http_page(source: &str, body: &[u8]) -> Result<Option<RawDoc>, IngestError> {
    let err = |m: &str| IngestError::new(source, IngestErrorKind::Warc(m.to_string()));
    let mut input = body;
    let status = line(&mut input)
        .map_err(|e| err(&e.to_string()))?
        .ok_or_else(|| err("empty HTTP response"))?;
    let status = String::from_utf8_lossy(&status);
    let code = status
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok());
    if !status.starts_with("HTTP/") || code.is_none() {
        return Err(err("response record without an HTTP status line"));
    }
    if !(200..300).contains(&code.unwrap_or(0)) {
        return Ok(None);
    }
    let h = headers(&mut input).map_err(|e| err(&format!("bad HTTP header: {e}")))?;
    let ctype = header(&h, "content-type")
        .unwrap_or("text/html")
        .to_ascii_lowercase();
    let kind = if ctype.contains("html") {
        PageKind::Html
    } else if ctype.starts_with("text/plain") {
        PageKind::Text
    } else {
        return Ok(None);
    };
    // Crawlers usually store the payload decoded; gunzip it when they did not.
    let gz;
    let payload: &[u8] = match header(&h, "content-encoding") {
        Some(enc) if enc.eq_ignore_ascii_case("gzip") => {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(input)
                .take(MAX_PAGE_BYTES + 1)
                .read_to_end(&mut out)
                .map_err(|e| IngestError::new(source, IngestErrorKind::Gzip(e)))?;
            if out.len() as u64 > MAX_PAGE_BYTES {
                return Err(IngestError::new(source, IngestErrorKind::TooLarge));
            }
            gz = out;
            &gz
        }
        _ => input,
    };
    if looks_binary(payload) {
        return Err(IngestError::new(source, IngestErrorKind::Binary));
    }
    let declared = ctype
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("charset="))
        .find_map(|c| encoding_rs::Encoding::for_label(c.trim_matches('"').as_bytes()));
    let (text, encoding) = match declared {
        // A page labelled UTF-8 that is not is mislabelled: detect instead.
        Some(enc) if enc != encoding_rs::UTF_8 || std::str::from_utf8(payload).is_ok() => {
            let (t, _, _) = enc.decode(payload);
            (t.into_owned(), enc.name())
        }
        _ => decode_bytes(payload, kind),
    };
    if text.trim().is_empty() {
        return Err(IngestError::new(source, IngestErrorKind::Empty));
    }
    let mut doc = RawDoc::new(source, kind, text);
    doc.encoding = encoding;
    Ok(Some(doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WARC record as a crawler writes it.
    pub(crate) fn record(kind: &str, url: &str, payload: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2025-03-04T10:00:00Z\r\nContent-Length: {}\r\n\r\n",
            payload.len()
        )
        .into_bytes();
        out.extend_from_slice(payload);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    fn http(ctype: &str, body: &[u8]) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\n\r\n").into_bytes();
        out.extend_from_slice(body);
        out
    }

    fn read(bytes: &[u8]) -> Vec<Result<RawDoc, IngestError>> {
        WarcReader::new("t.warc".into(), bytes, false).collect()
    }

    #[test]
    fn reads_html_responses_in_their_charset_and_skips_the_rest() {
        let mut warc = record("warcinfo", "", b"software: test\r\n");
        warc.extend(record(
            "request",
            "https://a.test/1",
            b"GET /1 HTTP/1.1\r\n\r\n",
        ));
        warc.extend(record(
            "response",
            "https://a.test/1",
            &http(
                "text/html; charset=windows-1252",
                b"<p>Caf\xe9 owners protest</p>",
            ),
        ));
        warc.extend(record(
            "response",
            "https://a.test/logo.png",
            &http("image/png", b"\x89PNG"),
        ));
        warc.extend(record(
            "response",
            "https://a.test/2",
            b"HTTP/1.1 301 Moved\r\nLocation: /3\r\n\r\n",
        ));
        let docs = read(&warc);
        assert_eq!(docs.len(), 1, "{docs:?}");
        let d = docs[0].as_ref().unwrap();
        assert_eq!(d.url.as_deref(), Some("https://a.test/1"));
        assert!(d.content.contains("Café"), "{}", d.content);
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn truncated_and_malformed_archives_end_with_a_named_error() {
        let whole = record(
            "response",
            "https://a.test/1",
            &http("text/html", b"<p>Story one</p>"),
        );
        let mut warc = whole.clone();
        warc.extend(&whole[..whole.len() - 20]);
        let docs = read(&warc);
        assert!(docs[0].is_ok());
        let e = docs[1].as_ref().unwrap_err().to_string();
        assert!(
            e.contains("t.warc record 2") && e.contains("truncated"),
            "{e}"
        );

        let e = read(b"GIF89a garbage").remove(0).unwrap_err().to_string();
        assert!(e.contains("not a WARC record"), "{e}");
        let e = read(b"").remove(0).unwrap_err().to_string();
        assert!(e.contains("empty"), "{e}");
        // A header line without end is refused, not buffered.
        let mut long = b"WARC/1.0\r\nX: ".to_vec();
        long.extend(std::iter::repeat_n(b'a', 200_000));
        let e = read(&long).remove(0).unwrap_err().to_string();
        assert!(e.contains("longer than"), "{e}");
    }
}
