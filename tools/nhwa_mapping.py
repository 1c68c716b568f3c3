#!/usr/bin/env python3
"""Writes core/mappings/nhwa-module1*.toml, nhwa-module5.toml (labour-market flows),
nhwa-module6.toml (working conditions) and nhwa-module7.toml (remuneration) from the NHWA
identifier list.

Developer tool, run by hand when the identifier list changes (needs `pycountry`):
    python3 tools/nhwa_mapping.py ../shared/fixtures/dhis2/nhwa/nhwa_custom_form_fields.json

It checks every pairing it writes: each data element's form fields must use exactly
the category option combos of its breakdown, and each combo name must match the
category it is mapped to. The occupation → ISCO-08 table below is ours (DOMAIN.md §1.3).
"""
import json
import re
import sys
from pathlib import Path

import pycountry

ISCO = "http://www.ilo.org/public/english/bureau/stat/isco/isco08"
SNOMED = "http://snomed.info/sct"

# NHWA occupation (as in the DE names) -> population. Omitted occupations are listed in OMITTED.
OCCUPATIONS = {
    "Medical Doctors": {"isco": ["221"]},
    "General Medical Practitioners": {"isco": ["2211"]},
    "Specialist Medical Practitioners": {"isco": ["2212"]},
    "General Paediatricians Practitioners": {"isco": ["2212"], "specialties": [f"{SNOMED}|394537008"]},
    "Obstetricians and Gynaecologists Practitioners": {"isco": ["2212"], "specialties": [f"{SNOMED}|394585009"]},
    "Psychiatrists Practitioners": {"isco": ["2212"], "specialties": [f"{SNOMED}|394587001"]},
    "Medical doctors not further defined": {"isco": ["221"], "exact": True},
    "Nursing Personnel": {"isco": ["2221", "3221"]},
    "Nursing Professionals": {"isco": ["2221"]},
    "Nursing Associate Professionals": {"isco": ["3221"]},
    "Midwifery personnel": {"isco": ["2222", "3222"]},
    "Midwifery Professionals": {"isco": ["2222"]},
    "Midwifery Associate Professionals": {"isco": ["3222"]},
    "Dentists": {"isco": ["2261"]},
    "Dental Assistants and Therapists": {"isco": ["3251"]},
    "Pharmacists": {"isco": ["2262"]},
    "Pharmaceutical Technicians and Assistants": {"isco": ["3213"]},
    "Physiotherapists": {"isco": ["2264"]},
    "Physiotherapy Technicians and Assistants": {"isco": ["3255"]},
    "Medical and Pathology Laboratory Technicians": {"isco": ["3212"]},
    "Medical Imaging and Therapeutic Equipment Technicians": {"isco": ["3211"]},
    "Medical Records and Health Information Technicians": {"isco": ["3252"]},
    "Community Health Workers": {"isco": ["3253"]},
    "Dispensing Opticians": {"isco": ["3254"]},
    "Medical Assistants": {"isco": ["3256"]},
    "Environmental and Occupational Health and Hygiene Professionals": {"isco": ["2263"]},
    "Environmental and Occupational Health Inspectors and Associates": {"isco": ["3257"]},
    "Ambulance Workers": {"isco": ["3258"]},
    "Audiologists and Speech Therapists": {"isco": ["2266"]},
    "Optometrists and Ophthalmic Opticians": {"isco": ["2267"]},
    "Paramedical Practitioners": {"isco": ["2240"]},
    "Traditional and Complementary Medicine Professionals": {"isco": ["2230"]},
    "Traditional and Complementary Medicine Associate Professionals": {"isco": ["3230"]},
    "Personal care workers": {"isco": ["532"]},
    "Health Care Assistants": {"isco": ["5321"]},
    "Home-based Personal Care Workers": {"isco": ["5322"]},
    "Personal care workers in health services n.e.c": {"isco": ["5329"]},
    "Psychologists": {"isco": ["2634"]},
    "Social work and counselling professionals": {"isco": ["2635"]},
    "Social work associate professionals": {"isco": ["3412"]},
    "Medical secretaries": {"isco": ["3344"]},
    "Managerial staff": {"isco": ["1342"]},
}

OMITTED = {
    "Medical group of Specialists Practitioners": "needs a national grouping of specialties",
    "Surgical group of Specialists Practitioners": "needs a national grouping of specialties",
    "Other Specialists Practitioners": "needs a national grouping of specialties",
    "Nursing Professionals with additional midwifery training": "needs a midwifery qualification rule",
    "Nursing Associate Professionals with additional midwifery training": "needs a midwifery qualification rule",
    "Nurses not further defined": "ISCO-08 has no 'nurse, level unknown' group (222 also holds midwives)",
    "Midwives not further defined": "ISCO-08 has no 'midwife, level unknown' group (222 also holds nurses)",
    "Dental Prosthetic Technicians": "shares ISCO-08 3214 with medical prosthetic technicians",
    "Medical Prosthetic Technicians": "shares ISCO-08 3214 with dental prosthetic technicians",
    "Dieticians": "shares ISCO-08 2265 with nutritionists",
    "Nutritionists": "shares ISCO-08 2265 with dieticians",
    "Medical and Pathology Laboratory scientists": "no ISCO-08 unit group of its own",
    "Biomedical engineer": "part of ISCO-08 2149 only",
    "Administrative staff": "staff of health establishments; no ISCO-08 health group",
    "Health information systems personnel": "staff of health establishments; no ISCO-08 health group",
    "Engineering and maintenance staff": "staff of health establishments; no ISCO-08 health group",
    "Other non-medical professional staff": "staff of health establishments; no ISCO-08 health group",
    "Other non-medical support staff": "staff of health establishments; no ISCO-08 health group",
}

BREAKDOWNS = {  # DE name suffix -> (breakdown, {combo name suffix: category key})
    "Total": ("none", None),
    "By Sex": ("sex", {"Female": "female", "Male": "male"}),
    "By Age Group": ("age_group", {"< 25": "<25", "25-34": "25-34", "35-44": "35-44", "45-54": "45-54", "55-64": "55-64", "> 65": "65+"}),
    "By Place of Training": ("place_of_training", {"Domestic": "domestic", "Foreign Trained": "foreign", "Unknown": "unknown"}),
    "By Place of Birth": ("place_of_birth", {"National Born": "national", "Foreign Born": "foreign"}),
    "By HF Ownership": ("facility_ownership", {"Public": "public", "Private for profit": "private-for-profit", "Private not for profit": "private-not-for-profit"}),
    "By Working Facility Type": ("facility_type", {f"HP.{i}": f"HP.{i}" for i in range(1, 7)}),
    "By Activity Level": ("activity_level", {"Practising": "practising", "Licensed to practise": "licensed", "Professionally active": None}),
}

COUNTRY_NAMES = {  # older WHO names in the forms -> ISO 3166-1 alpha-2
    "Swaziland": "SZ", "The former Yugoslav republic of Macedonia": "MK", "Czech Republic": "CZ", "Turkey": "TR",
    "Democratic Republic of the Congo": "CD", "Republic of Korea": "KR", "Democratic People's Republic of Korea": "KP",
    "Republic of Moldova": "MD", "United Republic of Tanzania": "TZ", "Iran (Islamic Republic of)": "IR",
    "Venezuela (Bolivarian Republic of)": "VE", "Bolivia (Plurinational State of)": "BO", "Micronesia (Federated States of)": "FM",
    "Lao People's Democratic Republic": "LA", "Cote d'Ivoire": "CI", "Côte d'Ivoire": "CI", "Cabo Verde": "CV", "Cape Verde": "CV",
    "United Kingdom of Great Britain and Northern Ireland": "GB", "United States of America": "US", "Russian Federation": "RU",
    "Syrian Arab Republic": "SY", "Viet Nam": "VN", "Brunei Darussalam": "BN", "Niue": "NU", "Cook Islands": "CK",
    "Netherlands": "NL", "Bahamas": "BS", "Gambia": "GM", "Congo": "CG", "Saint Kitts and Nevis": "KN", "Palestine": "PS",
}


def iso2(name):
    if name in COUNTRY_NAMES:
        return COUNTRY_NAMES[name]
    try:
        return pycountry.countries.lookup(name).alpha_2
    except LookupError:
        return pycountry.countries.search_fuzzy(name)[0].alpha_2


def module(modules, uid):
    return next(m for m in modules if m["dataSet_uid_from_filename"] == uid)


def names_of(m):
    return {de: n or next(t for e, _, t in m["fields"] if e == de) for de, n in m["dataElements"].items()}


def main(path):
    modules = json.load(open(path))["modules"]
    m1 = module(modules, "FuMctq4PQpf")
    names = names_of(m1)
    cocs_of = {}
    for de, coc, _ in m1["fields"]:
        cocs_of.setdefault(de, set()).add(coc)
    coc_names = m1["categoryOptionCombos"]

    # Combo sets, checked by name.
    sets = {}
    all_cocs = {}
    for suffix, (breakdown, cats) in BREAKDOWNS.items():
        if cats is None:
            continue
        found = {}
        unused = set()
        for coc, cname in coc_names.items():
            if cname and cname.startswith(suffix + " "):
                label = cname[len(suffix) + 1:]
                match = [k for k in cats if label.startswith(k)]
                assert len(match) == 1, (suffix, cname, match)
                key = cats[match[0]]
                if key is None:  # a category records cannot support (professionally active)
                    unused.add(coc)
                    continue
                assert key not in found, (suffix, cname)
                found[key] = coc
        assert set(found) == {v for v in cats.values() if v}, (suffix, found)
        sets[breakdown] = found
        all_cocs[breakdown] = set(found.values()) | unused

    # Occupations and their DEs, checked against the combos their fields use.
    groups = {}
    for de, name in names.items():
        found = re.match(r"^NHWA_(?!HWF_)(.*?) [Ss]tock(.*)$", name)
        if not found or "source type" in name:
            continue
        occupation, suffix = found.groups()
        suffix = suffix.strip()
        extra = "with additional midwifery training"
        if suffix.startswith(extra):  # "NHWA_Nursing Professionals Stock with additional midwifery training By Sex"
            occupation, suffix = f"{occupation} {extra}", suffix[len(extra):].strip()
        breakdown, _ = BREAKDOWNS[suffix or "Total"]
        expected = {"Xr12mI7VPn3"} if breakdown == "none" else all_cocs[breakdown]
        assert cocs_of[de] == expected, (name, cocs_of[de], expected)
        groups.setdefault(occupation, {})[breakdown] = de
    # The lone Place of Training DE without "Stock" in its name.
    assert names["qfVp6vFGOpZ"] == "NHWA_Nursing Personnel By Place of Training"
    assert cocs_of["qfVp6vFGOpZ"] == set(sets["place_of_training"].values())
    groups["Nursing Personnel"]["place_of_training"] = "qfVp6vFGOpZ"
    assert set(groups) == set(OCCUPATIONS) | set(OMITTED), set(groups) ^ (set(OCCUPATIONS) | set(OMITTED))

    # Foreign trained by country of training.
    countries = {}
    for coc, cname in coc_names.items():
        if coc in cocs_of["tu2P5ALJRow"]:
            key = "other" if cname.strip().lower() == "other country" else iso2(cname)
            assert key not in countries, (cname, key, countries.get(key))
            countries[key] = coc
    assert cocs_of["tu2P5ALJRow"] == cocs_of["Ni2b6zYWjjT"] == set(countries.values())

    out = []
    w = out.append
    w("# NHWA Module 1 (data set FuMctq4PQpf), national level. Generated by tools/nhwa_mapping.py from the")
    w("# identifiers of the NHWA data-entry forms; every data element / combo pairing is checked there.")
    w("# Omitted occupations (the records cannot support them without a local rule):")
    for occ, why in sorted(OMITTED.items()):
        w(f"#   {occ}: {why}")
    head(w, "nhwa-module1", "WHO NHWA Module 1: stock of health workers by occupation and breakdown, national level", "FuMctq4PQpf", "national")
    for breakdown, found in sets.items():
        w(f"[combos.{breakdown}]")
        for key, coc in found.items():
            w(f'"{key}" = "{coc}"')
        w("")
    w("[combos.country_of_training]")
    for key in sorted(countries):
        w(f'{key} = "{countries[key]}"')
    w("")
    order = list(BREAKDOWNS.values())
    for occupation, population in OCCUPATIONS.items():
        w("[[group]]")
        w(f'name = "{occupation}"')
        population_lines(w, population)
        w("[group.data_elements]")
        for breakdown, _ in order:
            if breakdown in groups[occupation]:
                w(f'{breakdown} = "{groups[occupation][breakdown]}"')
        w("")
    for de, occupation in [("tu2P5ALJRow", "Medical Doctors"), ("Ni2b6zYWjjT", "Nursing Personnel")]:
        w("[[target]]")
        w(f'data_element = "{de}"')
        w(f'name = "{names[de][len("NHWA_"):]}"')
        population_lines(w, OCCUPATIONS[occupation])
        w('breakdown = "country_of_training"')
        w("")
    Path("core/mappings/nhwa-module1.toml").write_text("\n".join(out))

    # Subnational: one Stock DE per occupation, default combo, reported per facility org unit.
    sub = module(modules, "W1NeEVi7ZaX")
    sub_names = names_of(sub)
    sub_cocs = {}
    for de, coc, _ in sub["fields"]:
        sub_cocs.setdefault(de, set()).add(coc)
    out = []
    w = out.append
    w("# NHWA Module 1 subnational (data set W1NeEVi7ZaX; the form pamb86ECgOA has the same elements).")
    w("# Generated by tools/nhwa_mapping.py. One stock figure per occupation, per facility org unit.")
    head(w, "nhwa-module1-subnational", "WHO NHWA Module 1, subnational: stock by occupation per org unit", "W1NeEVi7ZaX", "facility")
    count = 0
    for de, name in sorted(sub_names.items(), key=lambda kv: kv[1]):
        if not name.startswith("NHWA_") or not name.endswith(" Stock"):
            continue
        occupation = name[len("NHWA_"):-len(" Stock")]
        if occupation not in OCCUPATIONS:
            assert occupation in OMITTED, occupation
            continue
        assert sub_cocs[de] == {"Xr12mI7VPn3"}, name
        w("[[target]]")
        w(f'data_element = "{de}"')
        w(f'name = "{occupation}"')
        population_lines(w, OCCUPATIONS[occupation])
        w("")
        count += 1
    Path("core/mappings/nhwa-module1-subnational.toml").write_text("\n".join(out))
    print(f"module 1: {len(OCCUPATIONS)} occupations, {len(countries)} countries; subnational: {count} targets")
    flows_and_conditions(modules)


# Modules 5 to 7 put the occupation in the category option combo: combo name -> OCCUPATIONS key.
COMBO_OCCUPATIONS = {
    "Medical Doctors": "Medical Doctors",
    "General Medical Practitioner": "General Medical Practitioners",
    "Specialist Medical Practitioner": "Specialist Medical Practitioners",
    "Nursing Professional": "Nursing Professionals",
    "Midwifery Professional": "Midwifery Professionals",
    "Dentist": "Dentists",
    "Pharmacist": "Pharmacists",
}

# Module 5 (labour-market flows): DE name (without "NHWA_") -> (measure, only).
SEXES = {"": {}, "Female ": {"sex": "female"}, "Male ": {"sex": "male"}}
FLOWS = {}
for _prefix, _only in SEXES.items():
    for _training in ["domestic", "foreign"]:
        _name = f"{_prefix}newly active {_training} trained Health Workforce" if _prefix else f"Newly active {_training} trained Health Workforce"
        FLOWS[_name] = ("entries", {**_only, "place_of_training": _training})
    for _reason in ["voluntary", "involuntary"]:
        FLOWS[f"{_prefix}Health workforce who have {_reason} exit from the force"] = ("exits", {**_only, "exit_reason": _reason})
    # Entrants whose job started within a year after graduating (README, How workers are counted).
    FLOWS[f"{_prefix}Health workforce Started practicing within one year of graduation"] = ("graduate_entries", _only)
FLOWS_UNSUPPORTED = {
    "Health workforce currently unemployed": "registries hold employed workers; unemployment needs a labour-force survey",
    "Female Health workforce currently unemployed": "registries hold employed workers; unemployment needs a labour-force survey",
    "Male Health workforce currently unemployed": "registries hold employed workers; unemployment needs a labour-force survey",
    "Vacancy rate for HWF": "needs the establishment's funded posts, which are not in worker records",
    "HWF Module 5 File upload": "a document, not a figure",
}

# Module 6 (working conditions).
CONDITIONS = {
    "Health workforce with Part Time Contract in total": ("part_time", {}),
    "Health workforce with Part Time Contract in a public owned facilities": ("part_time", {"facility_ownership": "public"}),
    "Health workforce with Part Time Contract in a Not-for-profit privately owned facilities": ("part_time", {"facility_ownership": "private-not-for-profit"}),
    "Health workforce with Part Time Contract in a For-profit privately owned owned facilities": ("part_time", {"facility_ownership": "private-for-profit"}),
    # The records hold each job's contracted hours; the mean of the stock's is the figure.
    "Standard Working Hours in a week": ("weekly_hours", {}),
}
LAW = "a fact about national law or policy, not in worker records"


def conditions_unsupported(name):
    if name.startswith(("Existence of", "Comment of", "Standard working hours as per the national law")):
        return LAW
    if name.startswith("Violent attacks"):
        return "incident reports, not worker records"
    if name == "Health workforce Self employed":
        return "self-employment is not among the recorded contract types (a registry holds employments)"
    if name.endswith("File upload"):
        return "a document, not a figure"
    return None


# Module 7 (remuneration): the median annual gross pay of the stock, by sex.
REMUNERATION = {
    "total median earnings HWF": ("median_earnings", {}),
    "median earnings of female HWF": ("median_earnings", {"sex": "female"}),
    "median earnings of men HWF": ("median_earnings", {"sex": "male"}),
}


def remuneration_unsupported(name):
    if name.startswith("Average of Entry-level wages"):
        return ("the pay of a starting post excluding social contributions is a pay scale, not in worker "
                "records (a recorded salary is the worker's gross pay)")
    if name.startswith(("Expenditure on", "Public expenditure on", "Financial income")):
        return "expenditure and financing, from health accounts, not worker records"
    if name.startswith(("Existence of", "Comment of")):
        return LAW
    if name.endswith("File upload"):
        return "a document, not a figure"
    if name == "undefined":
        return "a form field without a data element name"
    return None


def occupation_module(modules, uid, supported, unsupported, header, name, description, path):
    """One target per supported data element and occupation combo, every pairing checked."""
    m = module(modules, uid)
    names = {de: n.removeprefix("NHWA_") for de, n in names_of(m).items()}
    cocs_of = {}
    for de, coc, _ in m["fields"]:
        cocs_of.setdefault(de, set()).add(coc)
    coc_names = m["categoryOptionCombos"]
    occupation_cocs = {coc: COMBO_OCCUPATIONS[n] for coc, n in coc_names.items() if n in COMBO_OCCUPATIONS}
    assert len(occupation_cocs) == len(COMBO_OCCUPATIONS), occupation_cocs
    out = []
    w = out.append
    for line in header:
        w(f"# {line}")
    w("# Data elements the records cannot support:")
    skipped = 0
    for de, n in sorted(names.items(), key=lambda kv: kv[1]):
        if n in supported:
            continue
        why = unsupported(n)
        assert why, f"{de} {n!r} is neither supported nor listed"
        w(f"#   {de} {n}: {why}")
        skipped += 1
    head(w, name, description, uid, "national")
    count = 0
    found = set()
    for de, n in sorted(names.items(), key=lambda kv: kv[1]):
        if n not in supported:
            continue
        found.add(n)
        measure, only = supported[n]
        assert cocs_of[de] == set(occupation_cocs), (n, cocs_of[de])
        for coc, occupation in sorted(occupation_cocs.items(), key=lambda kv: kv[1]):
            title = next(t for e, c, t in m["fields"] if e == de and c == coc)
            assert title.endswith(" " + coc_names[coc]), (title, coc_names[coc])
            w("[[target]]")
            w(f'data_element = "{de}"')
            w(f'name = "{n}, {occupation}"')
            population_lines(w, OCCUPATIONS[occupation])
            w(f'measure = "{measure}"')
            if only:
                w("only = { " + ", ".join(f'{k} = "{v}"' for k, v in only.items()) + " }")
            w(f'category_option_combo = "{coc}"')
            w("")
            count += 1
    assert found == set(supported), set(supported) - found
    Path(path).write_text("\n".join(out))
    return count, skipped


def flows_and_conditions(modules):
    n5, s5 = occupation_module(
        modules, "WXTEJg6SJAc", FLOWS, FLOWS_UNSUPPORTED.get,
        ["NHWA Module 5, labour-market flows (data set WXTEJg6SJAc), national level. Generated by",
         "tools/nhwa_mapping.py; every data element / occupation combo pairing is checked there.",
         "Entries and exits follow the workforce convention (README, How workers are counted).",
         "Started practising within one year of graduation: entrants whose job started at most a",
         "year after their training qualification's period.end (else its start, the issue date)."],
        "nhwa-module5", "WHO NHWA Module 5: newly active and exiting health workers by occupation, national level",
        "core/mappings/nhwa-module5.toml")
    n6, s6 = occupation_module(
        modules, "U2K47T8nDgj", CONDITIONS, conditions_unsupported,
        ["NHWA Module 6, working conditions (data set U2K47T8nDgj), national level. Generated by",
         "tools/nhwa_mapping.py; every data element / occupation combo pairing is checked there.",
         "Part-time: FTE below 1.0, else employment status partTime. Standard working hours: the",
         "mean contracted weekly hours of the stock."],
        "nhwa-module6", "WHO NHWA Module 6: part-time contracts and working hours by occupation, national level",
        "core/mappings/nhwa-module6.toml")
    n7, s7 = occupation_module(
        modules, "Vvb0gbFH9IO", REMUNERATION, remuneration_unsupported,
        ["NHWA Module 7, remuneration (data set Vvb0gbFH9IO), national level. Generated by",
         "tools/nhwa_mapping.py; every data element / occupation combo pairing is checked there.",
         "Median earnings: the median annual gross pay of the stock's employment (monthly salaries",
         "times twelve), in the one currency of its workers; add currency = \"UZS\" (say) to leave",
         "workers paid in another currency out of the figures instead of writing none."],
        "nhwa-module7", "WHO NHWA Module 7: median earnings by occupation and sex, national level",
        "core/mappings/nhwa-module7.toml")
    print(f"module 5: {n5} targets, {s5} elements not supported; module 6: {n6} targets, {s6} not supported; "
          f"module 7: {n7} targets, {s7} not supported")


def head(w, name, description, uid, rule):
    """The mapping's header, org unit rule and code tables."""
    w("format = 1")
    w(f'name = "{name}"')
    w('version = "2025.1"')
    w(f'description = "{description}"')
    w(f'data_set = "{uid}"')
    w('period_type = "Yearly"')
    w('id_scheme = "uid"')
    w('default_combo = "Xr12mI7VPn3"')
    w("")
    w("[org_unit]")
    w(f'rule = "{rule}"')
    w("")
    common_tables(w)


def population_lines(w, population):
    w("isco = [" + ", ".join(f'"{c}"' for c in population["isco"]) + "]")
    if population.get("exact"):
        w("exact = true")
    if population.get("specialties"):
        w("specialties = [" + ", ".join(f'"{c}"' for c in population["specialties"]) + "]")


def common_tables(w):
    w("# Organization.type codings -> ownership.")
    w("[ownership]")
    w('"https://hrh.dev/fhir/CodeSystem/facility-ownership|public" = "public"')
    w('"https://hrh.dev/fhir/CodeSystem/facility-ownership|private-not-for-profit" = "private-not-for-profit"')
    w('"https://hrh.dev/fhir/CodeSystem/facility-ownership|private-for-profit" = "private-for-profit"')
    w('"http://terminology.hl7.org/CodeSystem/organization-type|govt" = "public"')
    w('"http://terminology.hl7.org/CodeSystem/organization-type|reli" = "private-not-for-profit"')
    w('"http://terminology.hl7.org/CodeSystem/organization-type|bus" = "private-for-profit"')
    w("")
    w("# Location.type codings -> SHA 2011 provider class.")
    w("[facility_type]")
    for code, hp in [("HOSP", 1), ("GACH", 1), ("PSYCHF", 1), ("RH", 1), ("NCCF", 2), ("SNF", 2), ("PC", 3), ("OF", 3), ("MBL", 4), ("AMB", 4), ("PHARM", 5)]:
        w(f'"http://terminology.hl7.org/CodeSystem/v3-RoleCode|{code}" = "HP.{hp}"')
    for hp in range(1, 7):
        w(f'"https://hrh.dev/fhir/CodeSystem/sha-provider|HP.{hp}" = "HP.{hp}"')
    w("")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/fixtures/dhis2/nhwa/nhwa_custom_form_fields.json")
