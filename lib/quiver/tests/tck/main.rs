//! The openCypher TCK run against quiver. See `tests/tck/README.md`.
//!
//! `cargo test --test tck` runs every scenario of the kit on a fresh in-memory
//! database, prints a summary by folder, and fails when a scenario listed in
//! `tests/tck/passing.txt` (the ratchet) no longer passes.

mod compare;
mod gherkin;
mod ratchet;
mod runner;
mod values;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gherkin::{Feature, Scenario};

/// Stop scheduling scenarios after this many time-outs: hung threads cannot be killed.
const MAX_TIMEOUTS: usize = 3;
const WORKER_STACK: usize = 64 << 20;

struct Config {
    kit: PathBuf,
    verbose: bool,
    filter: Option<String>,
    update: bool,
    threads: usize,
    timeout: Duration,
}

struct Job {
    id: String,
    feature_path: String,
    scenario: Scenario,
}

#[derive(Clone, Debug)]
enum Outcome {
    Pass,
    Fail(String),
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// `$QUIVER_TCK_DIR`, else `shared/tck` beside the repository (or beside one of its ancestors).
fn locate_kit() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("QUIVER_TCK_DIR") {
        let dir = PathBuf::from(dir);
        return if dir.join("features").is_dir() {
            Ok(dir)
        } else {
            Err(format!("QUIVER_TCK_DIR={} has no features/ folder", dir.display()))
        };
    }
    let manifest = manifest_dir();
    for ancestor in manifest.ancestors().skip(1) {
        let candidate = ancestor.join("shared").join("tck");
        if candidate.join("features").is_dir() {
            return Ok(candidate);
        }
    }
    Err(format!(
        "cannot find the TCK: expected {} (set QUIVER_TCK_DIR to the folder holding features/ and graphs/)",
        manifest.join("..").join("shared").join("tck").display()
    ))
}

fn parse_args() -> Result<Option<Config>, String> {
    let mut verbose = env_flag("QUIVER_TCK_VERBOSE");
    let mut filter = std::env::var("QUIVER_TCK_FILTER").ok().filter(|f| !f.is_empty());
    let mut threads: Option<usize> = std::env::var("QUIVER_TCK_THREADS").ok().and_then(|t| t.parse().ok());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-v" | "--verbose" => verbose = true,
            // `cargo test -- --list`: nothing to list for this target.
            "--list" => return Ok(None),
            "--test-threads" => threads = args.next().and_then(|t| t.parse().ok()),
            "--format" | "--color" | "--skip" | "--logfile" | "-Z" => {
                args.next();
            }
            a if a.starts_with("--test-threads=") => threads = a["--test-threads=".len()..].parse().ok(),
            a if a.starts_with('-') => {}
            // A positional argument (as `cargo test <filter>` passes) filters scenarios.
            a => filter = Some(a.to_string()),
        }
    }
    let timeout = std::env::var("QUIVER_TCK_TIMEOUT")
        .ok()
        .and_then(|t| t.parse::<f64>().ok())
        .map(Duration::from_secs_f64)
        .unwrap_or(Duration::from_secs(10));
    let threads = threads.unwrap_or(2).max(1);
    Ok(Some(Config {
        kit: locate_kit()?,
        verbose,
        filter,
        update: env_flag("QUIVER_TCK_UPDATE"),
        threads,
        timeout,
    }))
}

fn collect_features(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect_features(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
    Ok(())
}

fn load_features(kit: &Path) -> Result<Vec<Feature>, String> {
    let root = kit.join("features");
    let mut files = Vec::new();
    collect_features(&root, &mut files)?;
    let mut features = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&root).expect("under root");
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        features.push(gherkin::parse_feature(&rel, &text)?);
    }
    features.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(features)
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Panics on worker threads are recorded (and reported as failures) instead of printed.
fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let on_worker = std::thread::current()
            .name()
            .is_some_and(|n| n.starts_with("tck-worker"));
        if !on_worker {
            default(info);
            return;
        }
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(non-string panic payload)".into());
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{msg}{location}")));
    }));
}

fn run_one(job: &Job, kit: &Path) -> Outcome {
    LAST_PANIC.with(|p| p.borrow_mut().take());
    match std::panic::catch_unwind(AssertUnwindSafe(|| runner::run_scenario(&job.scenario, kit))) {
        Ok(Ok(())) => Outcome::Pass,
        Ok(Err(reason)) => Outcome::Fail(reason),
        Err(_) => {
            let msg = LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .unwrap_or_else(|| "unknown panic".into());
            Outcome::Fail(format!("panicked: {msg}"))
        }
    }
}

#[derive(Default)]
struct PoolState {
    next: usize,
    stop: bool,
    /// worker -> (job index, start time)
    running: HashMap<usize, (usize, Instant)>,
    abandoned: HashSet<usize>,
}

struct Pool {
    jobs: Arc<Vec<Job>>,
    kit: Arc<PathBuf>,
    state: Arc<Mutex<PoolState>>,
    tx: mpsc::Sender<(usize, Outcome)>,
    next_worker: usize,
}

impl Pool {
    fn spawn_worker(&mut self) {
        let wid = self.next_worker;
        self.next_worker += 1;
        let (jobs, kit, state, tx) = (self.jobs.clone(), self.kit.clone(), self.state.clone(), self.tx.clone());
        std::thread::Builder::new()
            .name(format!("tck-worker-{wid}"))
            .stack_size(WORKER_STACK)
            .spawn(move || loop {
                let idx = {
                    let mut s = state.lock().unwrap();
                    if s.stop || s.next >= jobs.len() {
                        return;
                    }
                    let idx = s.next;
                    s.next += 1;
                    s.running.insert(wid, (idx, Instant::now()));
                    idx
                };
                let outcome = run_one(&jobs[idx], &kit);
                {
                    let mut s = state.lock().unwrap();
                    s.running.remove(&wid);
                    if s.abandoned.contains(&wid) {
                        return;
                    }
                }
                if tx.send((idx, outcome)).is_err() {
                    return;
                }
            })
            .expect("spawn worker thread");
    }
}

/// Runs the jobs on `threads` workers; returns the outcomes (None: not run) and
/// whether the run was cut short by time-outs.
fn run_jobs(jobs: Vec<Job>, cfg: &Config) -> (Vec<Job>, Vec<Option<Outcome>>, bool) {
    let n = jobs.len();
    let jobs = Arc::new(jobs);
    let (tx, rx) = mpsc::channel();
    let mut pool = Pool {
        jobs: jobs.clone(),
        kit: Arc::new(cfg.kit.clone()),
        state: Arc::new(Mutex::new(PoolState::default())),
        tx,
        next_worker: 0,
    };
    for _ in 0..cfg.threads.min(n.max(1)) {
        pool.spawn_worker();
    }
    let mut outcomes: Vec<Option<Outcome>> = vec![None; n];
    let mut done = 0;
    let mut timeouts = 0;
    let mut aborted = false;
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok((idx, outcome)) => {
                if outcomes[idx].is_none() {
                    outcomes[idx] = Some(outcome);
                    done += 1;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if done == n {
            break;
        }
        let mut respawn = 0;
        {
            let mut s = pool.state.lock().unwrap();
            let late: Vec<(usize, usize)> = s
                .running
                .iter()
                .filter(|(_, (_, start))| start.elapsed() > cfg.timeout)
                .map(|(w, (idx, _))| (*w, *idx))
                .collect();
            for (w, idx) in late {
                s.running.remove(&w);
                s.abandoned.insert(w);
                outcomes[idx] = Some(Outcome::Fail(format!(
                    "timed out after {:.0} s (the thread is left running)",
                    cfg.timeout.as_secs_f64()
                )));
                done += 1;
                timeouts += 1;
                eprintln!("tck: TIMEOUT {} ({})", jobs[idx].id, jobs[idx].scenario.name);
                if timeouts >= MAX_TIMEOUTS {
                    if !s.stop {
                        eprintln!(
                            "tck: {timeouts} scenarios timed out; not starting any more (hung threads cannot be stopped)"
                        );
                    }
                    s.stop = true;
                    aborted = true;
                } else {
                    respawn += 1;
                }
            }
            if s.stop && s.running.is_empty() {
                break;
            }
        }
        for _ in 0..respawn {
            pool.spawn_worker();
        }
        if done == n {
            break;
        }
    }
    drop(rx);
    let jobs = Arc::try_unwrap(jobs).unwrap_or_else(|arc| {
        // Hung workers still hold the list; copy what the report needs.
        arc.iter()
            .map(|j| Job {
                id: j.id.clone(),
                feature_path: j.feature_path.clone(),
                scenario: j.scenario.clone(),
            })
            .collect()
    });
    (jobs, outcomes, aborted)
}

#[derive(Default, Clone, Copy)]
struct Tally {
    passed: usize,
    total: usize,
    skipped: usize,
}

fn folder_keys(feature_path: &str) -> (String, String) {
    let parts: Vec<&str> = feature_path.split('/').collect();
    let top = parts.first().copied().unwrap_or("").to_string();
    let second = if parts.len() > 2 {
        format!("{}/{}", parts[0], parts[1])
    } else {
        top.clone()
    };
    (top, second)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

fn main() {
    let code = match real_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tck: {e}");
            1
        }
    };
    // Exit now: a timed-out worker may still be running.
    std::process::exit(code);
}

fn real_main() -> Result<i32, String> {
    let Some(cfg) = parse_args()? else {
        return Ok(0);
    };
    install_panic_hook();
    let started = Instant::now();
    let features = load_features(&cfg.kit)?;

    // Every scenario, with a stable, unique ID.
    let mut all_ids = BTreeSet::new();
    let mut jobs = Vec::new();
    let mut skipped: Vec<(String, String)> = Vec::new(); // (feature path, id)
    let mut total_in_kit = 0;
    for f in &features {
        for sc in &f.scenarios {
            total_in_kit += 1;
            let id = gherkin::scenario_id(&f.path, sc);
            if !all_ids.insert(id.clone()) {
                return Err(format!("duplicate scenario ID `{id}`: the ID scheme needs a fix"));
            }
            if let Some(filter) = &cfg.filter {
                let hay = format!("features/{} {} {}", f.path, sc.name, id);
                if !hay.contains(filter.as_str()) {
                    continue;
                }
            }
            if sc.is_ignored() {
                skipped.push((f.path.clone(), id));
                continue;
            }
            jobs.push(Job {
                id,
                feature_path: f.path.clone(),
                scenario: sc.clone(),
            });
        }
    }
    println!(
        "TCK: {} feature files, {total_in_kit} scenarios in {}{}",
        features.len(),
        cfg.kit.display(),
        cfg.filter
            .as_ref()
            .map(|f| format!(" (filter `{f}`: {} selected)", jobs.len()))
            .unwrap_or_default()
    );

    let (jobs, outcomes, aborted) = run_jobs(jobs, &cfg);

    // Tallies by folder.
    let mut tallies: BTreeMap<String, BTreeMap<String, Tally>> = BTreeMap::new();
    let mut top_tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut passed_ids = BTreeSet::new();
    let mut failed_ids: BTreeMap<String, String> = BTreeMap::new(); // id -> first line of the reason
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let (mut passed, mut failed) = (0, 0);
    for (job, outcome) in jobs.iter().zip(&outcomes) {
        let (top, second) = folder_keys(&job.feature_path);
        let t2 = tallies.entry(top.clone()).or_default().entry(second).or_default();
        t2.total += 1;
        let t1 = top_tallies.entry(top).or_default();
        t1.total += 1;
        match outcome {
            Some(Outcome::Pass) => {
                t1.passed += 1;
                t2.passed += 1;
                passed += 1;
                passed_ids.insert(job.id.clone());
            }
            other => {
                failed += 1;
                let reason = match other {
                    Some(Outcome::Fail(r)) => r.clone(),
                    _ => "not run (the run was stopped after time-outs)".to_string(),
                };
                failed_ids.insert(job.id.clone(), first_line(&reason).to_string());
                let key = first_line(&reason);
                let key = key
                    .split_once(": ")
                    .filter(|(p, _)| p.starts_with("line "))
                    .map_or(key, |(_, r)| r);
                let key: String = key.chars().take(120).collect();
                *reasons.entry(key).or_default() += 1;
                if cfg.verbose {
                    let sc = &job.scenario;
                    let row = sc
                        .outline_row
                        .map(|r| format!(" (example row {r})"))
                        .unwrap_or_default();
                    println!(
                        "FAIL features/{}:{} {}{}: {}",
                        job.feature_path,
                        sc.line,
                        sc.name,
                        row,
                        first_line(&reason)
                    );
                    for line in reason.lines().skip(1).take(40) {
                        println!("    {line}");
                    }
                }
            }
        }
    }
    for (path, _) in &skipped {
        let (top, second) = folder_keys(path);
        tallies
            .entry(top.clone())
            .or_default()
            .entry(second)
            .or_default()
            .skipped += 1;
        top_tallies.entry(top).or_default().skipped += 1;
    }

    println!();
    let fmt_tally = |name: &str, t: &Tally| {
        let skip = if t.skipped > 0 {
            format!("  ({} skipped)", t.skipped)
        } else {
            String::new()
        };
        format!("{name:<44} {:>5}/{:<5}{skip}", t.passed, t.total)
            .trim_end()
            .to_string()
    };
    for (top, seconds) in &tallies {
        println!("{}", fmt_tally(top, &top_tallies[top]));
        for (second, t) in seconds {
            if second != top {
                println!("{}", fmt_tally(&format!("  {second}"), t));
            }
        }
    }

    if failed > 0 && !cfg.verbose {
        let mut common: Vec<(&String, &usize)> = reasons.iter().collect();
        common.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        println!("\nMost common failure reasons:");
        for (reason, count) in common.iter().take(8) {
            println!("  {count:>5}  {reason}");
        }
        println!("(QUIVER_TCK_VERBOSE=1 or `-v` lists every failure; QUIVER_TCK_FILTER=<text> selects scenarios)");
    }

    // The ratchet.
    let ratchet_path = manifest_dir().join("tests").join("tck").join("passing.txt");
    let listed = ratchet::read(&ratchet_path)?;
    let regressions: Vec<&String> = listed.iter().filter(|id| failed_ids.contains_key(*id)).collect();
    let new_passing = passed_ids.iter().filter(|id| !listed.contains(*id)).count();
    let stale: Vec<&String> = listed.iter().filter(|id| !all_ids.contains(*id)).collect();
    let mut code = 0;
    println!();
    if !stale.is_empty() {
        println!(
            "ratchet: {} listed IDs are not in the kit (renamed or removed scenarios):",
            stale.len()
        );
        for id in stale.iter().take(20) {
            println!("  {id}");
        }
    }
    if cfg.update {
        if cfg.filter.is_some() {
            println!("ratchet: not updating {} while a filter is set", ratchet_path.display());
            code = 1;
        } else if aborted {
            println!(
                "ratchet: not updating {}: the run was cut short",
                ratchet_path.display()
            );
            code = 1;
        } else {
            ratchet::write(&ratchet_path, &passed_ids)?;
            println!(
                "ratchet: wrote {} IDs to {} ({} added, {} removed)",
                passed_ids.len(),
                ratchet_path.display(),
                new_passing,
                listed.iter().filter(|id| !passed_ids.contains(*id)).count()
            );
        }
    } else {
        if !regressions.is_empty() {
            println!(
                "REGRESSIONS: {} scenarios listed in {} now fail:",
                regressions.len(),
                ratchet_path.display()
            );
            for id in &regressions {
                println!("  {id}: {}", failed_ids[*id]);
            }
            code = 1;
        }
        if new_passing > 0 {
            println!(
                "ratchet: {new_passing} passing scenarios are not listed yet; run `QUIVER_TCK_UPDATE=1 cargo test --test tck` to add them"
            );
        } else {
            println!("ratchet: {} listed, no new passing scenarios", listed.len());
        }
    }
    if aborted {
        println!("the run was stopped after {MAX_TIMEOUTS} time-outs; scenarios not run count as failed");
        code = 1;
    }
    println!("({:.1} s, {} threads)", started.elapsed().as_secs_f64(), cfg.threads);
    println!("{} skipped", skipped.len());
    println!("{passed} passed, {failed} failed");
    Ok(code)
}
