//! The import's INSERT, prepared once and bound without copying its texts.
//!
//! Through rusqlite every text parameter is bound with `SQLITE_TRANSIENT`: SQLite allocates and copies it, and
//! frees it at the next bind; for an import that is eight allocations and copies per row, a large part of the
//! writer's time. Here texts are bound with `SQLITE_STATIC` instead, which is sound because:
//! - every text bound lives in the chunk of rows being written, which outlives the call that binds and steps;
//! - every parameter is bound again before each step, and the statement is reset (and its bindings cleared)
//!   right after it, so SQLite never reads a pointer from an earlier row;
//! - the statement borrows the connection, so it cannot outlive it, and is finalised when dropped.
// The one module allowed `unsafe` (see the workspace lints): its soundness is argued above.
#![allow(unsafe_code)]

use std::ffi::{c_int, CString};
use std::marker::PhantomData;

use rusqlite::{ffi, Connection};

/// One prepared statement of the connection `'c`.
pub(crate) struct RawInsert<'c> {
    db: *mut ffi::sqlite3,
    stmt: *mut ffi::sqlite3_stmt,
    params: c_int,
    _conn: PhantomData<&'c Connection>,
}

/// A value to bind.
pub(crate) enum Param<'a> {
    Int(i64),
    Text(Option<&'a str>),
    Blob(&'a [u8]),
}

impl<'c> RawInsert<'c> {
    pub(crate) fn new(conn: &'c Connection, sql: &str) -> rusqlite::Result<RawInsert<'c>> {
        let text = CString::new(sql).map_err(|_| rusqlite::Error::InvalidQuery)?;
        // SAFETY: `handle` is the open connection `conn`, borrowed for 'c; the SQL is a valid C string.
        unsafe {
            let db = conn.handle();
            let mut stmt = std::ptr::null_mut();
            let rc = ffi::sqlite3_prepare_v2(db, text.as_ptr(), -1, &mut stmt, std::ptr::null_mut());
            if rc != ffi::SQLITE_OK || stmt.is_null() {
                return Err(failure(db, rc));
            }
            let params = ffi::sqlite3_bind_parameter_count(stmt);
            Ok(RawInsert { db, stmt, params, _conn: PhantomData })
        }
    }

    /// Binds every parameter (exactly as many as the statement has), runs the statement, and returns the number
    /// of rows it changed.
    pub(crate) fn execute(&mut self, values: &[Param<'_>]) -> rusqlite::Result<usize> {
        if values.len() != self.params as usize {
            return Err(rusqlite::Error::InvalidParameterCount(values.len(), self.params as usize));
        }
        // SAFETY: `stmt` is a live statement of `db`. Texts and blobs are bound SQLITE_STATIC: they are borrowed for
        // this call, and the statement is reset and its bindings cleared before returning, so SQLite never reads
        // them after it. Lengths are checked to fit a C int.
        unsafe {
            for (i, v) in values.iter().enumerate() {
                let at = i as c_int + 1;
                let rc = match v {
                    Param::Int(n) => ffi::sqlite3_bind_int64(self.stmt, at, *n),
                    Param::Text(None) => ffi::sqlite3_bind_null(self.stmt, at),
                    Param::Text(Some(s)) => {
                        let len = c_int::try_from(s.len()).map_err(|_| {
                            rusqlite::Error::ToSqlConversionFailure("a text too long for SQLite".into())
                        })?;
                        ffi::sqlite3_bind_text(self.stmt, at, s.as_ptr().cast(), len, ffi::SQLITE_STATIC())
                    }
                    Param::Blob(b) => {
                        let len = c_int::try_from(b.len()).map_err(|_| {
                            rusqlite::Error::ToSqlConversionFailure("a blob too long for SQLite".into())
                        })?;
                        ffi::sqlite3_bind_blob(self.stmt, at, b.as_ptr().cast(), len, ffi::SQLITE_STATIC())
                    }
                };
                if rc != ffi::SQLITE_OK {
                    let e = failure(self.db, rc);
                    ffi::sqlite3_reset(self.stmt);
                    ffi::sqlite3_clear_bindings(self.stmt);
                    return Err(e);
                }
            }
            let rc = ffi::sqlite3_step(self.stmt);
            let result = match rc {
                ffi::SQLITE_DONE => Ok(ffi::sqlite3_changes(self.db) as usize),
                ffi::SQLITE_ROW => Err(rusqlite::Error::ExecuteReturnedResults),
                _ => Err(failure(self.db, rc)),
            };
            ffi::sqlite3_reset(self.stmt);
            ffi::sqlite3_clear_bindings(self.stmt);
            result
        }
    }
}

/// SQLite's error for `rc`, with the connection's message.
///
/// # Safety
/// `db` is an open connection.
unsafe fn failure(db: *mut ffi::sqlite3, rc: c_int) -> rusqlite::Error {
    let message = ffi::sqlite3_errmsg(db);
    let message = (!message.is_null()).then(|| std::ffi::CStr::from_ptr(message).to_string_lossy().into_owned());
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), message)
}

impl Drop for RawInsert<'_> {
    fn drop(&mut self) {
        // SAFETY: `stmt` was prepared by `new` and is finalised once, here.
        unsafe {
            ffi::sqlite3_finalize(self.stmt);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (n INTEGER, s TEXT, note TEXT NOT NULL, b BLOB, CHECK (n >= 0))").unwrap();
        c
    }

    /// Texts (empty, unicode, long), NULLs, integers and blobs are stored exactly as bound, row after row, with
    /// nothing of one row carried into the next, also when the texts' buffer is gone after each call.
    #[test]
    fn stores_exactly_what_is_bound() {
        let c = table();
        {
            let mut insert = RawInsert::new(&c, "INSERT INTO t (n, s, note, b) VALUES (?1, ?2, ?3, ?4)").unwrap();
            let long = "x".repeat(100_000);
            let rows: [(i64, Option<&str>, &str, &[u8]); 4] = [
                (0, Some("0.02500000"), "", b"\x00\x01"),
                (1, None, "café, 日本", b""),
                (i64::MAX, Some(&long), "note", &[7u8; 16]),
                (3, Some(""), "", b"z"),
            ];
            for (n, s, note, b) in rows {
                // Each row's texts in a buffer of their own, dropped right after the call.
                let buffer = format!("{}|{note}", s.unwrap_or(""));
                let (s_text, note_text) = buffer.split_at(s.map_or(0, str::len));
                let s_bound = s.map(|_| s_text);
                let changed = insert
                    .execute(&[Param::Int(n), Param::Text(s_bound), Param::Text(Some(&note_text[1..])), Param::Blob(b)])
                    .unwrap();
                assert_eq!(changed, 1);
                drop(buffer);
            }
        }
        let got: Vec<(i64, Option<String>, String, Vec<u8>)> = c
            .prepare("SELECT n, s, note, b FROM t ORDER BY rowid")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(got.len(), 4);
        assert_eq!(got[0], (0, Some("0.02500000".into()), String::new(), vec![0, 1]));
        assert_eq!(got[1], (1, None, "café, 日本".into(), vec![]));
        assert_eq!((got[2].0, got[2].1.as_ref().map(String::len), got[2].3.len()), (i64::MAX, Some(100_000), 16));
        assert_eq!(got[3], (3, Some(String::new()), String::new(), b"z".to_vec()));
    }

    /// A constraint that fails is an error (with SQLite's message), the row is not stored, and the statement
    /// goes on working; a wrong number of values is refused before anything runs.
    #[test]
    fn failures_are_errors_and_leave_the_statement_usable() {
        let c = table();
        {
            let mut insert = RawInsert::new(&c, "INSERT INTO t (n, s, note, b) VALUES (?1, ?2, ?3, ?4)").unwrap();
            let bad = insert.execute(&[Param::Int(-1), Param::Text(None), Param::Text(Some("")), Param::Blob(b"")]);
            match bad {
                Err(rusqlite::Error::SqliteFailure(e, Some(msg))) => {
                    assert_eq!(e.code, rusqlite::ErrorCode::ConstraintViolation);
                    assert!(msg.contains("CHECK constraint failed"), "{msg}");
                }
                other => panic!("expected a constraint failure, got {other:?}"),
            }
            let null_note = insert.execute(&[Param::Int(1), Param::Text(None), Param::Text(None), Param::Blob(b"")]);
            assert!(matches!(null_note, Err(rusqlite::Error::SqliteFailure(..))), "{null_note:?}");
            assert!(matches!(insert.execute(&[Param::Int(1)]), Err(rusqlite::Error::InvalidParameterCount(1, 4))));
            assert_eq!(
                insert
                    .execute(&[Param::Int(2), Param::Text(Some("a")), Param::Text(Some("b")), Param::Blob(b"c")])
                    .unwrap(),
                1
            );
        }
        let n: i64 = c.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
        assert!(RawInsert::new(&c, "INSERT INTO nowhere VALUES (1)").is_err());
    }
}
