//! Import files: CSV with a header row, or JSON lines. A reader thread parses the file and hands
//! batches to the importer, so memory stays flat however large the file is.
//!
//! CSV columns: `personnel_number, first_name, middle_name, last_name, email, phone,
//! employment_start, employment_end, status, skills, certificates` (only `first_name` and
//! `last_name` are required). `skills` holds `CODE:LEVEL[:LEVEL_DATE]` items separated by `;`,
//! `certificates` holds `CODE:ISSUED_ON[:EXPIRES_ON]` items separated by `;`.
//! JSON lines: one worker object per line, with `skills: [{skill, level, level_date?}]` and
//! `certificates: [{certificate_type, issued_on, expires_on?}]`.

use super::import::{ImportReport, ImportRow, Importer, RejectedRow};
use crate::error::{StoreError, StoreResult};
use crate::{Actor, HrStore};
use chrono::NaiveDate;
use hrbridge_domain::error::field_error;
use hrbridge_domain::hr::{CertificateAssignment, SkillAssignment, WorkerInput, WorkerStatus};
use hrbridge_domain::value::{EARLIEST_YEAR, LATEST_YEAR};
use hrbridge_domain::FieldError;
use serde::Deserialize;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub const BATCH_ROWS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    /// From a file name: `.jsonl`/`.ndjson`/`.json` are JSON lines, anything else CSV.
    pub fn from_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("jsonl" | "ndjson" | "json") => Format::JsonLines,
            _ => Format::Csv,
        }
    }
    /// From a Content-Type header.
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        let media = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match media.as_str() {
            "text/csv" => Some(Format::Csv),
            "application/x-ndjson" | "application/jsonl" | "application/x-jsonlines" | "application/json" => {
                Some(Format::JsonLines)
            }
            _ => None,
        }
    }
}

pub type ParsedRow = Result<ImportRow, RejectedRow>;

fn rejected(line: u64, personnel_number: Option<String>, error: FieldError) -> RejectedRow {
    RejectedRow { line, personnel_number, errors: vec![error] }
}

const CSV_COLUMNS: [&str; 11] = [
    "personnel_number",
    "first_name",
    "middle_name",
    "last_name",
    "email",
    "phone",
    "employment_start",
    "employment_end",
    "status",
    "skills",
    "certificates",
];

fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    let shown: String = raw.trim().chars().take(40).collect();
    let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| field_error(field, format!("'{shown}' is not a date like 2024-03-31")))?;
    let year = chrono::Datelike::year(&date);
    if !(EARLIEST_YEAR..=LATEST_YEAR).contains(&year) {
        return Err(field_error(field, format!("must be a date from {EARLIEST_YEAR}-01-01 to {LATEST_YEAR}-12-31")));
    }
    Ok(date)
}

fn optional_date(field: &str, raw: &str) -> Result<Option<NaiveDate>, FieldError> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(field, raw).map(Some)
    }
}

fn items(cell: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty()).enumerate().map(|(i, s)| (i, s.split(':').collect()))
}

fn csv_row(header: &[usize], record: &csv::StringRecord, line: u64) -> ParsedRow {
    let mut cells: [&str; 11] = [""; 11];
    for (i, value) in record.iter().enumerate() {
        if let Some(&column) = header.get(i) {
            cells[column] = value;
        }
    }
    let [number, first, middle, last, email, phone, start, end, status, skills, certs] = cells;
    let some = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
    let personnel_number = some(number);
    let fail = |e: FieldError| rejected(line, personnel_number.clone(), e);
    let status = match status.trim() {
        "" => None,
        s => Some(
            WorkerStatus::parse(s)
                .ok_or_else(|| fail(field_error("status", "must be active, inactive or terminated")))?,
        ),
    };
    let worker = WorkerInput {
        personnel_number: personnel_number.clone(),
        first_name: first.to_string(),
        middle_name: some(middle),
        last_name: last.to_string(),
        email: some(email),
        phone: some(phone),
        employment_start: optional_date("employment_start", start).map_err(fail)?,
        employment_end: optional_date("employment_end", end).map_err(fail)?,
        status,
    };
    let mut skill_list = Vec::new();
    for (i, parts) in items(skills) {
        let field = format!("skills[{i}]");
        match parts.as_slice() {
            [code, level] | [code, level, ""] => {
                skill_list.push(SkillAssignment { skill: code.to_string(), level: level.to_string(), level_date: None })
            }
            [code, level, date] => skill_list.push(SkillAssignment {
                skill: code.to_string(),
                level: level.to_string(),
                level_date: Some(parse_date(&format!("{field}.level_date"), date).map_err(fail)?),
            }),
            _ => return Err(fail(field_error(&field, "must be CODE:LEVEL or CODE:LEVEL:LEVEL_DATE"))),
        }
    }
    let mut cert_list = Vec::new();
    for (i, parts) in items(certs) {
        let field = format!("certificates[{i}]");
        let (code, issued, expires) = match parts.as_slice() {
            [code, issued] => (code, issued, ""),
            [code, issued, expires] => (code, issued, *expires),
            _ => return Err(fail(field_error(&field, "must be CODE:ISSUED_ON or CODE:ISSUED_ON:EXPIRES_ON"))),
        };
        cert_list.push(CertificateAssignment {
            certificate_type: code.to_string(),
            issued_on: parse_date(&format!("{field}.issued_on"), issued).map_err(fail)?,
            expires_on: optional_date(&format!("{field}.expires_on"), expires).map_err(fail)?,
        });
    }
    Ok(ImportRow { line, worker, skills: skill_list, certificates: cert_list })
}

/// A JSON line: any object. (No `deny_unknown_fields` here: with `flatten` it refuses every
/// field; unknown fields are refused when the object is read as a `WorkerInput`.)
#[derive(Deserialize)]
struct JsonRow {
    #[serde(flatten)]
    worker: serde_json::Map<String, serde_json::Value>,
}

fn json_row(text: &str, line: u64) -> ParsedRow {
    let mut object: serde_json::Map<String, serde_json::Value> = match serde_json::from_str::<JsonRow>(text) {
        Ok(row) => row.worker,
        Err(e) => return Err(rejected(line, None, field_error("$", format!("not a JSON object: {e}")))),
    };
    let personnel_number = object.get("personnel_number").and_then(|v| v.as_str()).map(str::to_string);
    let fail = |field: String, e: String| rejected(line, personnel_number.clone(), field_error(&field, e));
    let skills = object.remove("skills").unwrap_or(serde_json::Value::Array(vec![]));
    let certificates = object.remove("certificates").unwrap_or(serde_json::Value::Array(vec![]));
    let worker: WorkerInput = deserialize(serde_json::Value::Object(object)).map_err(|(f, e)| fail(f, e))?;
    let skills: Vec<SkillAssignment> = deserialize(skills).map_err(|(f, e)| fail(format!("skills{f}"), e))?;
    let certificates: Vec<CertificateAssignment> =
        deserialize(certificates).map_err(|(f, e)| fail(format!("certificates{f}"), e))?;
    Ok(ImportRow { line, worker, skills, certificates })
}

/// Deserializes with the path of the failing field: `(field, message)`.
pub fn deserialize<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        // serde names a missing field in its message, not its path.
        let field = match message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
            Some(missing) if path == "." => missing.to_string(),
            Some(missing) => format!("{path}.{missing}"),
            None if path == "." => "$".to_string(),
            None => path,
        };
        (field, message)
    })
}

/// Counts the bytes read through it: the progress of a file import.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads `reader` as `format`, sending batches of parsed rows to `sink`. Runs on a blocking
/// thread. A file-level problem (a bad CSV header) is an error.
pub fn read_rows(reader: impl Read, format: Format, mut sink: impl FnMut(Vec<ParsedRow>) -> bool) -> StoreResult<()> {
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut push = |row: ParsedRow, batch: &mut Vec<ParsedRow>| -> bool {
        batch.push(row);
        if batch.len() >= BATCH_ROWS {
            return sink(std::mem::replace(batch, Vec::with_capacity(BATCH_ROWS)));
        }
        true
    };
    match format {
        Format::Csv => {
            let mut csv = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::Headers).from_reader(reader);
            let headers =
                csv.headers().map_err(|e| StoreError::invalid("file", format!("cannot read the CSV header: {e}")))?;
            let mut columns = Vec::new();
            for h in headers.iter() {
                let column = CSV_COLUMNS.iter().position(|c| c.eq_ignore_ascii_case(h)).ok_or_else(|| {
                    StoreError::invalid(
                        "file",
                        format!("unknown CSV column '{h}'; columns are: {}", CSV_COLUMNS.join(", ")),
                    )
                })?;
                columns.push(column);
            }
            for required in ["first_name", "last_name"] {
                let index = CSV_COLUMNS.iter().position(|c| *c == required).expect("known column");
                if !columns.contains(&index) {
                    return Err(StoreError::invalid("file", format!("the CSV header has no '{required}' column")));
                }
            }
            let mut record = csv::StringRecord::new();
            loop {
                let line = csv.position().line();
                match csv.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {
                        let line = record.position().map(|p| p.line()).unwrap_or(line);
                        // No field of a worker holds a line break: one that does is a quote left
                        // open, which swallowed the lines after it.
                        let row = if record.iter().any(|cell| cell.contains(['\n', '\r'])) {
                            let message =
                                "a quoted cell runs past the end of its line: is a closing quote (\") missing?";
                            Err(rejected(line, None, field_error("$", message)))
                        } else {
                            csv_row(&columns, &record, line)
                        };
                        if !push(row, &mut batch) {
                            return Ok(());
                        }
                    }
                    Err(e) => {
                        let row = Err(rejected(line, None, field_error("$", format!("unreadable CSV row: {e}"))));
                        if !push(row, &mut batch) {
                            return Ok(());
                        }
                    }
                }
            }
        }
        Format::JsonLines => {
            let mut lines = BufReader::new(reader);
            let mut text = String::new();
            let mut line = 0;
            loop {
                text.clear();
                line += 1;
                match lines.read_line(&mut text) {
                    Ok(0) => break,
                    Ok(_) if text.trim().is_empty() => continue,
                    Ok(_) => {
                        if !push(json_row(&text, line), &mut batch) {
                            return Ok(());
                        }
                    }
                    Err(e) => {
                        let row = Err(rejected(line, None, field_error("$", format!("unreadable line: {e}"))));
                        if !push(row, &mut batch) {
                            return Ok(());
                        }
                    }
                }
            }
        }
    }
    if !batch.is_empty() {
        sink(batch);
    }
    Ok(())
}

/// Imports a file; `progress` is called after every batch with the bytes read so far and the
/// report so far.
pub async fn import_file(
    store: &HrStore,
    actor: Actor,
    path: &Path,
    format: Format,
    mut progress: impl FnMut(u64, &ImportReport),
) -> StoreResult<ImportReport> {
    let file =
        File::open(path).map_err(|e| StoreError::invalid("file", format!("cannot open {}: {e}", path.display())))?;
    let read = Arc::new(AtomicU64::new(0));
    let counting = Counting { inner: file, read: read.clone() };
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<ParsedRow>>(2);
    let reader =
        tokio::task::spawn_blocking(move || read_rows(counting, format, |batch| sender.blocking_send(batch).is_ok()));
    let mut importer = Importer::new(store.clone(), actor).await?;
    while let Some(batch) = receiver.recv().await {
        importer.import(batch).await?;
        progress(read.load(Ordering::Relaxed), &importer.report);
    }
    reader.await.map_err(|e| StoreError::Config(format!("import reader failed: {e}")))??;
    Ok(importer.report)
}
