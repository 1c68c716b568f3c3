//! Which files to read when given files and directories.

use std::path::{Path, PathBuf};

use crate::error::FhirError;

/// Whether a file name looks like FHIR input: `.json`, `.ndjson`, or either gzipped.
pub fn is_fhir_file(path: &Path) -> bool {
    let has = |p: &Path, ext: &str| p.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext));
    let inner = if has(path, "gz") {
        path.file_stem().map_or(path, Path::new)
    } else {
        path
    };
    has(inner, "json") || has(inner, "ndjson")
}

/// Expands inputs: files are kept as given; a directory becomes its FHIR files
/// (see [`is_fhir_file`]), recursively, in name order. A path that does not
/// exist is an error naming it.
///
/// ```
/// let dir = std::env::temp_dir().join("hrh-inputs-doc");
/// std::fs::create_dir_all(&dir)?;
/// std::fs::write(dir.join("Practitioner.ndjson"), "")?;
/// std::fs::write(dir.join("notes.txt"), "")?;
/// let files = hrh_fhir::inputs::expand(&[&dir])?;
/// assert_eq!(files, vec![dir.join("Practitioner.ndjson")]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn expand<P: AsRef<Path>>(inputs: &[P]) -> Result<Vec<PathBuf>, FhirError> {
    let mut files = Vec::new();
    for input in inputs {
        let path = input.as_ref();
        let meta = std::fs::metadata(path).map_err(|source| FhirError::Io {
            source_name: path.display().to_string(),
            source,
        })?;
        if meta.is_dir() {
            walk(path, &mut files)?;
        } else {
            files.push(path.to_path_buf());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), FhirError> {
    let io = |source| FhirError::Io {
        source_name: dir.display().to_string(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, files)?;
        } else if is_fhir_file(&path) {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_expand_to_fhir_files_in_name_order() {
        let dir = std::env::temp_dir().join(format!("hrh-inputs-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for name in [
            "b.ndjson",
            "a.json",
            "c.ndjson.gz",
            "log.txt",
            "sub/d.NDJSON",
        ] {
            std::fs::write(dir.join(name), "").unwrap();
        }
        let files = expand(&[&dir]).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a.json", "b.ndjson", "c.ndjson.gz", "sub/d.NDJSON"]);
        let err = expand(&[dir.join("missing")]).unwrap_err();
        assert!(err.to_string().contains("missing"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
