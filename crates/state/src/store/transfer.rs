//! Moving a store between backends: every row of every table, as JSON lines, and back.
//!
//! The two backends hold the same rows in the same columns, so an export is the rows
//! themselves, table by table in an order that keeps references behind what they refer to:
//! one line `{"table": "audit", "row": [1, "2026-…", …]}` per row. The audit chain travels
//! as it is (records, hashes, head); an import is checked with [`super::Store::verify`], so
//! the destination must sign with the source's audit key (copy `audit.key`).

use super::{Db, SqlError, StoreError, sql::SqlValue};

/// Every table and its columns, the key first (rows are read in its order, a page at a time).
pub const TABLES: &[(&str, &[&str])] = &[
    (
        "audit",
        &[
            "seq",
            "at",
            "subject_kind",
            "subject_id",
            "event",
            "prev_hash",
            "hash",
            "scheme",
        ],
    ),
    ("audit_head", &["id", "seq", "hash", "mac"]),
    (
        "sanctions",
        &[
            "id",
            "target_kind",
            "target_id",
            "sanction",
            "lifted",
            "audit_seq",
            "kind",
            "function",
            "ladder",
            "starts",
            "ends",
            "manual",
        ],
    ),
    (
        "strikes",
        &[
            "id",
            "target_kind",
            "target_id",
            "ladder",
            "at",
            "weight",
            "reversed",
            "audit_seq",
            "sanction_id",
        ],
    ),
    (
        "appeals",
        &["id", "sanction_id", "state", "appeal", "audit_seq"],
    ),
    ("credits", &["target_kind", "target_id", "seconds"]),
    (
        "tokens",
        &["id", "name", "role", "hash", "created_at", "revoked"],
    ),
    (
        "outbox",
        &[
            "id",
            "topic",
            "payload",
            "attempts",
            "next_at",
            "last_error",
        ],
    ),
    (
        "cases",
        &[
            "id",
            "subject_kind",
            "subject_id",
            "state",
            "reason",
            "priority",
            "assignee",
            "body",
        ],
    ),
    ("reports", &["id", "case_id", "reporter", "body"]),
    ("reporters", &["reporter", "upheld", "dismissed"]),
    ("examples", &["id", "source", "spam", "text", "at"]),
    ("preferences", &["recipient", "body", "updated_at"]),
];

/// Tables whose key PostgreSQL generates: after an import, their sequences move past it.
const GENERATED: &[&str] = &[
    "sanctions",
    "strikes",
    "appeals",
    "tokens",
    "outbox",
    "cases",
    "reports",
    "examples",
];

/// Rows read at a time.
const PAGE: usize = 5_000;

/// One exported row.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct ExportedRow {
    pub table: String,
    pub row: Vec<serde_json::Value>,
}

fn to_json(value: &SqlValue) -> serde_json::Value {
    match value {
        SqlValue::Null => serde_json::Value::Null,
        SqlValue::Int(n) => (*n).into(),
        SqlValue::Real(x) => {
            serde_json::Number::from_f64(*x).map_or(serde_json::Value::Null, Into::into)
        }
        SqlValue::Text(text) => text.clone().into(),
    }
}

fn from_json(value: &serde_json::Value) -> Option<SqlValue> {
    Some(match value {
        serde_json::Value::Null => SqlValue::Null,
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(n) => SqlValue::Int(n),
            None => SqlValue::Real(n.as_f64()?),
        },
        serde_json::Value::String(text) => SqlValue::Text(text.clone()),
        _ => return None,
    })
}

/// Give `out` every row of every table, a page at a time (memory stays bounded).
pub(super) fn export(
    db: &Db<'_>,
    out: &mut dyn FnMut(ExportedRow) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    let mut count = 0;
    for (table, columns) in TABLES {
        let key = columns[0];
        let list = columns.join(", ");
        let mut after: Option<SqlValue> = None;
        loop {
            let rows = match &after {
                None => db.rows(
                    &format!("SELECT {list} FROM {table} ORDER BY {key} LIMIT ?1"),
                    &[SqlValue::Int(PAGE as i64)],
                )?,
                Some(last) => db.rows(
                    &format!("SELECT {list} FROM {table} WHERE {key} > ?1 ORDER BY {key} LIMIT ?2"),
                    &[last.clone(), SqlValue::Int(PAGE as i64)],
                )?,
            };
            let full = rows.len() == PAGE;
            for row in &rows {
                let values = row.values();
                after = values.first().cloned();
                out(ExportedRow {
                    table: (*table).to_owned(),
                    row: values.iter().map(to_json).collect(),
                })?;
                count += 1;
            }
            // `credits` has a key of two columns: read whole (one row per target with credit).
            if !full || *table == "credits" {
                break;
            }
        }
    }
    Ok(count)
}

/// Insert exported rows into an empty store, in one transaction; returns how many.
pub(super) fn import(
    db: &Db<'_>,
    rows: &mut dyn Iterator<Item = Result<ExportedRow, StoreError>>,
) -> Result<u64, StoreError> {
    let existing: i64 = db.query_row("SELECT COUNT(*) FROM audit", &[], |r| r.get(0))?;
    if existing > 0 {
        return Err(StoreError::Refused(format!(
            "the destination already holds {existing} audit records; import into a new store"
        )));
    }
    // An empty embedded store has a head at the genesis; the export brings its own.
    db.execute("DELETE FROM audit_head", &[])?;
    let mut count = 0;
    for (line, row) in rows.enumerate() {
        let row = row?;
        let at = || format!("line {}", line + 1);
        let Some((table, columns)) = TABLES.iter().find(|(name, _)| *name == row.table) else {
            return Err(StoreError::Refused(format!(
                "{}: `{}` is not a table menshen exports",
                at(),
                row.table
            )));
        };
        if row.row.len() != columns.len() {
            return Err(StoreError::Refused(format!(
                "{}: {} values for the {} columns of {table}",
                at(),
                row.row.len(),
                columns.len()
            )));
        }
        let values: Vec<SqlValue> = row
            .row
            .iter()
            .map(from_json)
            .collect::<Option<_>>()
            .ok_or_else(|| {
                StoreError::Refused(format!(
                    "{}: a value that is not a number, text or null",
                    at()
                ))
            })?;
        let placeholders: Vec<String> = (1..=columns.len()).map(|n| format!("?{n}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            columns.join(", "),
            placeholders.join(", ")
        );
        db.execute(&sql, &values)?;
        count += 1;
    }
    if db.dialect() == super::sql::Dialect::Postgres {
        for table in GENERATED {
            db.rows(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(COALESCE(MAX(id), 0), 1), COALESCE(MAX(id), 0) > 0) FROM {table}"
                ),
                &[],
            )
            .map_err(|e: SqlError| StoreError::from(e))?;
        }
    }
    Ok(count)
}
