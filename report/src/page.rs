//! The page: its sections, in order, from the runs' figures and profiles.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hrh_core::aggregate::{
    AggregateResult, Breakdown, Measure, OrgUnitRule, Origin, Profile, ProfileCell, ownership_key,
};
use hrh_core::{AgeBand, IscoCode, Period, ProviderClass, Sex};

use crate::Report;
use crate::chart::{self, Label, Shape};
use crate::error::Result;
use crate::html::{Cell, STYLE, escape, table, thousands};

/// The major occupation groups that get a pyramid and a migration row.
const MAJOR_GROUPS: [(&str, &[&str]); 5] = [
    ("Medical doctors", &["221"]),
    ("Nursing personnel", &["2221", "3221"]),
    ("Midwifery personnel", &["2222", "3222"]),
    ("Dentists", &["2261"]),
    ("Pharmacists", &["2262"]),
];

/// Top countries of training shown.
const TOP_COUNTRIES: usize = 10;
/// Org units listed by name in the distribution table (the rest are summed).
const ORG_UNIT_ROWS: usize = 40;
/// Whether a cell has a field recorded.
type Known = fn(&ProfileCell) -> bool;

/// Record ids listed per kind of data-quality finding.
const FIRST_IDS: usize = 5;

/// A headline figure: a mapping target counting the stock, undivided.
struct Headline {
    data_element: String,
    name: String,
    isco: String,
}

/// What the sections share.
struct Context<'r, 'a> {
    report: &'r Report<'a>,
    period: Period,
    result: &'a AggregateResult,
    profile: Option<&'a Profile>,
    headlines: Vec<Headline>,
    charts: usize,
}

impl<'a> Context<'_, 'a> {
    /// `n`, unless suppression withholds it.
    fn shown(&self, n: u64) -> Option<u64> {
        match self.report.suppress_below {
            Some(k) if k > 1 && n > 0 && n < k => None,
            _ => Some(n),
        }
    }

    fn cell(&self, n: u64) -> Cell {
        self.shown(n).map_or(Cell::Withheld, Cell::Count)
    }

    /// `part` of `whole` as a percentage, unless either is withheld.
    fn share(&self, part: u64, whole: u64) -> Cell {
        match (self.shown(part), self.shown(whole)) {
            (Some(p), Some(w)) if w > 0 => Cell::Number(percent(p, w)),
            (Some(_), Some(_)) => Cell::Missing("no workers".to_owned()),
            _ => Cell::Withheld,
        }
    }

    fn next_id(&mut self) -> String {
        self.charts += 1;
        format!("chart{}", self.charts)
    }

    /// Cells of workers counted in the mapping's figures (stock with an occupation in it).
    fn counted(&self) -> Vec<&'a ProfileCell> {
        self.profile
            .map(|p| p.cells.iter().filter(|c| !c.targets.is_empty()).collect())
            .unwrap_or_default()
    }
}

#[allow(clippy::cast_precision_loss)] // counts far below 2^52
fn percent(part: u64, whole: u64) -> String {
    format!("{:.1} %", part as f64 * 100.0 / whole as f64)
}

fn sum<'c>(cells: impl IntoIterator<Item = &'c &'c ProfileCell>) -> u64 {
    cells.into_iter().map(|c| c.workers).sum()
}

fn in_group(cell: &ProfileCell, codes: &[&str]) -> bool {
    codes
        .iter()
        .any(|code| IscoCode::parse(code).is_ok_and(|group| cell.occupation.is_within(group)))
}

/// The figure of a data element over every org unit, withheld values included (the true total).
fn figure(result: &AggregateResult, data_element: &str) -> u64 {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // headcounts
    let total = result
        .values
        .iter()
        .chain(&result.withheld)
        .filter(|v| v.data_element == data_element)
        .map(|v| v.value.as_f64())
        .sum::<f64>()
        .round() as u64;
    total
}

fn headlines(report: &Report<'_>) -> Vec<Headline> {
    report
        .mapping
        .targets
        .iter()
        .filter(|t| t.measure == Measure::Headcount && t.breakdown == Breakdown::None)
        .map(|t| Headline {
            data_element: t.data_element.clone(),
            name: t.name.as_deref().map_or_else(
                || t.data_element.clone(),
                |n| n.trim_end_matches(" (none)").to_owned(),
            ),
            isco: t
                .population
                .isco
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect()
}

pub(crate) fn render(report: &Report<'_>) -> Result<String> {
    let mut out = String::with_capacity(200_000);
    let Some((period, result)) = report.runs.last().copied() else {
        head(&mut out, report, None);
        out.push_str("<p class=\"notice\">No aggregation result was given: nothing to show.</p></main></body></html>");
        return Ok(out);
    };
    let mut cx = Context {
        report,
        period,
        result,
        profile: result.profile.as_ref(),
        headlines: headlines(report),
        charts: 0,
    };
    head(&mut out, report, Some(period));
    notices(&mut out, &cx);
    cards(&mut out, &cx);
    headline_section(&mut out, &mut cx)?;
    pyramid_section(&mut out, &mut cx)?;
    migration_section(&mut out, &mut cx)?;
    distribution_section(&mut out, &mut cx)?;
    ownership_section(&mut out, &mut cx)?;
    quality_section(&mut out, &cx);
    account_section(&mut out, &cx);
    trends_section(&mut out, &mut cx)?;
    foot(&mut out, report);
    Ok(out)
}

pub(crate) fn summary(report: &Report<'_>) -> String {
    let mut out = String::new();
    let Some((period, result)) = report.runs.last().copied() else {
        return "<p>No aggregation result.</p>".to_owned();
    };
    let cx = Context {
        report,
        period,
        result,
        profile: result.profile.as_ref(),
        headlines: headlines(report),
        charts: 0,
    };
    let _ = write!(
        out,
        "<div class=\"hrh-summary\"><strong>{} health workforce, {period}</strong> (mapping {} {})",
        escape(report.country.name()),
        escape(&report.mapping.name),
        escape(&report.mapping.version)
    );
    let rows = cx
        .headlines
        .iter()
        .map(|h| {
            (
                format!(" data-figure=\"{}\"", escape(&h.data_element)),
                vec![
                    Cell::Text(h.name.clone()),
                    cx.cell(figure(result, &h.data_element)),
                ],
            )
        })
        .collect();
    table(
        &mut out,
        "Workers in the stock",
        &["occupation group", "workers"],
        rows,
    );
    let _ = write!(
        out,
        "<pre>{}</pre></div>",
        escape(&result.account.to_string())
    );
    out
}

fn head(out: &mut String, report: &Report<'_>, period: Option<Period>) {
    let country = report.country.name();
    let when = period.map(|p| format!(", {p}")).unwrap_or_default();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"><title>Health workforce profile: {}{when}</title><style>{STYLE}</style></head><body><main><header class=\"top\"><h1>Health workforce profile: {}</h1>",
        escape(country),
        escape(country)
    );
    if let Some(period) = period {
        let _ = write!(
            out,
            "<p class=\"meta\">Period <strong>{period}</strong>; workers as on {} (the period's last day). Figures of the mapping <code>{}</code> version {}, counted with the WHO National Health Workforce Accounts rules.</p>",
            period.end(),
            escape(&report.mapping.name),
            escape(&report.mapping.version)
        );
    }
    out.push_str("</header>");
}

fn notices(out: &mut String, cx: &Context<'_, '_>) {
    if let Some(k) = cx.report.suppress_below.filter(|k| *k > 1) {
        let _ = write!(
            out,
            "<p class=\"notice\" id=\"suppression\">Small cells are withheld: every figure from 1 to {} is shown as <span class=\"withheld\">&lt;k</span> (k = {k}) in tables and left out of the charts, and shares built on them are withheld too.</p>",
            k - 1
        );
    }
    let mut warnings = cx.report.warnings.clone();
    warnings.extend(population_warning(cx));
    for warning in &warnings {
        let _ = write!(
            out,
            "<p class=\"notice warning\">Warning: {}</p>",
            escape(warning)
        );
    }
    if cx.profile.is_none() {
        out.push_str("<p class=\"notice\">This result was made without a workforce profile: only the headline figures and the account are shown.</p>");
    }
}

fn cards(out: &mut String, cx: &Context<'_, '_>) {
    let account = &cx.result.account;
    let counted = cx.counted();
    let stock = sum(&counted);
    let women = sum(counted.iter().filter(|c| c.sex == Some(Sex::Female)));
    let foreign = sum(counted.iter().filter(|c| c.training == Origin::Foreign));
    let text = |cell: Cell| match cell {
        Cell::Count(n) => thousands(n),
        Cell::Number(t) | Cell::Text(t) | Cell::Missing(t) => t,
        Cell::Withheld => "&lt;k".to_owned(),
    };
    out.push_str("<div class=\"cards\">");
    let mut card = |label: &str, value: String, id: &str| {
        let _ = write!(
            out,
            "<div class=\"card\" id=\"{id}\"><div class=\"value\">{value}</div><div class=\"label\">{}</div></div>",
            escape(label)
        );
    };
    card(
        "workers in the records",
        text(cx.cell(account.workers)),
        "card-workers",
    );
    card(
        "counted in the figures",
        text(cx.cell(account.counted)),
        "card-counted",
    );
    if cx.profile.is_some() {
        card(
            "in the stock, in a mapped occupation",
            text(cx.cell(stock)),
            "card-stock",
        );
        card(
            "women in that stock",
            text(cx.share(women, stock)),
            "card-women",
        );
        card(
            "trained abroad",
            text(cx.share(foreign, stock)),
            "card-foreign",
        );
    }
    out.push_str("</div>");
}

/// Org units of the population file (in the period) that the figures do not know.
fn population_warning(cx: &Context<'_, '_>) -> Option<String> {
    let (table, file) = cx.report.population.as_ref()?;
    let national = national_org_unit(cx);
    let period = cx.period.to_string();
    let known: std::collections::BTreeSet<&str> = cx
        .counted()
        .into_iter()
        .filter_map(|c| c.org_unit.as_deref())
        .chain(national.as_deref())
        .collect();
    let unknown: Vec<&str> = table
        .iter()
        .filter(|(ou, pe, _)| {
            *pe == period && !known.contains(ou) && cx.report.places.get(ou).is_none()
        })
        .map(|(ou, _, _)| ou)
        .collect();
    let first: Vec<&str> = unknown.iter().take(5).copied().collect();
    (!unknown.is_empty()).then(|| {
        format!(
            "{file}: {} org units with a population in {period} are unknown to the figures and the org-unit geometry, and are not used: {}{}",
            unknown.len(),
            first.join(", "),
            if unknown.len() > first.len() { ", ..." } else { "" }
        )
    })
}

/// The population of `org_unit` in the period, or why there is none.
fn population(cx: &Context<'_, '_>, org_unit: &str) -> std::result::Result<u64, String> {
    match &cx.report.population {
        None => Err("no population file given".to_owned()),
        Some((table, file)) => table
            .get(org_unit, &cx.period.to_string())
            .ok_or_else(|| format!("{file} has no population for {org_unit} in {}", cx.period)),
    }
}

fn density(cx: &Context<'_, '_>, workers: u64, org_unit: Option<&str>) -> Cell {
    let Some(org_unit) = org_unit else {
        return Cell::Missing("no org unit for the country as a whole".to_owned());
    };
    match population(cx, org_unit) {
        Err(why) => Cell::Missing(why),
        Ok(people) => match cx.shown(workers) {
            None => Cell::Withheld,
            Some(w) => hrh_core::population::PopulationTable::density_per_10k(w, people)
                .map_or(Cell::Missing("population is zero".to_owned()), |d| {
                    Cell::Number(format!("{d:.2}"))
                }),
        },
    }
}

/// The org unit national figures are reported for (and whose population is the country's).
fn national_org_unit(cx: &Context<'_, '_>) -> Option<String> {
    match &cx.report.mapping.org_unit {
        OrgUnitRule::National { .. } => cx.result.values.first().map(|v| v.org_unit.clone()),
        OrgUnitRule::Facility { .. } => Some(cx.report.country.alpha2().to_owned()),
    }
}

fn headline_section(out: &mut String, cx: &mut Context<'_, '_>) -> Result<()> {
    out.push_str("<section id=\"headline\"><h2>Workers by occupation group</h2>");
    let national = national_org_unit(cx);
    let _ = write!(
        out,
        "<p class=\"note\">Headcount in the stock by NHWA occupation group of the mapping (groups overlap: a group includes its subgroups). Density is workers per 10,000 population{}.</p>",
        national
            .as_deref()
            .map(|ou| format!(" of org unit <code>{}</code>", escape(ou)))
            .unwrap_or_default()
    );
    let mut rows = Vec::new();
    let mut bars = Vec::new();
    for h in &cx.headlines {
        let n = figure(cx.result, &h.data_element);
        rows.push((
            format!(" data-figure=\"{}\"", escape(&h.data_element)),
            vec![
                Cell::Text(h.name.clone()),
                Cell::Text(h.isco.clone()),
                cx.cell(n),
                density(cx, n, national.as_deref()),
            ],
        ));
        if n > 0 {
            bars.push((h.name.clone(), cx.shown(n)));
        }
    }
    if rows.is_empty() {
        out.push_str(
            "<p class=\"notice\">The mapping has no undivided headcount figure.</p></section>",
        );
        return Ok(());
    }
    let id = cx.next_id();
    let desc = format!(
        "Horizontal bars of the headcount of {} occupation groups; the same figures are in the table below.",
        bars.len()
    );
    out.push_str(&chart::bars(
        &Label {
            id: &id,
            title: "Health workers by occupation group",
            desc: &desc,
        },
        "workers",
        "occupation group",
        &bars,
    )?);
    table(
        out,
        "Headcount and density by occupation group",
        &[
            "occupation group",
            "ISCO-08",
            "workers",
            "per 10,000 population",
        ],
        rows,
    );
    out.push_str("</section>");
    Ok(())
}

/// All counted cells, then each major group's (`with_empty`: also groups without workers).
fn major_groups<'a>(cx: &Context<'_, 'a>, with_empty: bool) -> Vec<(String, Vec<&'a ProfileCell>)> {
    let counted = cx.counted();
    let mut groups = vec![("All occupation groups".to_owned(), counted.clone())];
    for (name, codes) in MAJOR_GROUPS {
        let cells: Vec<&ProfileCell> = counted
            .iter()
            .copied()
            .filter(|c| in_group(c, codes))
            .collect();
        if with_empty || sum(&cells) > 0 {
            groups.push((name.to_owned(), cells));
        }
    }
    groups
}

fn pyramid_section(out: &mut String, cx: &mut Context<'_, '_>) -> Result<()> {
    if cx.profile.is_none() {
        return Ok(());
    }
    out.push_str("<section id=\"pyramid\"><h2>Age and sex</h2><p class=\"note\">Workers in the stock by age group on the reference date and sex; workers without a recorded sex or birth date are left out (see the account).</p><div class=\"grid\">");
    let groups = major_groups(cx, false);
    let mut tables = String::new();
    for (name, cells) in groups {
        let mut by: BTreeMap<(AgeBand, Sex), u64> = BTreeMap::new();
        for c in &cells {
            if let (Some(age), Some(sex)) = (c.age, c.sex) {
                *by.entry((age, sex)).or_default() += c.workers;
            }
        }
        let get = |age, sex| by.get(&(age, sex)).copied().unwrap_or(0);
        let rows: Vec<(String, Option<u64>, Option<u64>)> = AgeBand::ALL
            .iter()
            .map(|a| {
                (
                    a.label().to_owned(),
                    cx.shown(get(*a, Sex::Male)),
                    cx.shown(get(*a, Sex::Female)),
                )
            })
            .collect();
        let id = cx.next_id();
        let title = format!("{name}: age-sex pyramid");
        let desc = format!(
            "{name}: workers by age group, men to the left and women to the right; the figures are in the table \"{name} by age and sex\"."
        );
        out.push_str(&chart::pyramid(
            &Label {
                id: &id,
                title: &title,
                desc: &desc,
            },
            &rows,
        )?);
        let table_rows = AgeBand::ALL
            .iter()
            .rev()
            .map(|a| {
                (
                    String::new(),
                    vec![
                        Cell::Text(a.label().to_owned()),
                        cx.cell(get(*a, Sex::Male)),
                        cx.cell(get(*a, Sex::Female)),
                    ],
                )
            })
            .collect();
        table(
            &mut tables,
            &format!("{name} by age and sex"),
            &["age group", "men", "women"],
            table_rows,
        );
    }
    let _ = write!(
        out,
        "</div><details><summary>Pyramid figures</summary><div class=\"grid\">{tables}</div></details></section>"
    );
    Ok(())
}

#[allow(clippy::too_many_lines)] // one table, one chart, one table
fn migration_section(out: &mut String, cx: &mut Context<'_, '_>) -> Result<()> {
    if cx.profile.is_none() {
        return Ok(());
    }
    out.push_str("<section id=\"migration\"><h2>Migration</h2><p class=\"note\">Foreign-trained: the earliest qualification that is not a licence was obtained abroad. Foreign-born: the country of birth is not the home country. Shares are of all workers of the group in the stock (unknown included).</p>");
    let counted = cx.counted();
    let groups = major_groups(cx, true);
    let rows = groups
        .iter()
        .map(|(name, cells)| {
            let all = sum(cells);
            let trained = sum(cells.iter().filter(|c| c.training == Origin::Foreign));
            let unknown = sum(cells.iter().filter(|c| c.training == Origin::Unknown));
            let born = sum(cells.iter().filter(|c| c.birth == Some(Origin::Foreign)));
            (
                String::new(),
                vec![
                    Cell::Text(name.clone()),
                    cx.cell(all),
                    cx.cell(trained),
                    cx.share(trained, all),
                    cx.cell(unknown),
                    cx.cell(born),
                    cx.share(born, all),
                ],
            )
        })
        .collect();
    table(
        out,
        "Foreign-trained and foreign-born workers by occupation group",
        &[
            "occupation group",
            "workers",
            "foreign-trained",
            "share",
            "training unknown",
            "foreign-born",
            "share",
        ],
        rows,
    );
    let mut countries: Vec<(u64, String)> = BTreeMap::<_, u64>::from_iter(
        counted
            .iter()
            .filter(|c| c.training == Origin::Foreign)
            .filter_map(|c| c.training_country.map(|k| (k, c.workers)))
            .fold(BTreeMap::new(), |mut m, (k, n)| {
                *m.entry(k).or_insert(0) += n;
                m
            }),
    )
    .into_iter()
    .map(|(country, n)| (n, country.name().to_owned()))
    .collect();
    countries.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    countries.truncate(TOP_COUNTRIES);
    if countries.is_empty() {
        out.push_str("<p class=\"note\">No foreign-trained worker with a recorded country of training.</p></section>");
        return Ok(());
    }
    let bars: Vec<(String, Option<u64>)> = countries
        .iter()
        .map(|(n, name)| (name.clone(), cx.shown(*n)))
        .collect();
    let id = cx.next_id();
    let desc = format!(
        "Horizontal bars of the foreign-trained workers of the {} most frequent countries of training; the figures are in the table below.",
        bars.len()
    );
    out.push_str(&chart::bars(
        &Label {
            id: &id,
            title: "Top countries of training (foreign-trained workers)",
            desc: &desc,
        },
        "workers",
        "country of training",
        &bars,
    )?);
    let rows = countries
        .iter()
        .map(|(n, name)| (String::new(), vec![Cell::Text(name.clone()), cx.cell(*n)]))
        .collect();
    table(
        out,
        "Top countries of training",
        &["country of training", "workers"],
        rows,
    );
    out.push_str("</section>");
    Ok(())
}

#[allow(clippy::too_many_lines)] // map, then table
fn distribution_section(out: &mut String, cx: &mut Context<'_, '_>) -> Result<()> {
    if cx.profile.is_none() {
        return Ok(());
    }
    out.push_str("<section id=\"distribution\"><h2>Distribution by org unit</h2><p class=\"note\">Workers in the stock by the DHIS2 org unit of their facility.</p>");
    let counted = cx.counted();
    let mut by: BTreeMap<&str, u64> = BTreeMap::new();
    let mut without = 0;
    for c in &counted {
        match &c.org_unit {
            Some(ou) => *by.entry(ou.as_str()).or_default() += c.workers,
            None => without += c.workers,
        }
    }
    let places = &cx.report.places;
    if places.has_geometry() && !by.is_empty() {
        let shapes: Vec<(Shape, Option<u64>)> = grid_points(cx, &by)
            .into_iter()
            .chain(by.iter().filter_map(|(ou, n)| {
                let place = places.get(ou)?;
                (!place.rings.is_empty()).then(|| (Shape::Area(place.rings.clone()), cx.shown(*n)))
            }))
            .collect();
        let id = cx.next_id();
        let desc = format!(
            "Map of {} org units: boundaries shaded and circles sized by the number of workers; the figures are in the table below.",
            by.len()
        );
        out.push_str(&chart::map(
            &Label {
                id: &id,
                title: "Health workers by place",
                desc: &desc,
            },
            &shapes,
        )?);
        let unplaced = by
            .keys()
            .filter(|ou| {
                places
                    .get(ou)
                    .is_none_or(|p| p.point.is_none() && p.rings.is_empty())
            })
            .count();
        if unplaced > 0 {
            let _ = write!(
                out,
                "<p class=\"note\">{unplaced} org units have no geometry and are not on the map.</p>"
            );
        }
    } else {
        out.push_str("<p class=\"notice\" id=\"no-geometry\">No org-unit geometry was given (facility positions, mCSD Locations or a boundary GeoJSON file), so there is no map: the table alone follows.</p>");
    }
    let mut ordered: Vec<(&str, u64)> = by.iter().map(|(ou, n)| (*ou, *n)).collect();
    ordered.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut rows: Vec<(String, Vec<Cell>)> = ordered
        .iter()
        .take(ORG_UNIT_ROWS)
        .map(|(ou, n)| {
            let name = places
                .get(ou)
                .and_then(|p| p.name.clone())
                .unwrap_or_default();
            (
                String::new(),
                vec![
                    Cell::Text((*ou).to_owned()),
                    Cell::Text(name),
                    cx.cell(*n),
                    density(cx, *n, Some(ou)),
                ],
            )
        })
        .collect();
    if ordered.len() > ORG_UNIT_ROWS {
        let rest: u64 = ordered.iter().skip(ORG_UNIT_ROWS).map(|(_, n)| n).sum();
        rows.push((
            String::new(),
            vec![
                Cell::Text(format!("{} other org units", ordered.len() - ORG_UNIT_ROWS)),
                Cell::Text(String::new()),
                cx.cell(rest),
                Cell::Missing("several org units".to_owned()),
            ],
        ));
    }
    if without > 0 {
        rows.push((
            String::new(),
            vec![
                Cell::Text("facility without org unit".to_owned()),
                Cell::Text(String::new()),
                cx.cell(without),
                Cell::Missing("no org unit".to_owned()),
            ],
        ));
    }
    table(
        out,
        "Workers by org unit (largest first)",
        &["org unit", "name", "workers", "per 10,000 population"],
        rows,
    );
    out.push_str("</section>");
    Ok(())
}

/// Points of org units, merged on a grid of about 60 by 40 cells so that a country of
/// 20,000 facilities stays a small drawing; each merged point sits at its cell's centroid.
fn grid_points(cx: &Context<'_, '_>, by: &BTreeMap<&str, u64>) -> Vec<(Shape, Option<u64>)> {
    let points: Vec<(f64, f64, u64)> = by
        .iter()
        .filter_map(|(ou, n)| {
            let place = cx.report.places.get(ou)?;
            let p = place.point.filter(|_| place.rings.is_empty())?;
            Some((p.longitude, p.latitude, *n))
        })
        .collect();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y, _) in &points {
        (x0, x1, y0, y1) = (x0.min(*x), x1.max(*x), y0.min(*y), y1.max(*y));
    }
    let step = ((x1 - x0) / 60.0).max((y1 - y0) / 40.0).max(1e-6);
    let mut cells: BTreeMap<(i64, i64), (f64, f64, u64)> = BTreeMap::new();
    for (x, y, n) in points {
        #[allow(clippy::cast_possible_truncation)] // grid cells, a few dozen
        let key = (((x - x0) / step) as i64, ((y - y0) / step) as i64);
        let cell = cells.entry(key).or_insert((0.0, 0.0, 0));
        #[allow(clippy::cast_precision_loss)]
        let w = n as f64;
        cell.0 += x * w;
        cell.1 += y * w;
        cell.2 += n;
    }
    cells
        .into_values()
        .filter(|(_, _, n)| *n > 0)
        .map(|(sx, sy, n)| {
            #[allow(clippy::cast_precision_loss)]
            let w = n as f64;
            (Shape::Point(sx / w, sy / w), cx.shown(n))
        })
        .collect()
}

fn ownership_section(out: &mut String, cx: &mut Context<'_, '_>) -> Result<()> {
    if cx.profile.is_none() {
        return Ok(());
    }
    out.push_str(
        "<section id=\"ownership\"><h2>Ownership and facility type</h2><div class=\"grid\">",
    );
    let counted = cx.counted();
    let mut ownership: BTreeMap<String, u64> = BTreeMap::new();
    let mut types: BTreeMap<String, u64> = BTreeMap::new();
    for c in &counted {
        let o = c
            .ownership
            .map_or("unknown".to_owned(), |o| ownership_key(o).replace('-', " "));
        *ownership.entry(o).or_default() += c.workers;
        let t = c.facility_type.map_or("unknown".to_owned(), provider_name);
        *types.entry(t).or_default() += c.workers;
    }
    let mut tables = String::new();
    for (title, what, counts) in [
        (
            "Health workers by employer ownership",
            "ownership",
            ownership,
        ),
        (
            "Health workers by facility type (SHA 2011 provider class)",
            "facility type",
            types,
        ),
    ] {
        let bars: Vec<(String, Option<u64>)> = counts
            .iter()
            .map(|(k, n)| (k.clone(), cx.shown(*n)))
            .collect();
        let id = cx.next_id();
        let desc = format!(
            "Horizontal bars of workers by {what}; the figures are in the table \"{title}\"."
        );
        out.push_str(&chart::bars(
            &Label {
                id: &id,
                title,
                desc: &desc,
            },
            "workers",
            what,
            &bars,
        )?);
        let rows = counts
            .iter()
            .map(|(k, n)| (String::new(), vec![Cell::Text(k.clone()), cx.cell(*n)]))
            .collect();
        table(&mut tables, title, &[what, "workers"], rows);
    }
    let _ = write!(out, "</div><div class=\"grid\">{tables}</div></section>");
    Ok(())
}

fn provider_name(class: ProviderClass) -> String {
    let name = match class {
        ProviderClass::Hospitals => "hospitals",
        ProviderClass::ResidentialLongTermCare => "residential long-term care",
        ProviderClass::AmbulatoryCare => "ambulatory care",
        ProviderClass::AncillaryServices => "ancillary services",
        ProviderClass::MedicalGoodsRetail => "medical goods retail",
        ProviderClass::PreventiveCare => "preventive care",
    };
    format!("{} {name}", class.code())
}

fn quality_section(out: &mut String, cx: &Context<'_, '_>) {
    out.push_str("<section id=\"quality\"><h2>Data quality</h2>");
    let counted = cx.counted();
    if !counted.is_empty() {
        let all = sum(&counted);
        let fields: [(&str, Known); 7] = [
            ("sex", |c| c.sex.is_some()),
            ("birth date (age group)", |c| c.age.is_some()),
            ("country of training", |c| c.training != Origin::Unknown),
            ("country of birth", |c| c.birth.is_some()),
            ("employer ownership", |c| c.ownership.is_some()),
            ("facility type", |c| c.facility_type.is_some()),
            ("facility org unit", |c| c.org_unit.is_some()),
        ];
        let rows = fields
            .iter()
            .map(|(name, known)| {
                let k = sum(counted.iter().filter(|c| known(c)));
                (
                    String::new(),
                    vec![
                        Cell::Text((*name).to_owned()),
                        cx.cell(k),
                        cx.cell(all - k),
                        cx.share(k, all),
                    ],
                )
            })
            .collect();
        table(
            out,
            "Completeness of the fields the figures need, among the workers counted in the stock",
            &["field", "recorded", "missing", "complete"],
            rows,
        );
        out.push_str("<p class=\"note\">Workers without an occupation, or not employed, are not in the stock: they are in the account below.</p>");
    }
    match cx.report.quality {
        None => out.push_str("<p class=\"note\">No record-level check was run (invalid codes, duplicates, dangling references): run <code>hrh validate</code>.</p>"),
        Some(quality) => {
            let mut by: BTreeMap<&str, (u64, &'static str, Vec<String>)> = BTreeMap::new();
            for f in &quality.findings {
                let entry = by.entry(f.problem.code()).or_insert((
                    0,
                    match f.severity {
                        hrh_core::quality::Severity::Error => "error",
                        hrh_core::quality::Severity::Warning => "warning",
                        hrh_core::quality::Severity::Info => "info",
                    },
                    Vec::new(),
                ));
                entry.0 += 1;
                if entry.2.len() < FIRST_IDS {
                    entry.2.push(format!("{}/{} ({})", f.record_kind, f.record_id, f.field));
                }
            }
            let _ = write!(
                out,
                "<p>{} records checked, {} findings.</p>",
                thousands(quality.records_checked as u64),
                thousands(quality.findings.len() as u64)
            );
            let rows = by
                .into_iter()
                .map(|(code, (n, severity, ids))| {
                    let ids = match cx.shown(n) {
                        Some(_) => Cell::Text(ids.join(", ")),
                        None => Cell::Missing("withheld with the count".to_owned()),
                    };
                    (
                        format!(" data-problem=\"{code}\""),
                        vec![Cell::Text(code.replace('_', " ")), Cell::Text(severity.to_owned()), cx.cell(n), ids],
                    )
                })
                .collect();
            table(
                out,
                "Findings by kind, with the first record ids of each",
                &["finding", "severity", "records", "first records (ids only)"],
                rows,
            );
        }
    }
    out.push_str("</section>");
}

fn account_section(out: &mut String, cx: &Context<'_, '_>) {
    let account = &cx.result.account;
    let on = account.reference_date;
    out.push_str("<section id=\"account\"><h2>Account of every worker</h2>");
    let _ = write!(
        out,
        "<p>Every worker in the records is either counted or not counted for one reason; counted workers may be left out of a breakdown. {} </p>",
        if account.adds_up() {
            "The account adds up."
        } else {
            "The account does not add up: please report this."
        }
    );
    let mut rows = vec![
        (
            " id=\"account-workers\"".to_owned(),
            vec![
                Cell::Text("workers in the records".to_owned()),
                cx.cell(account.workers),
            ],
        ),
        (
            " id=\"account-counted\"".to_owned(),
            vec![Cell::Text("counted".to_owned()), cx.cell(account.counted)],
        ),
    ];
    for (what, n) in account.not_counted_reasons() {
        rows.push((
            String::new(),
            vec![Cell::Text(format!("not counted: {what}")), cx.cell(n)],
        ));
    }
    table(out, "Counted and not counted", &["", "workers"], rows);
    if !account.left_out.is_empty() {
        let rows = account
            .left_out
            .iter()
            .map(|((breakdown, reason), n)| {
                (
                    String::new(),
                    vec![
                        Cell::Text(breakdown.name().replace('_', " ")),
                        Cell::Text(reason.describe(on)),
                        cx.cell(*n),
                    ],
                )
            })
            .collect();
        table(
            out,
            "Counted workers left out of a breakdown",
            &["breakdown", "reason", "workers"],
            rows,
        );
    }
    let mut extra = Vec::new();
    if account.orphan_employments > 0 {
        extra.push(format!(
            "{} employments of unknown practitioners (not workers)",
            account.orphan_employments
        ));
    }
    if account.withheld_values > 0 {
        extra.push(format!(
            "{} values of the data set withheld (small cells)",
            account.withheld_values
        ));
    }
    for line in extra {
        let _ = write!(out, "<p class=\"note\">{}</p>", escape(&line));
    }
    out.push_str("</section>");
}

fn trends_section(out: &mut String, cx: &mut Context<'_, '_>) -> Result<()> {
    let runs = &cx.report.runs;
    if runs.len() < 2 {
        return Ok(());
    }
    out.push_str("<section id=\"trends\"><h2>Trends</h2><p class=\"note\">The headline figures in each period, counted with the same mapping and rules.</p>");
    let periods: Vec<String> = runs.iter().map(|(p, _)| p.to_string()).collect();
    let mut series: Vec<(String, Vec<u64>)> = cx
        .headlines
        .iter()
        .map(|h| {
            (
                h.name.clone(),
                runs.iter()
                    .map(|(_, r)| figure(r, &h.data_element))
                    .collect(),
            )
        })
        .collect();
    let mut rows = Vec::new();
    for (name, values) in &series {
        let mut cells = vec![Cell::Text(name.clone())];
        cells.extend(values.iter().map(|n| cx.cell(*n)));
        rows.push((String::new(), cells));
    }
    series.sort_by(|a, b| b.1.last().cmp(&a.1.last()));
    let top: Vec<(String, Vec<Option<u64>>)> = series
        .into_iter()
        .take(6)
        .map(|(name, values)| (name, values.into_iter().map(|n| cx.shown(n)).collect()))
        .collect();
    let id = cx.next_id();
    let desc = format!(
        "Lines of the headcount of the {} largest occupation groups in each period from {} to {}; every group is in the table below.",
        top.len(),
        periods.first().map_or("", String::as_str),
        periods.last().map_or("", String::as_str)
    );
    out.push_str(&chart::lines(
        &Label {
            id: &id,
            title: "Headcount by period",
            desc: &desc,
        },
        &periods,
        &top,
    )?);
    let mut header = vec!["occupation group"];
    header.extend(periods.iter().map(String::as_str));
    table(
        out,
        "Headcount by occupation group and period",
        &header,
        rows,
    );
    out.push_str("</section>");
    Ok(())
}

fn foot(out: &mut String, report: &Report<'_>) {
    let _ = write!(
        out,
        "<footer>Made by hrh {} from the registry's own records; only aggregate figures are shown. The page is self-contained: no script, font or image is fetched.</footer></main></body></html>",
        escape(env!("CARGO_PKG_VERSION"))
    );
    let _ = report;
}
