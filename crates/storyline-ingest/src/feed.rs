//! RSS 0.9x/1.0/2.0, Atom and JSON Feed files (`feed-rs`): one page per
//! entry, its content (or, failing that, its summary) as HTML.

use crate::{IngestError, IngestErrorKind, PageKind, RawDoc};

/// Pages from one feed document.
pub(crate) fn read_feed(name: &str, bytes: &[u8]) -> Vec<Result<RawDoc, IngestError>> {
    let feed = match feed_rs::parser::parse(bytes) {
        Ok(f) => f,
        Err(e) => {
            return vec![Err(IngestError::new(
                name,
                IngestErrorKind::Feed(e.to_string()),
            ))]
        }
    };
    let outlet = feed.title.as_ref().map(|t| t.content.trim().to_string());
    if feed.entries.is_empty() {
        return vec![Err(IngestError::new(name, IngestErrorKind::Empty))];
    }
    feed.entries
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            let source = format!("{name} entry {}", i + 1);
            let url = entry.links.first().map(|l| l.href.clone());
            let body = entry
                .content
                .and_then(|c| c.body)
                .filter(|b| !b.trim().is_empty())
                .or_else(|| entry.summary.map(|s| s.content))
                .filter(|b| !b.trim().is_empty())
                .ok_or_else(|| IngestError::new(source.clone(), IngestErrorKind::NoContent))?;
            let mut doc = RawDoc::new(url.clone().unwrap_or(source), PageKind::Html, body);
            doc.url = url;
            doc.title = entry.title.map(|t| t.content.trim().to_string());
            doc.published = entry.published.or(entry.updated).map(|d| d.to_rfc3339());
            doc.outlet = outlet.clone();
            Ok(doc)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_and_atom_entries_become_pages() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>Fjord Post</title>
<item><title>Quay reopens</title><link>https://fjord.test/1</link><pubDate>Tue, 04 Mar 2025 08:00:00 GMT</pubDate>
<description>&lt;p&gt;The quay at Nordvik reopened on Monday.&lt;/p&gt;</description></item>
<item><title>No body</title><link>https://fjord.test/2</link></item>
</channel></rss>"#;
        let docs = read_feed("f.rss", rss);
        assert_eq!(docs.len(), 2);
        let d = docs[0].as_ref().unwrap();
        assert_eq!(d.url.as_deref(), Some("https://fjord.test/1"));
        assert_eq!(d.outlet.as_deref(), Some("Fjord Post"));
        assert_eq!(d.title.as_deref(), Some("Quay reopens"));
        assert!(d.published.as_deref().unwrap().starts_with("2025-03-04"));
        assert!(d.content.contains("reopened on Monday"));
        let e = docs[1].as_ref().unwrap_err().to_string();
        assert!(e.contains("f.rss entry 2"), "{e}");

        let atom = br#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Coast Daily</title><id>urn:x</id><updated>2025-03-05T00:00:00Z</updated>
<entry><title>Storm</title><id>urn:1</id><link href="https://coast.test/a"/><updated>2025-03-05T09:00:00Z</updated>
<content type="html">&lt;p&gt;A storm hit the coast.&lt;/p&gt;</content></entry></feed>"#;
        let docs = read_feed("f.atom", atom);
        assert_eq!(
            docs[0].as_ref().unwrap().outlet.as_deref(),
            Some("Coast Daily")
        );

        let e = read_feed("bad.xml", b"<rss><channel>")
            .remove(0)
            .unwrap_err();
        assert!(e.to_string().starts_with("bad.xml: "), "{e}");
    }
}
