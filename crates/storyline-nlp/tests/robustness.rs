//! Hostile and random text through every annotator: no panic, spans inside
//! the body and on character boundaries, bounded time. (The `annotate` fuzz
//! target in `fuzz/` explores further; this runs in every test pass.)

use storyline_model::Article;

fn annotate(body: String, published: Option<&str>) -> storyline_model::AnnotatedArticle {
    storyline_nlp::annotate(Article {
        published: published.map(str::to_string),
        ..Article::plain("r", &body)
    })
}

fn check(body: &str) {
    for published in [
        None,
        Some("2025-05-08"),
        Some("0001-01-01"),
        Some("9999-12-31"),
    ] {
        let a = annotate(body.to_string(), published);
        let n = body.chars().count() as u32;
        for t in &a.times {
            assert!(t.start <= t.end && t.end <= n, "{t:?} in {body:?}");
        }
        for q in &a.quotes {
            assert!(q.span.start <= q.span.end && q.span.end <= n, "{q:?}");
        }
        for e in &a.entities {
            for m in &e.mentions {
                assert!(m.start <= m.end && m.end <= n, "{e:?}");
            }
        }
    }
}

#[test]
fn time_like_fragments_and_edge_dates() {
    for body in [
        "on 31 February 2025, on Feb. 30, at 25:99 p.m., 99:99, 0:00 a.m.",
        "the past 9999999999999999999 years, twenty-ninety days ago, the 0000s",
        "last Mondayday, next next week, the previous previous day, ``''``''",
        "Thanksgiving Day 0001, Christmas 9999, mid-, late-, early-",
        "a year ago a year ago a year ago, the quarter quarter, third-quarter-",
        "\u{201c}\u{201c}\u{201d}\u{201d} \"\" '' `` , said , according to , told",
        "1999s 1000s 3000 2100 1899, 'in 1066' 10:35 12 p.m. 12 a.m. 13 p.m.",
    ] {
        check(body);
    }
}

#[test]
fn random_text_from_time_words() {
    const WORDS: &[&str] = &[
        "the",
        "last",
        "next",
        "past",
        "day",
        "days",
        "week",
        "year",
        "ago",
        "earlier",
        "Monday",
        "Friday",
        "May",
        "Oct.",
        "7",
        "31",
        "2025",
        "1941",
        "quarter",
        "third-quarter",
        "said",
        "told",
        "\u{201c}",
        "\u{201d}",
        "\"",
        ",",
        ".",
        "\n\n",
        "a",
        "few",
        "twenty-four",
        "p.m.",
        "10:35",
        "noon",
        "Thanksgiving",
        "Day",
        "according",
        "to",
        "Kim",
        "Jong-un",
        "Mr",
        "(KCNA)",
        "mid-November",
        "1990s",
        "每日",
        "ß",
        "\u{0301}",
        "::",
        "''",
        "``",
    ];
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..1000 {
        let mut body = String::new();
        let len = (x % 60) as usize + 1;
        for _ in 0..len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            body.push_str(WORDS[(x % WORDS.len() as u64) as usize]);
            body.push(if x.is_multiple_of(5) { '\n' } else { ' ' });
        }
        check(&body);
    }
}

#[test]
fn a_long_page_of_dates_stays_fast() {
    let body =
        "On Tuesday, May 7, officials said the talks of last week would resume. ".repeat(20_000);
    let t = std::time::Instant::now();
    let a = annotate(body, Some("2025-05-08"));
    assert!(a.times.len() >= 20_000);
    // Generous bound (debug builds, loaded machines): the point is no
    // quadratic blow-up on a 1.4 MB page.
    assert!(t.elapsed().as_secs() < 60, "{:?}", t.elapsed());
}
