//! Pages of the store's lists: from an offset, or after a cursor.
//!
//! An `OFFSET` makes SQLite step over every row it skips, so a page deep in
//! a list of 600k events costs ten times the first one. A cursor holds the
//! sort key of the last item a client was given; the next page is read
//! from the list's index starting just after that key, at the cost of the
//! first page wherever it is. Cursors are opaque to clients (base64 of a
//! small JSON array: the list's name, then the key) and name their list,
//! so one handed to another list is refused rather than misread.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rusqlite::types::Value;

/// Where a page of a list starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    /// After this many items.
    Offset(usize),
    /// Just after the item a cursor names (an earlier page's `next`).
    After(Cursor),
}

impl Default for Start {
    fn default() -> Self {
        Start::Offset(0)
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// How many items the whole list has.
    pub total: usize,
    /// This page's items, in the list's order.
    pub items: Vec<T>,
    /// Where the next page starts; `None` when this page ends the list.
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// The same page with each item turned into another, or the first error.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            total: self.total,
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            next: self.next,
        })
    }
}

/// A position in one of the store's lists: the list's name and the sort key
/// of the item the position is just after.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    list: String,
    key: Vec<Value>,
}

/// The longest cursor [`Cursor::decode`] reads: keys are a few ids and
/// dates, and a client's string is bounded before it is decoded.
const MAX_ENCODED: usize = 1024;

impl Cursor {
    /// The cursor's text, safe in a URL as it is.
    pub fn encode(&self) -> String {
        let mut parts = vec![serde_json::Value::from(self.list.as_str())];
        parts.extend(self.key.iter().map(|v| match v {
            Value::Integer(i) => serde_json::Value::from(*i),
            Value::Text(s) => serde_json::Value::from(s.as_str()),
            // Keys are integers, text or NULL (see `Keyset`).
            _ => serde_json::Value::Null,
        }));
        URL_SAFE_NO_PAD.encode(serde_json::Value::Array(parts).to_string())
    }

    /// Reads a cursor written by [`Cursor::encode`]; the error says what is
    /// wrong with it. Which list it belongs to is checked when it is used.
    pub fn decode(text: &str) -> Result<Cursor, String> {
        if text.len() > MAX_ENCODED {
            return Err(format!("cursor longer than {MAX_ENCODED} characters"));
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| "cursor is not one this server wrote (bad base64)".to_string())?;
        let parts: Vec<serde_json::Value> = serde_json::from_slice(&bytes)
            .map_err(|_| "cursor is not one this server wrote (bad JSON)".to_string())?;
        let Some((serde_json::Value::String(list), key)) = parts.split_first() else {
            return Err("cursor is not one this server wrote (no list)".into());
        };
        let key = key
            .iter()
            .map(|v| match v {
                serde_json::Value::Null => Ok(Value::Null),
                serde_json::Value::String(s) => Ok(Value::Text(s.clone())),
                serde_json::Value::Number(n) => n
                    .as_i64()
                    .map(Value::Integer)
                    .ok_or_else(|| "cursor key is not an integer".to_string()),
                _ => Err("cursor key is not text, an integer or null".to_string()),
            })
            .collect::<Result<_, _>>()?;
        Ok(Cursor {
            list: list.clone(),
            key,
        })
    }
}

/// A list's order: its key columns (SQL expressions), each ascending or
/// descending, together unique. A key column may be NULL only where every
/// row sharing the earlier columns' values has it NULL (the events' date
/// when they are undated): NULL is then equal to itself (`IS`) and never
/// before or after anything.
pub(crate) struct Keyset {
    /// The list's name, carried by its cursors.
    pub list: &'static str,
    /// Key columns and whether each is descending.
    pub cols: &'static [(&'static str, bool)],
    /// What the whole list is read from (a table, or a subquery and its
    /// alias) when every [`MARK_EVERY`]th row's key is kept in
    /// `list_marks` ([`Keyset::fill_marks`]): an offset into it is then one
    /// look-up and a walk of fewer than [`MARK_EVERY`] keys ([`walk`]),
    /// not a walk over up to half the list. `None` for lists only read
    /// filtered.
    pub marked: Option<&'static str>,
}

/// Every how many rows of a marked list ([`Keyset::marked`]) a key is kept.
pub(crate) const MARK_EVERY: usize = 64;

/// One contiguous range of a list after a cursor: a condition on the key,
/// the `ORDER BY` that reads it in the list's order, and the condition's
/// parameters.
pub(crate) struct Range {
    pub cond: String,
    pub order: String,
    pub args: Vec<Value>,
}

impl Keyset {
    /// The list's whole `ORDER BY`.
    pub fn order(&self) -> String {
        order_of(self.cols, false)
    }

    /// The list's `ORDER BY` backwards.
    pub fn reversed(&self) -> String {
        order_of(self.cols, true)
    }

    /// The key of `cursor`, or why it does not belong to this list.
    pub fn key<'c>(&self, cursor: &'c Cursor) -> Result<&'c [Value], String> {
        if cursor.list != self.list {
            return Err(format!(
                "cursor belongs to the {} list, not to {}",
                cursor.list, self.list
            ));
        }
        if cursor.key.len() != self.cols.len() {
            return Err("cursor key has the wrong length".into());
        }
        Ok(&cursor.key)
    }

    /// A cursor just after the item with `key`.
    pub fn cursor(&self, key: Vec<Value>) -> Cursor {
        Cursor {
            list: self.list.to_string(),
            key,
        }
    }

    /// The key columns, for a `SELECT`.
    pub fn columns(&self) -> String {
        self.cols.iter().map(|c| c.0).collect::<Vec<_>>().join(", ")
    }

    /// The key columns, named `k1`, `k2`… as `list_marks` holds them.
    fn mark_cols(&self) -> String {
        (1..=self.cols.len())
            .map(|i| format!("k{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Every [`MARK_EVERY`]th row of the marked list from its first, as
    /// `n` (its position) and its key (`k1`, `k2`…).
    fn marks_query(&self, from: &str) -> String {
        let keys = self
            .cols
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!("({c}) AS k{}", i + 1))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "SELECT n, {cols} FROM (
                SELECT row_number() OVER (ORDER BY {order}) - 1 AS n, {keys} FROM {from})
             WHERE n % {MARK_EVERY} = 0",
            cols = self.mark_cols(),
            order = self.order(),
        )
    }

    /// SQL writing the list's marks (after deleting any it had), for a
    /// marked list.
    pub fn fill_marks(&self) -> Option<String> {
        let from = self.marked?;
        Some(format!(
            "DELETE FROM list_marks WHERE list = '{list}';
             INSERT INTO list_marks (list, pos, {cols}) SELECT '{list}', * FROM ({marks});",
            list = self.list,
            cols = self.mark_cols(),
            marks = self.marks_query(from),
        ))
    }

    /// SQL counting the list's marks that differ from its rows (missing,
    /// extra or with another key), for a marked list.
    pub fn marks_problems(&self) -> Option<String> {
        let from = self.marked?;
        let kept = format!(
            "SELECT pos, {cols} FROM list_marks WHERE list = '{list}'",
            list = self.list,
            cols = self.mark_cols()
        );
        Some(crate::rows_differ(&kept, &self.marks_query(from)))
    }

    /// SQL reading the key a marked list keeps at a position (`?1`).
    pub fn mark_at(&self) -> String {
        format!(
            "SELECT {cols} FROM list_marks WHERE list = '{list}' AND pos = ?1",
            cols = self.mark_cols(),
            list = self.list
        )
    }

    /// The rows after `key`, as ranges to read one after another: first
    /// the rest of the rows equal to `key` on all but its last column, then
    /// those equal on all but its last two, and so on. Each range is one
    /// stretch of an index on the key: the equal columns fix its start,
    /// the first unequal one bounds it, and the `ORDER BY` names only the
    /// columns the range does not fix (naming the fixed ones too made
    /// SQLite sort the whole range).
    pub fn after(&self, key: &[Value]) -> Vec<Range> {
        (0..self.cols.len())
            .rev()
            .map(|j| {
                let mut cond: Vec<String> = self.cols[..j]
                    .iter()
                    .map(|(c, _)| format!("({c}) IS ?"))
                    .collect();
                let (c, desc) = self.cols[j];
                cond.push(format!("({c}) {} ?", if desc { "<" } else { ">" }));
                Range {
                    cond: cond.join(" AND "),
                    order: order_of(&self.cols[j..], false),
                    args: key[..=j].to_vec(),
                }
            })
            .collect()
    }
}

/// `ORDER BY` terms for `cols`, each direction flipped when `backwards`.
fn order_of(cols: &[(&str, bool)], backwards: bool) -> String {
    cols.iter()
        .map(|(c, desc)| {
            if *desc != backwards {
                format!("{c} DESC")
            } else {
                c.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a page begins, once its start is resolved: see [`begin`].
#[derive(Debug, Clone, PartialEq)]
enum Begin {
    /// At the list's first row.
    First,
    /// Just after the row with this key.
    After(Vec<Value>),
    /// Past the list's end: the page is empty.
    End,
}

/// Resolves `start` to where its page begins. `probe(backwards, offset)`
/// returns the key of the row `offset` rows into the list (read from its
/// end when `backwards`), or `None` past its end; `total` is the list's
/// length.
///
/// An offset is turned into the key of the row before it, counted from
/// whichever end of the list is nearer, so that the page is then read as
/// after a cursor. A key a client sends is checked: `bad` makes the error
/// for one that is not this list's.
fn begin<E>(
    keyset: &Keyset,
    start: &Start,
    total: usize,
    probe: impl FnOnce(bool, usize) -> Result<Option<Vec<Value>>, E>,
    bad: impl FnOnce(String) -> E,
) -> Result<Begin, E> {
    Ok(match start {
        Start::Offset(0) => Begin::First,
        Start::Offset(n) if *n >= total => Begin::End,
        Start::Offset(n) => {
            let backwards = total - n < *n;
            let at = if backwards { total - n } else { n - 1 };
            probe(backwards, at)?.map_or(Begin::End, Begin::After)
        }
        Start::After(cursor) => Begin::After(keyset.key(cursor).map_err(bad)?.to_vec()),
    })
}

/// The page of a list from the rows read where it begins: up to one past
/// `limit` of them, each an item and its key; the row past the page says
/// there is a next one, and the page's last key is its cursor.
fn finish<T>(
    keyset: &Keyset,
    total: usize,
    limit: usize,
    mut rows: Vec<(T, Vec<Value>)>,
) -> Page<T> {
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|(_, key)| keyset.cursor(key.clone()))
    } else {
        None
    };
    Page {
        total,
        items: rows.into_iter().map(|(item, _)| item).collect(),
        next,
    }
}

/// The key `skip` rows after `key` in the list's order (`key` itself when
/// `skip` is 0), or `None` when the list ends first. `run_keys(cond, order,
/// args, limit)` returns up to `limit` keys of the list where `cond` holds,
/// in `order`; they are read through [`Keyset::after`]'s ranges.
pub(crate) fn walk<E>(
    keyset: &Keyset,
    key: Vec<Value>,
    skip: usize,
    mut run_keys: impl FnMut(&str, &str, &[Value], usize) -> Result<Vec<Vec<Value>>, E>,
) -> Result<Option<Vec<Value>>, E> {
    if skip == 0 {
        return Ok(Some(key));
    }
    let mut left = skip;
    for range in keyset.after(&key) {
        let mut keys = run_keys(&range.cond, &range.order, &range.args, left)?;
        if keys.len() >= left {
            keys.truncate(left);
            return Ok(keys.pop());
        }
        left -= keys.len();
    }
    Ok(None)
}

/// Reads one page from `start` ([`begin`], then [`finish`]).
/// `run(cond, order, args, limit)` returns up to `limit` rows (item and
/// key) of the list where `cond` holds, in `order`; `probe` is
/// [`begin`]'s. After a key the list is read as [`Keyset::after`]'s ranges.
pub(crate) fn page<T, E>(
    keyset: &Keyset,
    start: &Start,
    limit: usize,
    total: usize,
    mut run: impl FnMut(&str, &str, &[Value], usize) -> Result<Vec<(T, Vec<Value>)>, E>,
    probe: impl FnOnce(bool, usize) -> Result<Option<Vec<Value>>, E>,
    bad: impl FnOnce(String) -> E,
) -> Result<Page<T>, E> {
    let begin = begin(keyset, start, total, probe, bad)?;
    let want = limit.saturating_add(1);
    let mut rows = Vec::new();
    match begin {
        Begin::End => {}
        Begin::First => rows = run("1", &keyset.order(), &[], want)?,
        Begin::After(key) => {
            for range in keyset.after(&key) {
                rows.extend(run(
                    &range.cond,
                    &range.order,
                    &range.args,
                    want - rows.len(),
                )?);
                if rows.len() >= want {
                    break;
                }
            }
        }
    }
    Ok(finish(keyset, total, limit, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_what_they_did_not_write() {
        let c = Cursor {
            list: "events".into(),
            key: vec![
                Value::Integer(0),
                Value::Text("2026-03-01 \"x\" é".into()),
                Value::Null,
            ],
        };
        let text = c.encode();
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(Cursor::decode(&text).unwrap(), c);
        for bad in ["", "!!", "e30", "WyJ4IiwxLjVd", &"A".repeat(2000)] {
            assert!(Cursor::decode(bad).is_err(), "{bad}");
        }
        let ks = Keyset {
            list: "quotes",
            cols: &[("article", false), ("id", false)],
            marked: None,
        };
        assert!(ks.key(&c).unwrap_err().contains("events"));
    }

    #[test]
    fn ranges_after_a_key_cover_the_rest_of_the_order() {
        let ks = Keyset {
            list: "t",
            cols: &[("a", false), ("b", true), ("c", false)],
            marked: None,
        };
        let key = [Value::Integer(1), Value::Integer(5), Value::Integer(7)];
        let r = ks.after(&key);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].cond, "(a) IS ? AND (b) IS ? AND (c) > ?");
        assert_eq!(r[0].order, "c");
        assert_eq!(r[1].cond, "(a) IS ? AND (b) < ?");
        assert_eq!(r[1].order, "b DESC, c");
        assert_eq!(r[2].cond, "(a) > ?");
        assert_eq!(r[2].order, "a, b DESC, c");
        assert_eq!(r[2].args, key[..1]);
    }

    #[test]
    fn a_walk_from_a_key_crosses_its_ranges() {
        let ks = Keyset {
            list: "t",
            cols: &[("a", false), ("b", false)],
            marked: None,
        };
        let rows: Vec<(i64, i64)> = (0..5).flat_map(|a| (0..3).map(move |b| (a, b))).collect();
        let key = |(a, b): (i64, i64)| vec![Value::Integer(a), Value::Integer(b)];
        let int = |v: &Value| match v {
            Value::Integer(i) => *i,
            other => panic!("{other:?}"),
        };
        // The two ranges after (a, b): the rest of a's rows, then later a's.
        let run = |cond: &str, _: &str, args: &[Value], limit: usize| {
            let a = int(&args[0]);
            let rest = cond.contains("(b) > ?").then(|| int(&args[1]));
            Ok::<_, ()>(
                rows.iter()
                    .filter(|r| match rest {
                        Some(b) => r.0 == a && r.1 > b,
                        None => r.0 > a,
                    })
                    .take(limit)
                    .map(|&r| key(r))
                    .collect(),
            )
        };
        for (i, &r) in rows.iter().enumerate() {
            for skip in 0..rows.len() + 2 {
                let want = rows.get(i + skip).map(|&r| key(r));
                assert_eq!(walk(&ks, key(r), skip, &run), Ok(want), "{r:?} {skip}");
            }
        }
    }

    #[test]
    fn a_start_begins_where_its_page_does() {
        let ks = Keyset {
            list: "t",
            cols: &[("a", false)],
            marked: None,
        };
        let probe = |backwards: bool, at: usize| -> Result<Option<Vec<Value>>, String> {
            // Ten rows keyed 0..10.
            let k = if backwards { 9 - at as i64 } else { at as i64 };
            Ok((at < 10).then(|| vec![Value::Integer(k)]))
        };
        let at = |n| begin(&ks, &Start::Offset(n), 10, probe, |e| e).unwrap();
        assert_eq!(at(0), Begin::First);
        // Offsets 2 and 8 are each probed from their nearer end.
        assert_eq!(at(2), Begin::After(vec![Value::Integer(1)]));
        assert_eq!(at(8), Begin::After(vec![Value::Integer(7)]));
        assert_eq!(at(10), Begin::End);
        // A list shorter than its count said ends the page there.
        let short = begin(&ks, &Start::Offset(5), 10, |_, _| Ok(None), |e| e);
        assert_eq!(short, Ok::<_, String>(Begin::End));
        let theirs = Start::After(Cursor {
            list: "u".into(),
            key: vec![Value::Integer(3)],
        });
        assert!(begin(&ks, &theirs, 10, probe, |e| e).is_err());
        let rows = |n: i64| (1..=n).map(|k| (k, vec![Value::Integer(k)])).collect();
        let page = finish(&ks, 10, 2, rows(3));
        assert_eq!(page.items, [1, 2]);
        assert_eq!(page.next, Some(ks.cursor(vec![Value::Integer(2)])));
        assert_eq!(finish(&ks, 10, 3, rows(3)).next, None);
    }
}
