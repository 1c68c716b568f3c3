//! Opening table files and walking their rows.
//!
//! Delimited text is streamed: one record at a time through the `csv` reader, decoded from
//! Windows-1251/1252 on the fly when the mapping says so, and through a gzip decoder for
//! `.gz`. Workbooks (XLSX, ODS) are read with `calamine`, one sheet in memory at a time:
//! both formats are zip archives whose sheet XML has to be read whole.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use calamine::{Data, Reader};

use crate::error::TableError;
use crate::mapping::{SourceKind, SourceSettings, TextEncoding};

/// One row's cells.
pub(crate) enum Cells<'a> {
    /// A record of delimited text.
    Text(&'a csv::StringRecord),
    /// A workbook row, as text.
    Grid(&'a [String]),
}

impl Cells<'_> {
    /// The cell at 0-based `index`, trimmed; `None` when absent or blank.
    pub(crate) fn get(&self, index: usize) -> Option<&str> {
        let cell = match self {
            Self::Text(record) => record.get(index),
            Self::Grid(cells) => cells.get(index).map(String::as_str),
        }?;
        let cell = cell.trim();
        (!cell.is_empty()).then_some(cell)
    }

    fn is_blank(&self) -> bool {
        match self {
            Self::Text(record) => record.iter().all(|c| c.trim().is_empty()),
            Self::Grid(cells) => cells.iter().all(|c| c.trim().is_empty()),
        }
    }
}

/// What a walk over a table is told.
pub(crate) trait Visitor {
    /// A new sheet (or the one table of a text file) with its column names (`#N` without a
    /// header row). An error stops the walk.
    fn sheet(&mut self, sheet: Option<&str>, headers: &[String]) -> Result<(), TableError>;
    /// A data row with its 1-based number in the file or sheet.
    fn row(&mut self, number: u64, cells: &Cells<'_>);
    /// A blank data row.
    fn blank(&mut self, number: u64);
    /// A row that could not be decoded (not valid UTF-8).
    fn unreadable(&mut self, number: u64, reason: &str);
}

/// The name a file is reported under (its file name).
pub(crate) fn source_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The kind of `path` under `settings`.
pub(crate) fn kind_of(path: &Path, settings: &SourceSettings) -> Result<SourceKind, TableError> {
    let name = source_name(path);
    settings
        .kind
        .or_else(|| SourceKind::from_name(&name))
        .ok_or(TableError::UnknownKind(name))
}

fn open_bytes(path: &Path) -> Result<Box<dyn Read + Send>, TableError> {
    let name = source_name(path);
    let file = File::open(path).map_err(|source| TableError::Io {
        source_name: name.clone(),
        source,
    })?;
    let file = BufReader::with_capacity(1 << 16, file);
    if name.to_ascii_lowercase().ends_with(".gz") {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(file)))
    } else {
        Ok(Box::new(file))
    }
}

/// Walks every row of `path` (every sheet of a workbook, or the one the settings name).
pub(crate) fn walk(
    path: &Path,
    settings: &SourceSettings,
    visitor: &mut dyn Visitor,
) -> Result<(), TableError> {
    let input = open_bytes(path)?;
    walk_reader(
        &source_name(path),
        kind_of(path, settings)?,
        input,
        settings,
        visitor,
    )
}

/// [`walk`] over an open reader of the given kind.
pub(crate) fn walk_reader(
    name: &str,
    kind: SourceKind,
    input: Box<dyn Read + Send>,
    settings: &SourceSettings,
    visitor: &mut dyn Visitor,
) -> Result<(), TableError> {
    match kind {
        SourceKind::Csv | SourceKind::Tsv => {
            let default = if kind == SourceKind::Tsv { b'\t' } else { b',' };
            walk_text(
                name,
                input,
                settings,
                settings.delimiter.unwrap_or(default),
                visitor,
            )
        }
        SourceKind::Xlsx | SourceKind::Ods => walk_workbook(name, kind, input, settings, visitor),
    }
}

fn decoded(input: Box<dyn Read + Send>, encoding: TextEncoding) -> Box<dyn Read + Send> {
    let legacy = match encoding {
        TextEncoding::Utf8 => None,
        TextEncoding::Windows1251 => Some(encoding_rs::WINDOWS_1251),
        TextEncoding::Windows1252 => Some(encoding_rs::WINDOWS_1252),
    };
    match legacy {
        // UTF-8 goes through as bytes, a BOM is skipped; a row that is not UTF-8 is
        // reported by the csv reader rather than silently replaced.
        None => Box::new(SkipBom::new(input)),
        Some(encoding) => Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .build(input),
        ),
    }
}

/// A reader that drops a leading UTF-8 byte-order mark.
struct SkipBom<R> {
    inner: R,
    start: Option<Vec<u8>>,
}

impl<R: Read> SkipBom<R> {
    fn new(inner: R) -> Self {
        Self { inner, start: None }
    }
}

impl<R: Read> Read for SkipBom<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.start.is_none() {
            let mut head = Vec::with_capacity(3);
            (&mut self.inner).take(3).read_to_end(&mut head)?;
            if head == [0xEF, 0xBB, 0xBF] {
                head.clear();
            }
            self.start = Some(head);
        }
        if let Some(head) = self.start.as_mut().filter(|h| !h.is_empty()) {
            let n = head.len().min(buf.len());
            for (slot, byte) in buf.iter_mut().zip(head.drain(..n)) {
                *slot = byte;
            }
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// The line breaks read ahead of the csv reader, to number records by line (the csv
/// reader's own line count skips empty lines). Only the breaks not yet passed are kept.
#[derive(Default)]
struct LineBreaks {
    /// Offsets of `\n` bytes, each with whether a `\r` comes right before it.
    ahead: VecDeque<(u64, bool)>,
    passed: u64,
}

impl LineBreaks {
    /// The 1-based line of a record whose reading starts at byte `offset` (offsets come in
    /// increasing order). The csv reader starts a record at the empty lines before it, so
    /// those are passed too.
    fn line_of(&mut self, mut offset: u64) -> u64 {
        while let Some(&(at, cr)) = self.ahead.front() {
            let empty_line = at == offset || (cr && at == offset + 1);
            if at < offset || empty_line {
                if empty_line {
                    offset = at + 1;
                }
                self.ahead.pop_front();
                self.passed += 1;
            } else {
                break;
            }
        }
        self.passed + 1
    }
}

/// Notes where the line breaks are as the csv reader reads.
struct CountLines<R> {
    inner: R,
    offset: u64,
    last: u8,
    breaks: Rc<RefCell<LineBreaks>>,
}

impl<R: Read> Read for CountLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut breaks = self.breaks.borrow_mut();
        for (i, byte) in buf.iter().take(n).enumerate() {
            if *byte == b'\n' {
                breaks
                    .ahead
                    .push_back((self.offset + i as u64, self.last == b'\r'));
            }
            self.last = *byte;
        }
        self.offset += n as u64;
        Ok(n)
    }
}

fn numbered_headers(count: usize) -> Vec<String> {
    (1..=count).map(|n| format!("#{n}")).collect()
}

fn walk_text(
    name: &str,
    input: Box<dyn Read + Send>,
    settings: &SourceSettings,
    delimiter: u8,
    visitor: &mut dyn Visitor,
) -> Result<(), TableError> {
    let breaks = Rc::new(RefCell::new(LineBreaks::default()));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(CountLines {
            inner: decoded(input, settings.encoding),
            offset: 0,
            last: 0,
            breaks: Rc::clone(&breaks),
        });
    let mut record = csv::StringRecord::new();
    let mut number: u64 = 0;
    let header_row = u64::from(settings.header_row);
    let mut announced = false;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                number += 1;
                // Reported by the line the record starts on, as an editor shows it.
                let line = record
                    .position()
                    .map_or(number, |p| breaks.borrow_mut().line_of(p.byte()));
                if number < header_row {
                    continue;
                }
                if number == header_row {
                    let headers: Vec<String> = record.iter().map(|h| h.trim().to_owned()).collect();
                    visitor.sheet(None, &headers)?;
                    announced = true;
                    continue;
                }
                if !announced {
                    visitor.sheet(None, &numbered_headers(record.len()))?;
                    announced = true;
                }
                let cells = Cells::Text(&record);
                if cells.is_blank() {
                    visitor.blank(line);
                } else {
                    visitor.row(line, &cells);
                }
            }
            Err(err) => {
                let is_utf8 = matches!(err.kind(), csv::ErrorKind::Utf8 { .. });
                if let csv::ErrorKind::Io(_) = err.kind() {
                    let csv::ErrorKind::Io(source) = err.into_kind() else {
                        break;
                    };
                    return Err(TableError::Io {
                        source_name: name.to_owned(),
                        source,
                    });
                }
                number += 1;
                let line = err
                    .position()
                    .map_or(number, |p| breaks.borrow_mut().line_of(p.byte()));
                if is_utf8 && number >= header_row {
                    if !announced {
                        return Err(TableError::Io {
                            source_name: name.to_owned(),
                            source: std::io::Error::other(
                                "the header row is not UTF-8: set [source] encoding",
                            ),
                        });
                    }
                    visitor.unreadable(line, "not UTF-8 text (set [source] encoding)");
                } else if number >= header_row {
                    visitor.unreadable(line, &err.to_string());
                }
            }
        }
    }
    if !announced {
        visitor.sheet(None, &[])?;
    }
    Ok(())
}

/// The text of a workbook cell: numbers without a trailing `.0`, dates as ISO, Excel
/// serial numbers kept as numbers.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(f) => number_text(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let serial = number_text(dt.as_f64().floor());
            crate::row::excel_date(&serial).map_or(serial, |d| d.to_string())
        }
        Data::DateTime(dt) => number_text(dt.as_f64()),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

fn walk_workbook(
    name: &str,
    kind: SourceKind,
    mut input: Box<dyn Read + Send>,
    settings: &SourceSettings,
    visitor: &mut dyn Visitor,
) -> Result<(), TableError> {
    // A workbook is a zip archive, read by seeking: it is taken into memory.
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|source| TableError::Io {
            source_name: name.to_owned(),
            source,
        })?;
    let cursor = std::io::Cursor::new(bytes);
    let bad = |message: String| TableError::Spreadsheet {
        source_name: name.to_owned(),
        message,
    };
    let mut workbook: calamine::Sheets<_> = match kind {
        SourceKind::Ods => {
            calamine::Sheets::Ods(calamine::Ods::new(cursor).map_err(|e| bad(e.to_string()))?)
        }
        _ => calamine::Sheets::Xlsx(calamine::Xlsx::new(cursor).map_err(|e| bad(e.to_string()))?),
    };
    let names = workbook.sheet_names();
    let chosen: Vec<String> = match &settings.sheet {
        Some(sheet) => {
            if !names.iter().any(|n| n == sheet) {
                return Err(TableError::NoSheet {
                    source_name: name.to_owned(),
                    sheet: sheet.clone(),
                    present: names,
                });
            }
            vec![sheet.clone()]
        }
        None => names,
    };
    let header_row = usize::try_from(settings.header_row).unwrap_or(usize::MAX);
    for sheet in chosen {
        let range = workbook
            .worksheet_range(&sheet)
            .map_err(|e| bad(format!("sheet {sheet:?}: {e}")))?;
        if range.is_empty() {
            continue;
        }
        // Row numbers as the spreadsheet shows them (the range may start below row 1).
        let first = range.start().map_or(0, |(row, _)| row as usize);
        let mut cells: Vec<String> = Vec::new();
        let mut announced = false;
        for (offset, row) in range.rows().enumerate() {
            let number = first + offset + 1;
            if number < header_row {
                continue;
            }
            cells.clear();
            cells.extend(row.iter().map(cell_text));
            if number == header_row {
                for cell in &mut cells {
                    *cell = cell.trim().to_owned();
                }
                visitor.sheet(Some(&sheet), &cells)?;
                announced = true;
                continue;
            }
            if !announced {
                visitor.sheet(Some(&sheet), &numbered_headers(cells.len()))?;
                announced = true;
            }
            let row = Cells::Grid(&cells);
            if row.is_blank() {
                visitor.blank(number as u64);
            } else {
                visitor.row(number as u64, &row);
            }
        }
    }
    Ok(())
}
