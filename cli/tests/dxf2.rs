//! DHIS2 DXF2 XML data value sets in `hrh convert` and `hrh push`: the format is told by the
//! document's root element and namespace (not the file name), the id schemes a document names
//! are kept, and `push` sends them to DHIS2 as the import's parameters.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // a failing unwrap is a failing test

mod common;
#[allow(dead_code)]
#[path = "../../dhis2-adapter/tests/common/mod.rs"]
mod fixtures;

use std::path::Path;

use common::{ADMIN, Run, Standin, hrh, temp_dir};
use hrh_dhis2::client::DataValueQuery;
use hrh_dhis2::datavalueset::json::read_json;
use hrh_dhis2::uid::IdScheme;

/// `hrh convert --to TO [extra] -o OUT INPUT`.
fn convert(input: &Path, to: &str, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["convert", "--to", to];
    args.extend_from_slice(extra);
    args.extend(["-o", out.to_str().unwrap(), input.to_str().unwrap()]);
    hrh(&args, &[])
}

/// (data element, period, org unit, value) of every value of a DHIS2 JSON file, sorted.
fn values(json: &Path) -> Vec<(String, String, String, String)> {
    let set = read_json(&std::fs::read(json).unwrap()).unwrap();
    let mut values: Vec<_> = set
        .resolved_values()
        .map(|v| {
            (
                v.data_element,
                v.period.unwrap_or_default(),
                v.org_unit.unwrap_or_default(),
                v.value.unwrap_or_default(),
            )
        })
        .collect();
    values.sort();
    values
}

#[test]
fn convert_reads_dhis2s_own_dxf2_xml_exports() {
    let Some(root) = fixtures::fixtures_dir() else {
        return;
    };
    let dir = temp_dir("dxf2-convert");
    let sample = root.join("dhis2/datavalueset/dataValueSetA.xml");
    let json = dir.join("a.json");
    let run = convert(&sample, "dhis2-json", &json, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let set = read_json(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(set.data_set.as_deref(), Some("pBOMPrpg1QX"));
    // The sample's first value, as its text gives it.
    let text = std::fs::read_to_string(&sample).unwrap();
    assert!(text.contains(
        r#"dataElement="f7n9E0hX8qk" period="201201" orgUnit="DiszpKrYNg8" value="10001""#
    ));
    let all = values(&json);
    assert_eq!(all.len(), 3);
    assert!(all.contains(&(
        "f7n9E0hX8qk".into(),
        "201201".into(),
        "DiszpKrYNg8".into(),
        "10001".into()
    )));

    // Back to DXF2 XML (the file named .json on purpose: the content decides) and again.
    let xml = dir.join("back.json");
    assert_eq!(convert(&json, "dhis2-xml", &xml, &[]).code, 0);
    assert!(std::fs::read_to_string(&xml).unwrap().starts_with(
        r#"<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="pBOMPrpg1QX">"#
    ));
    let again = dir.join("again.json");
    let run = convert(&xml, "dhis2-json", &again, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(values(&again), all);

    // The sample that names codes converts too (12 values).
    let codes = dir.join("codes.json");
    let sample = root.join("dhis2/datavalueset/dataValueSetBCode.xml");
    assert_eq!(convert(&sample, "dhis2-json", &codes, &[]).code, 0);
    assert_eq!(values(&codes).len(), 12);
}

const ATTRIBUTE_SET: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="FuMctq4PQpf" dataElementIdScheme="ATTRIBUTE:Kx6rYwlEDtT" orgUnitIdScheme="CODE" period="2024">
  <dataValue dataElement="tu2P5ALJRow" orgUnit="UZ-TK-001" categoryOptionCombo="i14E8ggjzvt" value="12"/>
  <dataValue dataElement="tu2P5ALJRow" orgUnit="UZ-TK-001" categoryOptionCombo="EhXjWmnNPjO" value="7"/>
</dataValueSet>
"#;

#[test]
fn id_schemes_are_kept_through_convert() {
    let dir = temp_dir("dxf2-schemes");
    let xml = dir.join("export.xml");
    std::fs::write(&xml, ATTRIBUTE_SET).unwrap();
    let json = dir.join("export.json");
    let run = convert(&xml, "dhis2-json", &json, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let set = read_json(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(
        set.data_element_id_scheme,
        Some(IdScheme::Attribute("Kx6rYwlEDtT".into()))
    );
    assert_eq!(set.org_unit_id_scheme, Some(IdScheme::Code));
    // CSV has no place for them: said on stderr.
    let run = convert(&json, "dhis2-csv", &dir.join("export.csv"), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: ") && run.stderr.contains("id schemes"),
        "{}",
        run.stderr
    );
    let back = dir.join("back.xml");
    assert_eq!(convert(&json, "dhis2-xml", &back, &[]).code, 0);
    let text = std::fs::read_to_string(&back).unwrap();
    assert!(
        text.contains(r#"dataElementIdScheme="ATTRIBUTE:Kx6rYwlEDtT" orgUnitIdScheme="CODE""#),
        "{text}"
    );
}

#[test]
fn each_format_is_told_by_its_root_whatever_the_file_is_called() {
    let dir = temp_dir("dxf2-sniff");
    let xml = dir.join("given.xml");
    std::fs::write(&xml, ATTRIBUTE_SET.replace(" orgUnitIdScheme=\"CODE\"", "")).unwrap();
    let reference = dir.join("reference.json");
    assert_eq!(convert(&xml, "dhis2-json", &reference, &[]).code, 0);
    let expected = values(&reference);
    assert_eq!(expected.len(), 2);
    // Each format written under a name that says something else, then read back.
    for (to, misleading) in [
        ("dhis2-xml", "figures.adx"),
        ("adx", "figures.xml"),
        ("dhis2-json", "figures.xml"),
        ("measurereport", "figures.dat"),
    ] {
        let file = dir.join(misleading);
        let run = convert(&reference, to, &file, &[]);
        assert_eq!(run.code, 0, "{to}: {}", run.stderr);
        let back = dir.join(format!("{to}.json"));
        let run = convert(&file, "dhis2-json", &back, &[]);
        assert_eq!(run.code, 0, "{to} in {misleading}: {}", run.stderr);
        assert_eq!(values(&back), expected, "{to} in {misleading}");
    }

    // An unknown root is a one-line error naming it and what is read.
    let html = dir.join("page.xml");
    std::fs::write(
        &html,
        "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>",
    )
    .unwrap();
    let run = convert(&html, "dhis2-json", &dir.join("x.json"), &[]);
    run.no_panic();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("page.xml: unexpected document")
            && run
                .stderr
                .contains(r#"found <html xmlns="http://www.w3.org/1999/xhtml">"#)
            && run.stderr.contains("DXF2 <dataValueSet>"),
        "{}",
        run.stderr
    );
    // --from still decides when given: DXF2 XML read as ADX is refused by the ADX reader.
    let run = convert(
        &dir.join("figures.adx"),
        "dhis2-json",
        &dir.join("y.json"),
        &["--from", "adx"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("expected <adx>, found <dataValueSet>"),
        "{}",
        run.stderr
    );
}

#[test]
fn push_sends_the_documents_id_schemes_to_dhis2() {
    let standin = Standin::start();
    let dir = temp_dir("dxf2-push");
    // Org units by code: the stand-in honours orgUnitIdScheme=CODE and stores under the UID.
    let xml = dir.join("export.xml");
    std::fs::write(
        &xml,
        ATTRIBUTE_SET.replace(" dataElementIdScheme=\"ATTRIBUTE:Kx6rYwlEDtT\"", ""),
    )
    .unwrap();
    let run = hrh(
        &[
            "--insecure",
            "push",
            "--dhis2",
            &standin.base_url,
            xml.to_str().unwrap(),
        ],
        &ADMIN,
    );
    run.no_panic();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "no pre-flight check: the file names its identifiers by orgUnitIdScheme=CODE"
        ),
        "{}",
        run.stdout
    );
    let stored = standin
        .client()
        .read_data_values(&DataValueQuery::new("FuMctq4PQpf", "UZfacTsh001", "2024"))
        .unwrap();
    assert_eq!(stored.data_values.len(), 2);
    let posts = |standin: &Standin| -> Vec<String> {
        standin
            .requests()
            .into_iter()
            .filter(|(method, path, _)| method == "POST" && path == "/api/dataValueSets")
            .map(|(_, _, query)| query)
            .collect()
    };
    assert_eq!(posts(&standin), ["orgUnitIdScheme=CODE"]);

    // An attribute scheme reaches DHIS2 as given (percent-encoded in the query).
    std::fs::write(&xml, ATTRIBUTE_SET).unwrap();
    let run = hrh(
        &[
            "--insecure",
            "push",
            "--dry-run",
            "--dhis2",
            &standin.base_url,
            xml.to_str().unwrap(),
        ],
        &ADMIN,
    );
    run.no_panic();
    let last = posts(&standin).pop().unwrap();
    assert!(
        last.contains("dataElementIdScheme=ATTRIBUTE%3AKx6rYwlEDtT"),
        "{last}"
    );
    assert!(
        last.contains("orgUnitIdScheme=CODE") && last.contains("dryRun=true"),
        "{last}"
    );
}
