//! Small HTML helpers: escaping, tables, the style sheet.

use std::fmt::Write as _;

/// Text made safe for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One table cell: text (escaped), or raw HTML already safe.
pub(crate) enum Cell {
    /// Plain text.
    Text(String),
    /// A number of workers, right-aligned, with its value in `data-value`.
    Count(u64),
    /// A figure withheld by small-cell suppression.
    Withheld,
    /// A figure that cannot be given, with the reason.
    Missing(String),
    /// A number that is not a count (a share, a density), right-aligned.
    Number(String),
}

/// A table with a caption, a header row and body rows; `attrs` go on each body row.
pub(crate) fn table(
    out: &mut String,
    caption: &str,
    header: &[&str],
    rows: Vec<(String, Vec<Cell>)>,
) {
    let _ = write!(
        out,
        "<div class=\"table\"><table><caption>{}</caption><thead><tr>",
        escape(caption)
    );
    for h in header {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for (attrs, cells) in rows {
        let _ = write!(out, "<tr{attrs}>");
        for (i, cell) in cells.into_iter().enumerate() {
            let (open, close) = if i == 0 {
                ("<th scope=\"row\"", "</th>")
            } else {
                ("<td", "</td>")
            };
            match cell {
                Cell::Text(text) => {
                    let _ = write!(out, "{open}>{}{close}", escape(&text));
                }
                Cell::Count(n) => {
                    let _ = write!(
                        out,
                        "{open} class=\"num\" data-value=\"{n}\">{}{close}",
                        thousands(n)
                    );
                }
                Cell::Withheld => {
                    let _ = write!(
                        out,
                        "{open} class=\"num withheld\" data-withheld=\"\" title=\"withheld: small cell\">&lt;k{close}"
                    );
                }
                Cell::Missing(why) => {
                    let _ = write!(out, "{open} class=\"missing\">{}{close}", escape(&why));
                }
                Cell::Number(text) => {
                    let _ = write!(out, "{open} class=\"num\">{}{close}", escape(&text));
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
}

/// A count with thin separators between thousands (`12 345`).
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// The page's style sheet: readable on a phone, A4 when printed.
pub(crate) const STYLE: &str = r"
:root{--ink:#1d232a;--muted:#5b6570;--line:#d5dbe1;--accent:#1f5e8c;--warn:#8a4b00;}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;color:var(--ink);margin:0;background:#f4f6f8}
main{max-width:1040px;margin:0 auto;padding:1.2rem;background:#fff}
header.top{border-bottom:3px solid var(--accent);margin-bottom:1rem}
h1{font-size:1.6rem;margin:.2rem 0}
h2{font-size:1.25rem;margin:1.8rem 0 .6rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
p.meta,p.note{color:var(--muted);margin:.3rem 0}
.notice{background:#fff6e5;border-left:4px solid var(--warn);padding:.5rem .8rem;margin:.6rem 0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:.6rem;margin:.8rem 0}
.card{border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem}
.card .value{font-size:1.5rem;font-weight:600;color:var(--accent)}
.card .label{color:var(--muted);font-size:.9rem}
.table{overflow-x:auto;margin:.6rem 0}
table{border-collapse:collapse;width:100%;font-size:.92rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
thead th{border-bottom:2px solid var(--ink)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.withheld{color:var(--muted)}
td.missing{color:var(--muted);font-style:italic}
svg.chart{display:block;width:100%;max-width:760px;height:auto;margin:.6rem 0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:.8rem}
.grid svg.chart{max-width:560px}
details{margin:.4rem 0}
code{font-size:.88em}
footer{margin-top:2rem;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line);padding-top:.5rem}
@media (max-width:600px){main{padding:.6rem}h1{font-size:1.3rem}table{font-size:.85rem}}
@page{size:A4;margin:14mm 12mm}
@media print{body{background:#fff;font-size:10.5pt}main{max-width:none;padding:0}
section{break-inside:auto}h2{break-after:avoid}svg.chart,.card,tr{break-inside:avoid}
details{display:block}details>summary{display:none}.table{overflow:visible}a{color:inherit;text-decoration:none}}
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_groups_thousands() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(thousands(1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(thousands(999), "999");
    }
}
