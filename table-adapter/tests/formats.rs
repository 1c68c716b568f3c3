//! Each input format: CSV with a BOM and quoted fields, Windows-1251, gzip, XLSX with
//! several sheets and Excel dates, ODS.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::format_push_string
)]

mod common;

use std::io::Write;

use chrono::NaiveDate;
use hrh_core::{IscoCode, PartialDate, Recorded, Registry, Sex};
use hrh_table::{TableMapping, read_registry};

/// A per-worker mapping with local codes, `%d.%m.%Y` birth dates and `excel` hire dates.
fn mapping(source: &str) -> TableMapping {
    TableMapping::from_toml(&format!(
        r#"
format = 1
name = "formats"
version = "1"
[source]
{source}
[worker]
id = "ID"
sex = {{ column = "Sex", values = "sex" }}
birth_date = {{ column = "Born", format = "%d.%m.%Y" }}
[employment]
occupation = {{ column = "Cadre", values = "cadre" }}
start = {{ column = "Hired", format = "excel" }}
[facility]
name = "Facility"
[values.sex]
"М" = "male"
"Ж" = "female"
M = "male"
F = "female"
[values.cadre]
"Врач" = "2211"
"Медсестра" = "2221"
"#
    ))
    .unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The three workers every format test writes.
fn check(registry: &Registry) {
    assert_eq!(
        registry.practitioners.len(),
        3,
        "{:?}",
        registry.practitioners
    );
    let p = &registry.practitioners;
    assert_eq!(p[0].id, "1");
    assert_eq!(p[0].sex, Recorded::Valid(Sex::Female));
    assert_eq!(
        p[0].birth_date,
        Recorded::Valid(PartialDate::Date(day(1980, 3, 5)))
    );
    assert_eq!(p[1].sex, Recorded::Valid(Sex::Male));
    assert_eq!(registry.employments.len(), 3);
    let e = &registry.employments;
    assert_eq!(
        e[0].occupation,
        Recorded::Valid(IscoCode::parse("2211").unwrap())
    );
    assert_eq!(
        e[1].occupation,
        Recorded::Valid(IscoCode::parse("2221").unwrap())
    );
    assert_eq!(e[0].period.start, Some(day(2024, 1, 1)));
    assert_eq!(e[0].practitioner, "1");
    // The facility named twice is one facility.
    assert_eq!(registry.facilities.len(), 2);
    assert_eq!(e[0].facility.as_deref(), Some("Clinic---North-")); // an id FHIR takes
    assert_eq!(
        registry.facilities[0].name.as_deref(),
        Some("Clinic; \"North\"")
    );
}

const ROWS: [[&str; 6]; 3] = [
    ["1", "Ж", "05.03.1980", "Врач", "45292", "Clinic; \"North\""],
    ["2", "М", "1975-11-30", "Медсестра", "44000", "Hospital 2"],
    [
        "3",
        "Ж",
        "01.01.1990",
        "Медсестра",
        "43000",
        "Clinic; \"North\"",
    ],
];
const HEADERS: [&str; 6] = ["ID", "Sex", "Born", "Cadre", "Hired", "Facility"];

fn csv_text(delimiter: char) -> String {
    let quote = |c: &str| {
        if c.contains([delimiter, '"']) {
            format!("\"{}\"", c.replace('"', "\"\""))
        } else {
            c.to_owned()
        }
    };
    let mut text = HEADERS.join(&delimiter.to_string());
    text.push_str("\r\n");
    for row in ROWS {
        let cells: Vec<String> = row.iter().map(|c| quote(c)).collect();
        text.push_str(&cells.join(&delimiter.to_string()));
        text.push_str("\r\n");
    }
    text
}

#[test]
fn utf8_csv_with_a_bom_semicolons_and_quoted_fields() {
    let dir = common::temp_dir("bom");
    let file = dir.join("staff.csv");
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(csv_text(';').as_bytes());
    std::fs::write(&file, bytes).unwrap();
    let (registry, report) = read_registry(&[file], &mapping("delimiter = \";\"")).unwrap();
    check(&registry);
    assert!(
        report.is_balanced() && report.bad_values.is_empty(),
        "{report:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn windows_1251_tsv_is_decoded() {
    let dir = common::temp_dir("cp1251");
    let file = dir.join("staff.tsv");
    let text = csv_text('\t');
    let (bytes, _, lossy) = encoding_rs::WINDOWS_1251.encode(&text);
    assert!(!lossy);
    std::fs::write(&file, &bytes).unwrap();
    let (registry, _) = read_registry(
        std::slice::from_ref(&file),
        &mapping("encoding = \"windows-1251\""),
    )
    .unwrap();
    check(&registry);
    // Read as UTF-8, the Cyrillic rows are not text: rejected with their row, none lost.
    let (_, report) = read_registry(&[file], &mapping("")).unwrap();
    assert_eq!(report.rejected.len(), 3);
    assert_eq!(report.rejected[0].place.row, 2);
    assert!(report.rejected[0].reason.contains("encoding"));
    assert!(report.is_balanced());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn gzipped_csv() {
    let dir = common::temp_dir("gz");
    let file = dir.join("staff.csv.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(csv_text(',').as_bytes()).unwrap();
    std::fs::write(&file, gz.finish().unwrap()).unwrap();
    let (registry, _) = read_registry(&[file], &mapping("")).unwrap();
    check(&registry);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn xlsx_every_sheet_or_a_named_one_with_excel_dates() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = common::temp_dir("xlsx");
    let file = dir.join("staff.xlsx");
    let mut workbook = Workbook::new();
    let date = Format::new().set_num_format("dd.mm.yyyy");
    for (name, rows) in [("Doctors", &ROWS[..1]), ("Nurses", &ROWS[1..])] {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name).unwrap();
        for (c, h) in HEADERS.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            sheet.write_string(r, 0, row[0]).unwrap();
            sheet.write_string(r, 1, row[1]).unwrap();
            // A real date cell in the birth date column, a serial number as plain number.
            let born = match row[2].parse::<PartialDate>() {
                Ok(PartialDate::Date(d)) => d,
                _ => NaiveDate::parse_from_str(row[2], "%d.%m.%Y").unwrap(),
            };
            let cell = ExcelDateTime::from_ymd(
                born.format("%Y").to_string().parse().unwrap(),
                born.format("%m").to_string().parse().unwrap(),
                born.format("%d").to_string().parse().unwrap(),
            )
            .unwrap();
            sheet
                .write_datetime_with_format(r, 2, &cell, &date)
                .unwrap();
            sheet.write_string(r, 3, row[3]).unwrap();
            sheet
                .write_number(r, 4, row[4].parse::<f64>().unwrap())
                .unwrap();
            sheet.write_string(r, 5, row[5]).unwrap();
        }
    }
    workbook.add_worksheet().set_name("Empty").unwrap();
    workbook.save(&file).unwrap();
    let (registry, report) = read_registry(std::slice::from_ref(&file), &mapping("")).unwrap();
    check(&registry);
    assert!(
        report.is_balanced() && report.bad_values.is_empty(),
        "{report:?}"
    );
    // Employment ids name the sheet and row, so they stay unique across sheets.
    assert_ne!(registry.employments[1].id, registry.employments[2].id);
    let (nurses, report) =
        read_registry(std::slice::from_ref(&file), &mapping("sheet = \"Nurses\"")).unwrap();
    assert_eq!(nurses.practitioners.len(), 2);
    assert_eq!(report.rows, 2);
    let err = read_registry(&[file], &mapping("sheet = \"Staff\"")).unwrap_err();
    assert!(
        err.to_string()
            .contains("no sheet \"Staff\" (sheets: Doctors, Nurses, Empty)"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// An ODS document (a zip of `mimetype` and `content.xml`) with one sheet.
fn ods(rows: &[Vec<(&str, &str)>]) -> Vec<u8> {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Staff">"#,
    );
    for row in rows {
        xml.push_str("<table:table-row>");
        for (kind, value) in row {
            let text = value
                .replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('<', "&lt;");
            match *kind {
                "date" => xml.push_str(&format!(
                    r#"<table:table-cell office:value-type="date" office:date-value="{text}"><text:p>{text}</text:p></table:table-cell>"#
                )),
                "float" => xml.push_str(&format!(
                    r#"<table:table-cell office:value-type="float" office:value="{text}"><text:p>{text}</text:p></table:table-cell>"#
                )),
                _ => xml.push_str(&format!(
                    r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#
                )),
            }
        }
        xml.push_str("</table:table-row>");
    }
    xml.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file(
        "META-INF/manifest.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
    )
    .unwrap();
    zip.start_file("content.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn ods_with_date_and_number_cells() {
    let dir = common::temp_dir("ods");
    let file = dir.join("staff.ods");
    let mut rows = vec![HEADERS.iter().map(|h| ("string", *h)).collect::<Vec<_>>()];
    for row in ROWS {
        rows.push(vec![
            ("float", row[0]),
            ("string", row[1]),
            ("string", row[2]),
            ("string", row[3]),
            ("float", row[4]),
            ("string", row[5]),
        ]);
    }
    // A real date cell: read as the date whatever the column's pattern.
    rows[2][2] = ("date", "1975-11-30");
    std::fs::write(&file, ods(&rows)).unwrap();
    let (registry, report) = read_registry(&[file], &mapping("")).unwrap();
    check(&registry);
    assert_eq!(report.bad_values, vec![]);
    std::fs::remove_dir_all(&dir).ok();
}
