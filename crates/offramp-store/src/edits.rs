//! Hand edits with a history (table `edits`, schema 8): add a transaction, correct one (a new row replaces it),
//! void one, or undo an earlier edit. Nothing is deleted or overwritten; every edit is a record naming what it
//! replaces, who made it and when. Each edit is one database transaction: its record, the new row (if any) and
//! the derived `transactions.retired` flags change together or not at all.

use offramp_core::{Amount, Timestamp, Transaction};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Ledger, StoreError};

/// The source file name of rows an edit wrote (their line is the edit's id): "edit:12" is edit 12.
pub const EDIT_SOURCE: &str = "edit";

/// What an edit does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum EditAction {
    /// A transaction the files do not have (the purchase of coins that arrived from outside).
    Add,
    /// A corrected transaction replacing another (a price, an amount, a kind).
    Edit,
    /// A transaction taken out of every report (listed as voided).
    Void,
    /// An earlier edit taken back.
    Undo,
}

impl EditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            EditAction::Add => "add",
            EditAction::Edit => "edit",
            EditAction::Void => "void",
            EditAction::Undo => "undo",
        }
    }

    fn parse(s: &str) -> Option<EditAction> {
        [EditAction::Add, EditAction::Edit, EditAction::Void, EditAction::Undo].into_iter().find(|a| a.as_str() == s)
    }
}

/// An edit to make.
#[derive(Debug, Clone)]
pub struct NewEdit<'a> {
    pub action: EditAction,
    /// The transaction corrected or voided (edit, void), or the edit undone (undo).
    pub target: Option<i64>,
    /// The new transaction (add, edit); validated before it is stored.
    pub tx: Option<&'a Transaction>,
    /// Why (a note), and a reference to a document that supports it (a receipt, a bank statement).
    pub reason: &'a str,
    pub document: &'a str,
    /// Where a price came from, when the edit sets one ("Kraken daily candle 2024-03-05, close", "you").
    pub price_source: Option<&'a str>,
    /// Who made it.
    pub made_by: &'a str,
}

/// A stored edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EditRow {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub action: EditAction,
    /// The transaction corrected or voided.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub target: Option<i64>,
    /// The transaction the edit wrote.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub replacement: Option<i64>,
    /// The edit this one undoes.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub undoes: Option<i64>,
    pub reason: String,
    pub document: String,
    pub price_source: Option<String>,
    pub made_by: String,
    pub made_at: Timestamp,
    /// Whether it stands (no later edit undid it).
    pub standing: bool,
}

fn invalid(s: impl Into<String>) -> StoreError {
    StoreError::Invalid(s.into())
}

/// The longest reason, document reference or price source kept.
const MAX_TEXT: usize = 2_000;

impl Ledger {
    /// Makes an edit (see the module's documentation). Refused, with nothing changed: an edit or void of a
    /// transaction that is not in the reports (voided or replaced already: edit its replacement), an undo of an
    /// edit that was undone already or is itself an undo, an undo of a correction that a later edit corrected
    /// again (undo the later one first), and a new transaction that does not validate.
    pub fn apply_edit(&mut self, e: &NewEdit<'_>, now: Timestamp) -> Result<EditRow, StoreError> {
        let ids = self.apply_edits(std::slice::from_ref(e), now)?;
        self.edit(ids[0])?.ok_or_else(|| invalid("the edit was not stored"))
    }

    /// Makes several edits in one database transaction: all of them, or (on the first refusal) none. Returns
    /// their ids.
    pub fn apply_edits(&mut self, edits: &[NewEdit<'_>], now: Timestamp) -> Result<Vec<i64>, StoreError> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut ids = Vec::with_capacity(edits.len());
        // The derived flags are recomputed once at the end (an edit's checks read them), so two edits of one
        // transaction in a batch are refused here, and a batch with an undo recomputes after each edit.
        let mut targets = std::collections::HashSet::new();
        let undo = edits.iter().any(|e| e.action == EditAction::Undo);
        for e in edits {
            if let (EditAction::Edit | EditAction::Void, Some(t)) = (e.action, e.target) {
                if !targets.insert(t) {
                    return Err(invalid(format!("transaction {t} is edited twice in one batch")));
                }
            }
            ids.push(apply_one(&tx, e, now)?);
            if undo {
                recompute_retired(&tx)?;
            }
        }
        recompute_retired(&tx)?;
        tx.commit()?;
        Ok(ids)
    }
}

fn apply_one(tx: &rusqlite::Transaction, e: &NewEdit<'_>, now: Timestamp) -> Result<i64, StoreError> {
    for (field, text) in
        [("reason", e.reason), ("document", e.document), ("price source", e.price_source.unwrap_or(""))]
    {
        if text.len() > MAX_TEXT || text.contains(['\0']) {
            return Err(invalid(format!("{field}: at most {MAX_TEXT} characters of text")));
        }
    }
    let needs_tx = matches!(e.action, EditAction::Add | EditAction::Edit);
    if needs_tx != e.tx.is_some() {
        return Err(invalid(format!(
            "an `{}` edit {} a transaction",
            e.action.as_str(),
            if needs_tx { "needs" } else { "takes no" }
        )));
    }
    if let Some(t) = e.tx {
        t.validate().map_err(|err| invalid(format!("{}: {}", err.field, err.reason)))?;
    }
    let (target_tx, undoes) = match e.action {
        EditAction::Add => (None, None),
        EditAction::Edit | EditAction::Void => {
            let id = e.target.ok_or_else(|| invalid("which transaction: an id is needed"))?;
            let retired: Option<i64> =
                tx.query_row("SELECT retired FROM transactions WHERE id = ?1", [id], |r| r.get(0)).optional()?;
            match retired {
                None => return Err(invalid(format!("transaction {id}: no such transaction"))),
                Some(1) => {
                    return Err(invalid(format!(
                        "transaction {id} is voided or replaced already (see `offramp tx history {id}`); edit the \
                         transaction that stands instead"
                    )))
                }
                Some(_) => (Some(id), None),
            }
        }
        EditAction::Undo => {
            let id = e.target.ok_or_else(|| invalid("which edit: an edit id is needed"))?;
            let found: Option<(String, Option<i64>)> = tx
                .query_row("SELECT action, replacement_tx FROM edits WHERE id = ?1", [id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            let Some((action, replacement)) = found else {
                return Err(invalid(format!("edit {id}: no such edit")));
            };
            if action == "undo" {
                return Err(invalid(format!("edit {id} is an undo; it cannot be undone (make the edit again)")));
            }
            let undone: bool = tx.query_row("SELECT count(*) > 0 FROM edits WHERE undoes = ?1", [id], |r| r.get(0))?;
            if undone {
                return Err(invalid(format!("edit {id} was undone already")));
            }
            if let Some(r) = replacement {
                let later: Option<i64> = tx
                    .query_row(
                        "SELECT e.id FROM edits e WHERE e.target_tx = ?1 AND e.action IN ('edit', 'void')
                           AND NOT EXISTS (SELECT 1 FROM edits u WHERE u.undoes = e.id)",
                        [r],
                        |row| row.get(0),
                    )
                    .optional()?;
                if let Some(later) = later {
                    return Err(invalid(format!(
                        "edit {id}'s transaction {r} was changed again by edit {later}: undo edit {later} first"
                    )));
                }
            }
            (None, Some(id))
        }
    };
    // The write lock is held (IMMEDIATE): the next id is this edit's.
    let edit_id: i64 = tx.query_row("SELECT ifnull(max(id), 0) + 1 FROM edits", [], |r| r.get(0))?;
    let replacement = match e.tx {
        Some(t) => Some(insert_row(tx, t, edit_id, now)?),
        None => None,
    };
    tx.execute(
        "INSERT INTO edits (id, action, target_tx, replacement_tx, undoes, reason, document, price_source, made_by,
                            made_at_us)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            edit_id,
            e.action.as_str(),
            target_tx,
            replacement,
            undoes,
            e.reason.trim(),
            e.document.trim(),
            e.price_source.map(str::trim),
            e.made_by,
            now.unix_micros()
        ],
    )?;
    Ok(edit_id)
}

impl Ledger {
    /// One edit by id.
    pub fn edit(&self, id: i64) -> Result<Option<EditRow>, StoreError> {
        Ok(self.edits_where("WHERE e.id = ?1", params![id])?.into_iter().next())
    }

    /// Every edit, oldest first.
    pub fn edits(&self) -> Result<Vec<EditRow>, StoreError> {
        self.edits_where("", params![])
    }

    /// The edits that touch transaction `id` (corrected, voided or wrote it), oldest first.
    pub fn edits_of(&self, id: i64) -> Result<Vec<EditRow>, StoreError> {
        self.edits_where("WHERE e.target_tx = ?1 OR e.replacement_tx = ?1", params![id])
    }

    fn edits_where(&self, filter: &str, args: impl rusqlite::Params) -> Result<Vec<EditRow>, StoreError> {
        let sql = format!(
            "SELECT e.id, e.action, e.target_tx, e.replacement_tx, e.undoes, e.reason, e.document, e.price_source,
                    e.made_by, e.made_at_us, NOT EXISTS (SELECT 1 FROM edits u WHERE u.undoes = e.id)
             FROM edits e {filter} ORDER BY e.id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(args, |r| {
            let action: String = r.get(1)?;
            // The table's CHECK admits only the four actions; anything else is damage, never read as one of them.
            let action = EditAction::parse(&action).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    1,
                    rusqlite::types::Type::Text,
                    format!("edit action `{action}`").into(),
                )
            })?;
            Ok(EditRow {
                id: r.get(0)?,
                action,
                target: r.get(2)?,
                replacement: r.get(3)?,
                undoes: r.get(4)?,
                reason: r.get(5)?,
                document: r.get(6)?,
                price_source: r.get(7)?,
                made_by: r.get(8)?,
                made_at: Timestamp::from_unix_micros(r.get(9)?),
                standing: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Writes `t` as a new row for edit `edit_id`: its own source row (file 'edit', the edit's id as the line) and a
/// fingerprint of the edit (never equal to an imported row's, so a re-import neither collides with it nor brings
/// back what it replaced).
fn insert_row(tx: &rusqlite::Transaction, t: &Transaction, edit_id: i64, now: Timestamp) -> Result<i64, StoreError> {
    let account_id: i64 =
        match tx.query_row("SELECT id FROM accounts WHERE name = ?1", [t.account.as_str()], |r| r.get(0)).optional()? {
            Some(id) => id,
            None => {
                tx.execute("INSERT INTO accounts (name, venue) VALUES (?1, 'other')", [t.account.as_str()])?;
                tx.last_insert_rowid()
            }
        };
    let digest = Sha256::digest(format!("offramp edit {edit_id}").as_bytes());
    tx.execute(
        "INSERT INTO sources (file_name, file_sha256, format, imported_at_us, rows_read, rows_added)
         VALUES (?1, ?2, 'edit', ?3, 1, 1)",
        params![EDIT_SOURCE, &digest[..], now.unix_micros()],
    )?;
    let source_id = tx.last_insert_rowid();
    let text = |a: &Option<Amount>| a.map(|a| (a.value().to_string(), a.code().to_string()));
    let (s, r, f, v) = (text(&t.sent), text(&t.received), text(&t.fee), text(&t.fiat_value));
    let split = |x: &Option<(String, String)>| (x.as_ref().map(|p| p.0.clone()), x.as_ref().map(|p| p.1.clone()));
    let ((sa, sc), (ra, rc), (fa, fc), (va, vc)) = (split(&s), split(&r), split(&f), split(&v));
    tx.execute(
        "INSERT INTO transactions (account_id, ts_us, kind, sent_amount, sent_asset, received_amount, received_asset,
            fee_amount, fee_asset, value_amount, value_currency, external_id, note, source_id, source_line, fingerprint)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            account_id,
            t.timestamp.unix_micros(),
            t.kind.as_str(),
            sa,
            sc,
            ra,
            rc,
            fa,
            fc,
            va,
            vc,
            t.external_id,
            t.note,
            source_id,
            edit_id,
            &digest[..16]
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Sets `transactions.retired` from the edits: a row is retired when a standing edit corrected or voided it, or
/// when an undone edit wrote it.
pub(crate) fn recompute_retired(tx: &rusqlite::Transaction) -> Result<(), StoreError> {
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS retired_now (id INTEGER PRIMARY KEY);
         DELETE FROM retired_now;
         INSERT OR IGNORE INTO retired_now (id)
           SELECT target_tx FROM edits e WHERE e.action IN ('edit', 'void')
             AND NOT EXISTS (SELECT 1 FROM edits u WHERE u.undoes = e.id)
           UNION
           SELECT replacement_tx FROM edits e WHERE e.action IN ('add', 'edit')
             AND EXISTS (SELECT 1 FROM edits u WHERE u.undoes = e.id);
         UPDATE transactions SET retired = 0 WHERE retired <> 0 AND id NOT IN (SELECT id FROM retired_now);
         UPDATE transactions SET retired = 1 WHERE retired = 0 AND id IN (SELECT id FROM retired_now);
         DELETE FROM retired_now;",
    )?;
    Ok(())
}
