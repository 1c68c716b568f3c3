//! The workforce profile in a real browser: Debian's headless Chromium, driven over the
//! `DevTools` protocol (`--remote-debugging-pipe`, spoken here with `serde_json` alone), opens
//! the page from a file with the network off and every non-file request failed, and checks:
//! no console error, no request outside the file, every chart drawn with a size, the
//! headline numbers equal to `hrh aggregate`'s, the small cells absent. A screenshot of
//! each page is saved under `target/report-artifacts/`.
//!
//! Without `chromium` on PATH the tests skip and say so, or fail when `CI` is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::needless_pass_by_value // json!() arguments read best by value
)]

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

use common::{hrh, temp_dir};

/// How long Chromium may take to answer or load a page.
const WAIT: Duration = Duration::from_mins(1);

/// A headless Chromium and a `DevTools` session on one page.
struct Browser {
    child: Child,
    to: std::fs::File,
    from: mpsc::Receiver<Value>,
    next: u64,
    session: String,
    /// Every event seen so far.
    events: Vec<Value>,
}

fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("chromium"))
                .find(|p| p.is_file())
        })
        .unwrap_or_default();
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed (scripts/test.sh installs it)"
        );
        eprintln!("skipped: chromium is not installed");
    }
    found
}

impl Browser {
    fn start(chromium: &Path, dir: &Path) -> Self {
        let (input, output) = (dir.join("cdp-in"), dir.join("cdp-out"));
        for fifo in [&input, &output] {
            assert!(Command::new("mkfifo").arg(fifo).status().unwrap().success());
        }
        let profile = dir.join("chromium-profile");
        // The shell hands the pipes to Chromium as file descriptors 3 and 4.
        let script = format!(
            "exec '{}' --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run --no-default-browser-check --user-data-dir='{}' --remote-debugging-pipe about:blank 3<'{}' 4>'{}'",
            chromium.display(),
            profile.display(),
            input.display(),
            output.display()
        );
        let child = Command::new("sh")
            .args(["-c", &script])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let to = std::fs::OpenOptions::new()
            .write(true)
            .open(&input)
            .unwrap();
        let reader = std::fs::File::open(&output).unwrap();
        let (send, from) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(reader);
            let mut message = Vec::new();
            while reader.read_until(0, &mut message).is_ok_and(|n| n > 0) {
                message.pop();
                if let Ok(value) = serde_json::from_slice::<Value>(&message)
                    && send.send(value).is_err()
                {
                    break;
                }
                message.clear();
            }
        });
        let mut browser = Self {
            child,
            to,
            from,
            next: 0,
            session: String::new(),
            events: Vec::new(),
        };
        let target = browser.call("Target.createTarget", json!({"url": "about:blank"}));
        let attached = browser.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        attached["sessionId"]
            .as_str()
            .unwrap()
            .clone_into(&mut browser.session);
        for domain in [
            "Page.enable",
            "Runtime.enable",
            "Log.enable",
            "Network.enable",
        ] {
            browser.call(domain, json!({}));
        }
        // The network is off, and any request that is not for a file is failed and noted.
        browser.call(
            "Network.emulateNetworkConditions",
            json!({"offline": true, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
        );
        browser.call("Fetch.enable", json!({"patterns": [{"urlPattern": "*"}]}));
        browser
    }

    /// Sends a command (to the page's session once attached) and waits for its answer.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut message = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).unwrap();
        loop {
            let value = self.from.recv_timeout(WAIT).expect("chromium answers");
            if value["id"] == json!(id) {
                assert!(value.get("error").is_none(), "{method}: {value}");
                return value["result"].clone();
            }
            self.event(value);
        }
    }

    /// Notes an event; lets a paused file request through and fails any other.
    fn event(&mut self, value: Value) {
        if value["method"] == "Fetch.requestPaused" {
            let request = value["params"]["requestId"].clone();
            let url = value["params"]["request"]["url"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if url.starts_with("file:") {
                self.call("Fetch.continueRequest", json!({"requestId": request}));
            } else {
                self.call(
                    "Fetch.failRequest",
                    json!({"requestId": request, "errorReason": "BlockedByClient"}),
                );
            }
        }
        self.events.push(value);
    }

    /// Opens a page and waits for its load event.
    fn open(&mut self, url: &str) {
        self.events.clear();
        self.call("Page.navigate", json!({"url": url}));
        while !self
            .events
            .iter()
            .any(|e| e["method"] == "Page.loadEventFired")
        {
            let value = self.from.recv_timeout(WAIT).expect("the page loads");
            self.event(value);
        }
    }

    /// The value of a JavaScript expression in the page (JSON-serialisable).
    fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": format!("JSON.stringify({expression})"), "returnByValue": true}),
        );
        serde_json::from_str(result["result"]["value"].as_str().expect("a value")).unwrap()
    }

    /// Every URL the page asked for.
    fn requests(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .filter_map(|e| e["params"]["request"]["url"].as_str().map(str::to_owned))
            .collect()
    }

    /// Console errors, uncaught exceptions and error log entries.
    fn errors(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| {
                (e["method"] == "Runtime.consoleAPICalled" && e["params"]["type"] == "error")
                    || e["method"] == "Runtime.exceptionThrown"
                    || (e["method"] == "Log.entryAdded" && e["params"]["entry"]["level"] == "error")
            })
            .map(ToString::to_string)
            .collect()
    }

    /// A full-page PNG screenshot.
    fn screenshot(&mut self, path: &Path) {
        let metrics = self.call("Page.getLayoutMetrics", json!({}));
        let size = &metrics["cssContentSize"];
        let shot = self.call(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true,
                   "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}}),
        );
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the page shows: charts drawn (with their size) and headline values by data element.
const PAGE_FACTS: &str = r"{
  charts: [...document.querySelectorAll('svg')].map(s => {
    const box = s.getBoundingClientRect();
    return {width: box.width, height: box.height, shapes: s.querySelectorAll('rect,path,polyline,polygon,circle,line').length,
            accessible: s.getAttribute('role') === 'img' && !!s.querySelector('title') && !!s.querySelector('desc')};
  }),
  headline: Object.fromEntries([...document.querySelectorAll('#headline tr[data-figure]')].map(r => {
    const cell = r.querySelector('[data-value],[data-withheld]');
    return [r.dataset.figure, cell.hasAttribute('data-withheld') ? null : Number(cell.dataset.value)];
  })),
  values: [...document.querySelectorAll('[data-value]')].map(c => Number(c.dataset.value)),
  suppressionNote: !!document.getElementById('suppression'),
  noGeometry: !!document.getElementById('no-geometry'),
  text: document.body.innerText
}";

/// `hrh report` for 2024 in Uzbekistan, reported nationally.
const REPORT_2024: [&str; 7] = [
    "report",
    "--period",
    "2024",
    "--country",
    "UZ",
    "--org-unit",
    "UZ",
];

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/report-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Opens a page, checks what every page must hold, saves its screenshot; the page's facts.
fn check_page(chromium: &Path, dir: &Path, page: &Path, name: &str) -> Value {
    let mut browser = Browser::start(chromium, dir);
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    browser.open(&url);
    let facts = browser.eval(PAGE_FACTS);
    browser.screenshot(&artifacts().join(format!("{name}.png")));
    assert_eq!(browser.errors(), Vec::<String>::new(), "console errors");
    let outside: Vec<String> = browser
        .requests()
        .into_iter()
        .filter(|u| *u != url)
        .collect();
    assert_eq!(outside, Vec::<String>::new(), "requests outside the file");
    let charts = facts["charts"].as_array().unwrap();
    assert!(!charts.is_empty());
    for chart in charts {
        assert!(chart["width"].as_f64().unwrap() > 200.0, "{chart}");
        assert!(chart["height"].as_f64().unwrap() > 60.0, "{chart}");
        assert!(chart["shapes"].as_u64().unwrap() > 3, "{chart}");
        assert_eq!(chart["accessible"], json!(true), "{chart}");
    }
    facts
}

/// The values of a DHIS2 data value set, by data element (an undivided figure has one).
fn figures(json: &str) -> BTreeMap<String, Vec<u64>> {
    let set: Value = serde_json::from_str(json).unwrap();
    let mut by = BTreeMap::<String, Vec<u64>>::new();
    for v in set["dataValues"].as_array().unwrap() {
        by.entry(v["dataElement"].as_str().unwrap().to_owned())
            .or_default()
            .push(v["value"].as_str().unwrap().parse().unwrap());
    }
    by
}

#[test]
fn the_profile_shows_the_aggregates_figures_and_withholds_small_cells() {
    let Some(chromium) = chromium() else { return };
    let dir = temp_dir("browser-report");
    let registry = dir.join("registry");
    let registry_arg = registry.to_str().unwrap();
    hrh(
        &["generate", "--workers", "3000", "--out", registry_arg],
        &[],
    )
    .no_panic();
    let population = dir.join("population.csv");
    std::fs::write(
        &population,
        "org_unit,period,population\nUZ,2024,36800000\n",
    )
    .unwrap();
    let page = dir.join("profile.html");
    let figure_args = ["--country", "UZ", "--org-unit", "UZ", "--suppress", "30"];
    let out = dir.join("figures.json");
    let mut aggregate = vec!["aggregate", "-o", out.to_str().unwrap()];
    aggregate.extend(figure_args);
    aggregate.extend(["--period", "2024"]);
    aggregate.push(registry_arg);
    assert_eq!(hrh(&aggregate, &[]).no_panic().code, 0);
    let mut report = vec![
        "report",
        "-o",
        page.to_str().unwrap(),
        "--population",
        population.to_str().unwrap(),
    ];
    report.extend(figure_args);
    report.extend(["--period", "2022..2024", registry_arg]);
    let run = hrh(&report, &[]);
    assert_eq!(run.no_panic().code, 0, "{}", run.stderr);
    let facts = check_page(&chromium, &dir, &page, "profile");
    let published = figures(&std::fs::read_to_string(&out).unwrap());
    let headline = facts["headline"].as_object().unwrap();
    let mut compared = 0;
    for (data_element, shown) in headline {
        match published.get(data_element) {
            Some(values) => assert_eq!(shown, &json!(values[0]), "{data_element}: {values:?}"),
            None => assert_eq!(
                shown,
                &Value::Null,
                "{data_element} is withheld by aggregate"
            ),
        }
        compared += 1;
    }
    assert!(compared > 20, "{compared}");
    assert!(
        headline.values().any(Value::is_null),
        "some small groups withheld"
    );
    assert!(facts["suppressionNote"] == json!(true));
    let small: Vec<&Value> = facts["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| (1..30).contains(&v.as_u64().unwrap()))
        .collect();
    assert!(small.is_empty(), "small cells shown: {small:?}");
    let text = facts["text"].as_str().unwrap();
    assert!(text.contains("Trends") && text.contains("per 10,000 population"));
    assert!(
        !facts["noGeometry"].as_bool().unwrap(),
        "facility positions make a map"
    );
}

#[test]
fn the_demo_page_renders() {
    let Some(chromium) = chromium() else { return };
    let dir = temp_dir("browser-demo");
    let out = dir.join("demo");
    let run = hrh(
        &["demo", "--workers", "2000", "--out", out.to_str().unwrap()],
        &[],
    );
    assert_eq!(run.no_panic().code, 0, "{}", run.stderr);
    let page = out.join("profile.html");
    assert!(
        run.stdout.contains(&page.display().to_string()),
        "the demo prints the page's path"
    );
    let facts = check_page(&chromium, &dir, &page, "demo");
    assert!(facts["charts"].as_array().unwrap().len() >= 10);
    assert!(facts["text"].as_str().unwrap().contains("Data quality"));
}

#[test]
fn one_group_without_population_or_geometry_still_renders() {
    let Some(chromium) = chromium() else { return };
    let dir = temp_dir("browser-bare");
    let registry = dir.join("registry");
    hrh(
        &[
            "generate",
            "--workers",
            "400",
            "--no-bad-records",
            "--out",
            registry.to_str().unwrap(),
        ],
        &[],
    )
    .no_panic();
    // Nurses only, and no Location at all (no positions, no org units).
    let roles = std::fs::read_to_string(registry.join("PractitionerRole.ndjson")).unwrap();
    let nurses: String = roles
        .lines()
        .filter(|l| l.contains("\"3221\""))
        .flat_map(|l| [l, "\n"])
        .collect();
    assert!(!nurses.is_empty());
    std::fs::write(registry.join("PractitionerRole.ndjson"), nurses).unwrap();
    std::fs::remove_file(registry.join("Location.ndjson")).unwrap();
    let page = dir.join("bare.html");
    let mut args = REPORT_2024.to_vec();
    args.extend(["-o", page.to_str().unwrap(), registry.to_str().unwrap()]);
    let run = hrh(&args, &[]);
    assert_eq!(run.no_panic().code, 0, "{}", run.stderr);
    let facts = check_page(&chromium, &dir, &page, "one-group");
    assert_eq!(facts["noGeometry"], json!(true));
    let text = facts["text"].as_str().unwrap();
    assert!(
        text.contains("no population file given"),
        "the density column says why"
    );
    assert!(text.contains("Nursing personnel: age-sex pyramid"));
    assert!(!text.contains("Medical doctors: age-sex pyramid"));
}

#[test]
fn bad_population_and_geometry_files_name_file_line_and_field() {
    let dir = temp_dir("report-bad-inputs");
    let registry = dir.join("registry");
    hrh(
        &[
            "generate",
            "--workers",
            "100",
            "--out",
            registry.to_str().unwrap(),
        ],
        &[],
    )
    .no_panic();
    let population = dir.join("pop.csv");
    std::fs::write(&population, "org_unit,period,population\nUZ,2024,lots\n").unwrap();
    let page = dir.join("p.html");
    let mut base = REPORT_2024.to_vec();
    base.extend(["-o", page.to_str().unwrap()]);
    let mut args = base.clone();
    args.extend([
        "--population",
        population.to_str().unwrap(),
        registry.to_str().unwrap(),
    ]);
    let run = hrh(&args, &[]);
    assert_eq!(run.no_panic().code, 2);
    assert!(
        run.stderr.contains("pop.csv, line 2, population"),
        "{}",
        run.stderr
    );
    let geometry = dir.join("regions.geojson");
    std::fs::write(&geometry, "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"id\":\"A\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[1,2]]]}}]}").unwrap();
    let mut args = base.clone();
    args.extend([
        "--org-units",
        geometry.to_str().unwrap(),
        registry.to_str().unwrap(),
    ]);
    let run = hrh(&args, &[]);
    assert_eq!(run.no_panic().code, 2);
    assert!(
        run.stderr
            .contains("regions.geojson, line 2, features[0].geometry"),
        "{}",
        run.stderr
    );
    assert!(!page.exists(), "no page, not half a page");
}
