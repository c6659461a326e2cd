//! The sync engine under random histories (issue 4, "Correctness, tested"): creates, edits and
//! deletes of workers and their skills and certificates in HR, edits and deletes of their
//! bookable resources and characteristics on the scheduling side, the integration switch, clear
//! tracking, sync now, relay passes stopped at random points (small batches), the missed-request
//! sync and clock moves. After a final turn-on and missed-request sync (and sync now, when the
//! history cleared tracking — see the end of `run_case`):
//!
//! 1. both sides agree on every mapped field (`Engine::differences` is empty);
//! 2. no record is doubled, and none is left on the scheduling side without a reason;
//! 3. every version the engine overwrote is in the conflict journal — checked around every engine
//!    run, from what the stores held before and after it, with the winner DESIGN.md names;
//! 4. deletes follow DESIGN.md's invariant 4.
//!
//! The background sync worker is stopped, so the engine runs only when a step says so. Cases
//! run one after another in one app (a history continuing the previous one), each on its own
//! personnel numbers `K<case>W<n>`; the catalog (rating model PROF, skills RUST and SQL,
//! certificate type FIRSTAID) is shared. The run counts what each check met and fails when a
//! check met nothing, so that the histories keep exercising all of them.

use crate::common::{seed_catalog, Api};
use chrono::{Duration, NaiveDate};
use hrbridge_domain::hr::{WorkerCertificateInput, WorkerInput, WorkerSkillInput, WorkerStatus};
use hrbridge_domain::scheduling::{RatingRef, ResourceCharacteristicInput};
use hrbridge_store::sync::journal::Conflict;
use hrbridge_store::sync::state::TrackingRow;
use hrbridge_store::sync::{MapKind, Projection, Selection};
use hrbridge_store::{Actor, Db, Page, StoreError, StoreResult};
use hrbridge_sync::maps::Direction;
use hrbridge_sync::Engine;
use hrbridge_testkit::TestApp;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Map as JsonMap, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(random_histories_converge_and_lose_nothing),
        hrbridge_testkit::test_fn!(sync_now_right_after_turn_on_keeps_a_delete_made_while_off_local),
    ]
}

/// Histories per run, and their length: a fixed budget, the same histories every run. Set
/// `HRBRIDGE_SYNC_PROPERTY_CASES` for a longer hunt (the coverage checks assume at least 40).
const CASES: usize = 40;
const STEPS: std::ops::Range<usize> = 10..31;
/// Personnel numbers per case: few, so that steps often meet on the same worker.
const WORKERS: usize = 4;

const NAMES: [&str; 4] = ["Ana Silva", "Bo Lund", "Mary Ann Smith", "Kai Berg"];
const EMAILS: [Option<&str>; 3] = [None, Some("a@example.com"), Some("b@example.com")];
const PHONES: [Option<&str>; 3] = [None, Some("+4711111111"), Some("+4722222222")];
const STATUSES: [WorkerStatus; 3] = [WorkerStatus::Active, WorkerStatus::Inactive, WorkerStatus::Terminated];
const SKILLS: [&str; 2] = ["RUST", "SQL"];
/// PROF's levels and their factors (`seed_catalog`).
const LEVELS: [(&str, i64); 3] = [("Novice", 1), ("Competent", 3), ("Expert", 5)];
const CERTIFICATE: &str = "FIRSTAID";
const CHARACTERISTICS: [&str; 3] = ["RUST", "SQL", CERTIFICATE];
const WORKER_MAPS: [&str; 3] = ["workers", "worker-skills", "worker-certificates"];

/// A worker field: `Status` is HR's status, or the resource's `active` on the scheduling side.
#[derive(Debug, Clone, Copy)]
enum Field {
    Name,
    Email,
    Phone,
    Status,
}

/// Where a relay pass is cut off.
#[derive(Debug, Clone, Copy)]
enum Cut {
    /// After this many polls of the pass.
    AfterPolls(usize),
    /// Right after it committed its first write to the scheduling side, before HR records it:
    /// the window where a crash leaves the two stores apart.
    AfterASchedulingWrite,
}

#[derive(Debug, Clone)]
enum Step {
    HrCreate {
        w: usize,
        name: usize,
        email: usize,
        phone: usize,
    },
    HrEdit {
        w: usize,
        field: Field,
        value: usize,
    },
    HrDelete {
        w: usize,
    },
    HrSetSkill {
        w: usize,
        skill: usize,
        level: usize,
    },
    HrRemoveSkill {
        w: usize,
        skill: usize,
    },
    HrSetCertificate {
        w: usize,
        day: i64,
    },
    HrRemoveCertificate {
        w: usize,
    },
    SchedulingEdit {
        w: usize,
        field: Field,
        value: usize,
    },
    /// Both sides edit the same field of a worker, one after the other.
    BothEdit {
        w: usize,
        field: Field,
        hr_value: usize,
        scheduling_value: usize,
        scheduling_first: bool,
    },
    SchedulingRate {
        w: usize,
        skill: usize,
        level: usize,
    },
    /// Takes `CHARACTERISTICS[which]` from the worker's resource.
    SchedulingRemoveCharacteristic {
        w: usize,
        which: usize,
    },
    SchedulingDelete {
        w: usize,
    },
    Switch(bool),
    ClearTracking(usize),
    SyncNow(usize),
    /// This many relay passes of the small-batch relay.
    Relay(usize),
    /// One pass of the small-batch relay cut off, as if its process died there (its open
    /// transactions roll back, its relay lease lapses).
    CutRelay(Cut),
    MissedRequestSync,
    Advance(i64),
}

fn step() -> impl Strategy<Value = Step> {
    let w = || 0..WORKERS;
    let field = || prop_oneof![Just(Field::Name), Just(Field::Email), Just(Field::Phone), Just(Field::Status)];
    prop_oneof![
        4 => (w(), 0..NAMES.len(), 0..EMAILS.len(), 0..PHONES.len())
            .prop_map(|(w, name, email, phone)| Step::HrCreate { w, name, email, phone }),
        5 => (w(), field(), 0..4usize).prop_map(|(w, field, value)| Step::HrEdit { w, field, value }),
        2 => w().prop_map(|w| Step::HrDelete { w }),
        3 => (w(), 0..SKILLS.len(), 0..LEVELS.len()).prop_map(|(w, skill, level)| Step::HrSetSkill { w, skill, level }),
        2 => (w(), 0..SKILLS.len()).prop_map(|(w, skill)| Step::HrRemoveSkill { w, skill }),
        2 => (w(), 0..30i64).prop_map(|(w, day)| Step::HrSetCertificate { w, day }),
        1 => w().prop_map(|w| Step::HrRemoveCertificate { w }),
        5 => (w(), field(), 0..4usize).prop_map(|(w, field, value)| Step::SchedulingEdit { w, field, value }),
        4 => (w(), field(), 0..4usize, 0..4usize, any::<bool>()).prop_map(
            |(w, field, hr_value, scheduling_value, scheduling_first)| Step::BothEdit {
                w,
                field,
                hr_value,
                scheduling_value,
                scheduling_first
            }
        ),
        2 => (w(), 0..SKILLS.len(), 0..LEVELS.len())
            .prop_map(|(w, skill, level)| Step::SchedulingRate { w, skill, level }),
        2 => (w(), 0..CHARACTERISTICS.len())
            .prop_map(|(w, which)| Step::SchedulingRemoveCharacteristic { w, which }),
        1 => w().prop_map(|w| Step::SchedulingDelete { w }),
        3 => any::<bool>().prop_map(Step::Switch),
        1 => (0..WORKER_MAPS.len()).prop_map(Step::ClearTracking),
        1 => (0..WORKER_MAPS.len()).prop_map(Step::SyncNow),
        3 => (1..4usize).prop_map(Step::Relay),
        1 => (1..100usize).prop_map(|polls| Step::CutRelay(Cut::AfterPolls(polls))),
        1 => Just(Step::CutRelay(Cut::AfterASchedulingWrite)),
        2 => Just(Step::MissedRequestSync),
        3 => (0..3i64).prop_map(Step::Advance),
    ]
}

/// One history: the relay's batch size (outbox entries per pass, so passes stop at random
/// points in the outbox) and the steps. Most histories start from linked workers — created with
/// a skill and a certificate, then synced — so that what follows meets tracked records.
fn cases() -> Vec<(i64, Vec<Step>)> {
    let mut runner = TestRunner::deterministic();
    let strategy = (1..8i64, proptest::bool::weighted(0.75), proptest::collection::vec(step(), STEPS));
    let cases = std::env::var("HRBRIDGE_SYNC_PROPERTY_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(CASES);
    (0..cases.max(CASES))
        .map(|_| {
            let (batch_size, settled, random) = strategy.new_tree(&mut runner).expect("a case").current();
            let mut steps = Vec::new();
            if settled {
                for w in 0..WORKERS {
                    steps.push(Step::HrCreate { w, name: w % NAMES.len(), email: w % EMAILS.len(), phone: 2 - w % 3 });
                    steps.push(Step::HrSetSkill { w, skill: w % SKILLS.len(), level: w % LEVELS.len() });
                    steps.push(Step::HrSetCertificate { w, day: w as i64 });
                }
                steps.extend([Step::Switch(true), Step::MissedRequestSync, Step::Advance(1)]);
            }
            steps.extend(random);
            (batch_size, steps)
        })
        .collect()
}

/// How often each check met something to check, over the whole run: the histories must
/// exercise every one of them.
#[derive(Debug, Default)]
struct Coverage {
    /// Overwritten versions found in the journal, by map and field.
    overwritten: BTreeMap<String, usize>,
    /// Records edited on the scheduling side, deleted by the engine and found in the journal.
    deleted_and_journaled: usize,
    /// Records present on both sides after a delete, by reason.
    present: BTreeMap<String, usize>,
    /// Workers deleted in HR while on, gone from both sides.
    gone: usize,
    /// Relay passes cut off before they finished, and of those, cut after writing the
    /// scheduling side and before recording it in HR.
    cut_passes: usize,
    cut_between_the_stores: usize,
}

fn hr_clerk() -> Actor {
    Actor::user("hr-clerk")
}
fn planner() -> Actor {
    Actor::user("planner")
}
fn administrator() -> Actor {
    Actor::user("admin")
}

/// A step's write: done, or refused for a reason the history may well produce (the record is
/// missing, already there, or in use). Anything else fails the test.
fn done<T>(result: StoreResult<T>, what: &str) -> bool {
    match result {
        Ok(_) => true,
        Err(StoreError::NotFound { .. } | StoreError::Conflict { .. }) => false,
        Err(e) => panic!("{what}: {e}"),
    }
}

fn split(name: &str) -> (String, String) {
    let (first, last) = name.rsplit_once(' ').expect("two words or more");
    (first.to_string(), last.to_string())
}

fn map_of(kind: MapKind) -> &'static str {
    match kind {
        MapKind::Workers => "workers",
        MapKind::WorkerSkills => "worker-skills",
        MapKind::WorkerCertificates => "worker-certificates",
        other => panic!("not a worker map: {other:?}"),
    }
}

const KINDS: [MapKind; 3] = [MapKind::Workers, MapKind::WorkerSkills, MapKind::WorkerCertificates];

type Records = BTreeMap<(MapKind, String), Projection>;

/// What both stores and the tracking table hold for a case's workers, and the newest conflict.
struct Snapshot {
    hr: Records,
    scheduling: Records,
    links: BTreeMap<(MapKind, String), TrackingRow>,
    last_conflict: i64,
}

async fn conflicts(app: &TestApp) -> Vec<Conflict> {
    app.state.hr.conflicts(&Page::first(1000)).await.expect("read the conflict journal").items
}

async fn snapshot(app: &TestApp, owners: &[String]) -> Snapshot {
    let selection = Selection::Owners(owners);
    let (mut hr, mut scheduling, mut links) = (Records::new(), Records::new(), BTreeMap::new());
    for kind in KINDS {
        for p in app.state.hr.sync_read(kind, selection).await.expect("read HR") {
            hr.insert((kind, p.key.clone()), p);
        }
        for p in app.state.scheduling.sync_read(kind, selection).await.expect("read scheduling") {
            scheduling.insert((kind, p.key.clone()), p);
        }
        for t in app.state.hr.tracking_for(map_of(kind), &selection).await.expect("read tracking") {
            links.insert((kind, t.entity_key.clone()), t);
        }
    }
    let last_conflict = conflicts(app).await.first().map_or(0, |c| c.id);
    Snapshot { hr, scheduling, links, last_conflict }
}

fn get<'a>(fields: &'a JsonMap<String, Value>, name: &str) -> &'a Value {
    fields.get(name).unwrap_or(&Value::Null)
}

fn fields_of(text: &str) -> JsonMap<String, Value> {
    match serde_json::from_str(text) {
        Ok(Value::Object(fields)) => fields,
        _ => JsonMap::new(),
    }
}

/// A version the engine must journal if it makes the two sides agree.
#[derive(Debug)]
struct AtStake {
    kind: MapKind,
    key: String,
    /// The scheduling field, and the HR field it comes from.
    field: String,
    hr_field: Option<String>,
    hr_value: Value,
    scheduling_value: Value,
    /// The scheduling value the field must end with: the side edited last wins a field flowing
    /// both ways (a tie goes to HR); HR always wins a field it owns.
    winning_value: Value,
}

/// From a snapshot: every field on which the two sides differ and where the value that would be
/// lost was not the one they last agreed on (or they never agreed: no tracking row). Said
/// without the engine's code: a field flowing both ways that both sides changed since they last
/// agreed, or a field HR owns that the scheduling side changed.
fn at_stake(engine: &Engine, before: &Snapshot) -> Vec<AtStake> {
    let mut out = Vec::new();
    for ((kind, key), h) in &before.hr {
        let Some(s) = before.scheduling.get(&(*kind, key.clone())) else { continue };
        let map = engine.maps().by_kind(*kind).expect("a map");
        let desired = map.to_scheduling(&h.fields);
        let agreed = before.links.get(&(*kind, key.clone())).map(|l| map.to_scheduling(&fields_of(&l.hr_fields)));
        for f in map.def.fields.iter().filter(|f| f.direction.to_scheduling()) {
            let (hr_value, scheduling_value) = (get(&desired, &f.scheduling), get(&s.fields, &f.scheduling));
            if hr_value == scheduling_value {
                continue;
            }
            let changed = |v: &Value| agreed.as_ref().is_none_or(|a| get(a, &f.scheduling) != v);
            let winning_value = match f.direction {
                Direction::Both if changed(hr_value) && changed(scheduling_value) => {
                    if s.modified_at > h.modified_at {
                        scheduling_value
                    } else {
                        hr_value
                    }
                }
                Direction::HrToScheduling if changed(scheduling_value) => hr_value,
                _ => continue,
            };
            out.push(AtStake {
                kind: *kind,
                key: key.clone(),
                field: f.scheduling.clone(),
                hr_field: f.hr.clone(),
                hr_value: f.hr.as_ref().map_or(Value::Null, |n| get(&h.fields, n).clone()),
                scheduling_value: scheduling_value.clone(),
                winning_value: winning_value.clone(),
            });
        }
    }
    out
}

/// Runs one engine operation and checks invariant 3 around it: every version at stake before
/// that the engine overwrote (the two sides agree afterwards) is in a conflict row written by
/// this operation, with both values, and the right side won; a resource or characteristic
/// edited on the scheduling side since the link and deleted by the engine (HR deleted it) is
/// journaled too.
async fn observed<F: std::future::Future<Output = ()>>(
    app: &TestApp,
    cov: &mut Coverage,
    owners: &[String],
    what: &str,
    op: F,
) {
    let engine = &app.state.engine;
    let before = snapshot(app, owners).await;
    let stakes = at_stake(engine, &before);
    op.await;
    let after = snapshot(app, owners).await;
    let journal: Vec<Conflict> = conflicts(app).await.into_iter().filter(|c| c.id > before.last_conflict).collect();
    let describe = || format!("{what}: new conflicts {journal:#?}");
    for stake in &stakes {
        let id = (stake.kind, stake.key.clone());
        let (Some(h), Some(s)) = (after.hr.get(&id), after.scheduling.get(&id)) else { continue };
        let map = engine.maps().by_kind(stake.kind).expect("a map");
        let now = get(&s.fields, &stake.field);
        if now != get(&map.to_scheduling(&h.fields), &stake.field) {
            continue; // not reconciled by this operation
        }
        assert_eq!(now, &stake.winning_value, "{what}: the winner of {stake:?}");
        let journaled = journal.iter().any(|c| {
            let hr_kept = match (&stake.hr_field, &c.hr) {
                (Some(name), Some(v)) => v.fields.get(name).unwrap_or(&Value::Null) == &stake.hr_value,
                (None, _) => true,
                (Some(_), None) => false,
            };
            let scheduling_kept =
                c.scheduling.as_ref().is_some_and(|v| v.fields.get(&stake.field) == Some(&stake.scheduling_value));
            c.map_name == map_of(stake.kind) && c.entity_key == stake.key && hr_kept && scheduling_kept
        });
        assert!(journaled, "the overwritten version of {stake:?} is journaled; {}", describe());
        *cov.overwritten.entry(format!("{}.{}", map_of(stake.kind), stake.field)).or_default() += 1;
    }
    for ((kind, key), s) in &before.scheduling {
        let id = (*kind, key.clone());
        let Some(link) = before.links.get(&id) else { continue };
        let deleted = !before.hr.contains_key(&id) && !after.scheduling.contains_key(&id);
        if deleted && s.version != link.scheduling_version {
            let journaled = journal.iter().any(|c| {
                c.map_name == map_of(*kind)
                    && &c.entity_key == key
                    && c.scheduling.as_ref().is_some_and(|v| v.fields == Value::Object(s.fields.clone()))
            });
            assert!(journaled, "the edited {kind:?} {key} deleted by the engine is journaled; {}", describe());
            cov.deleted_and_journaled += 1;
        }
    }
}

/// Prints a case's history when a check fails within it.
struct ShowOnPanic(String);

impl Drop for ShowOnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("{}", self.0);
        }
    }
}

/// What the history leads us to expect, beyond "both sides agree".
#[derive(Default)]
struct Model {
    on: bool,
    /// (worker, map, key, why): records that must be on both sides after the final sync — a
    /// tracked record deleted on one side while off (invariant 4), or a record HR holds deleted
    /// on the scheduling side (HR owns the default maps' records: recreated there).
    present: Vec<(usize, MapKind, String, String)>,
    /// A tracked worker deleted in HR while on: gone from both sides (invariant 4's "on" half).
    gone: Vec<(usize, String, String)>,
    /// Keys deleted in HR at some point (workers, and worker/characteristic pairs).
    hr_deleted: BTreeSet<String>,
    /// Whether tracking was cleared: an HR delete of a record no longer tracked cannot reach
    /// the scheduling side (nothing links them), so that record may stay there.
    cleared: bool,
}

impl Model {
    /// A later create or delete touching worker `w` changes what its earlier deletes lead to.
    fn touched(&mut self, w: usize) {
        self.present.retain(|e| e.0 != w);
        self.gone.retain(|e| e.0 != w);
    }
}

async fn tracked(app: &TestApp, kind: MapKind, key: &str) -> bool {
    let keys = [key.to_string()];
    !app.state.hr.tracking_for(map_of(kind), &Selection::Keys(&keys)).await.expect("tracking").is_empty()
}

async fn held(app: &TestApp, side_hr: bool, kind: MapKind, key: &str) -> Option<Projection> {
    let keys = [key.to_string()];
    let selection = Selection::Keys(&keys);
    let rows = if side_hr {
        app.state.hr.sync_read(kind, selection).await.expect("read HR")
    } else {
        app.state.scheduling.sync_read(kind, selection).await.expect("read scheduling")
    };
    rows.into_iter().next()
}

async fn hr_edit(app: &TestApp, key: &str, field: Field, value: usize, what: &str) {
    let Ok(worker) = app.state.hr.worker(key).await else { return };
    let mut input = worker.to_input();
    match field {
        Field::Name => {
            (input.first_name, input.last_name) = split(NAMES[value % NAMES.len()]);
            input.middle_name = None;
        }
        Field::Email => input.email = EMAILS[value % EMAILS.len()].map(str::to_string),
        Field::Phone => input.phone = PHONES[value % PHONES.len()].map(str::to_string),
        Field::Status => input.status = Some(STATUSES[value % STATUSES.len()]),
    }
    let input = input.parse().expect("a valid worker");
    done(app.state.hr.update_worker(&hr_clerk(), key, input).await, what);
}

async fn scheduling_edit(app: &TestApp, key: &str, field: Field, value: usize, what: &str) {
    let Some(resource) = held(app, false, MapKind::Workers, key).await else { return };
    let scheduling = &app.state.scheduling;
    let current = scheduling.bookable_resource(&resource.reference).await.expect("the resource");
    let mut input = current.to_input();
    match field {
        Field::Name => input.name = NAMES[value % NAMES.len()].into(),
        Field::Email => input.email = EMAILS[value % EMAILS.len()].map(str::to_string),
        Field::Phone => input.phone = PHONES[value % PHONES.len()].map(str::to_string),
        Field::Status => input.active = Some(value.is_multiple_of(2)),
    }
    let input = input.parse().expect("a valid resource");
    done(scheduling.update_bookable_resource(&planner(), &resource.reference, input).await, what);
}

/// Counts of a SQL query returning one number, on the scheduling store.
async fn scheduling_count(app: &TestApp, sql: &str) -> i64 {
    match app.state.scheduling.db() {
        Db::Sqlite { readers, .. } => sqlx::query_scalar(sql).fetch_one(readers).await.expect("count"),
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.expect("count"),
    }
}

async fn random_histories_converge_and_lose_nothing(app: TestApp) {
    let mut app = app;
    // The test decides when the engine runs: no background worker.
    app.sync.take();
    let admin = Api::admin(&app).await;
    seed_catalog(&admin).await;
    let mut cov = Coverage::default();
    for (case, (batch_size, steps)) in cases().into_iter().enumerate() {
        run_case(&app, &mut cov, case, batch_size, &steps).await;
    }
    println!("sync_property ({}): {cov:?}", app.backend.name());
    let expected_overwrites =
        ["workers.name", "workers.email", "workers.phone", "workers.active", "worker-skills.rating"];
    for field in expected_overwrites {
        assert!(cov.overwritten.contains_key(field), "no history overwrote {field}: {cov:?}");
    }
    assert!(cov.deleted_and_journaled > 0 && cov.gone > 0, "the histories exercise deletes: {cov:?}");
    assert!(cov.cut_between_the_stores > 0, "the histories cut relay passes off between the stores: {cov:?}");
    for reason in [
        "workers tracked, deleted in HR while off",
        "worker-skills tracked, deleted in HR while off",
        "workers HR's, deleted on the scheduling side",
        "worker-skills HR's, removed on the scheduling side",
    ] {
        assert!(cov.present.contains_key(reason), "no history checked \"{reason}\": {cov:?}");
    }
    app.stop().await
}

async fn run_case(app: &TestApp, cov: &mut Coverage, case: usize, batch_size: i64, steps: &[Step]) {
    let hr = &app.state.hr;
    let scheduling = &app.state.scheduling;
    let engine = &app.state.engine;
    // A second engine on the same stores whose relay reads a few outbox entries per pass.
    let mut small = Engine::new(hr.clone(), scheduling.clone(), Arc::new(engine.maps().clone()), "small-relay".into());
    small.batch_size = batch_size;
    let keys: Vec<String> = (0..WORKERS).map(|w| format!("K{case:02}W{w}")).collect();
    let mut model = Model { on: hr.integration_enabled().await.expect("switch"), ..Model::default() };
    let context = |i: usize| format!("case {case} (batch {batch_size}), step {i}: {:?}", steps[i]);
    let _history = ShowOnPanic(format!("the history of case {case} (batch {batch_size}): {steps:#?}"));

    for (i, step) in steps.iter().enumerate() {
        let what = context(i);
        match *step {
            Step::HrCreate { w, name, email, phone } => {
                let (first_name, last_name) = split(NAMES[name]);
                let input = WorkerInput {
                    personnel_number: Some(keys[w].clone()),
                    first_name,
                    middle_name: None,
                    last_name,
                    email: EMAILS[email].map(str::to_string),
                    phone: PHONES[phone].map(str::to_string),
                    employment_start: None,
                    employment_end: None,
                    status: Some(WorkerStatus::Active),
                };
                let input = input.parse().expect("a valid worker");
                if done(hr.create_worker(&hr_clerk(), input).await, &what) {
                    model.touched(w);
                }
            }
            Step::HrEdit { w, field, value } => hr_edit(app, &keys[w], field, value, &what).await,
            Step::HrDelete { w } => {
                let key = &keys[w];
                let mut expected = Vec::new();
                let worker_tracked = tracked(app, MapKind::Workers, key).await;
                if model.on && worker_tracked {
                    expected.push((MapKind::Workers, key.clone()));
                } else if !model.on && worker_tracked {
                    // The skills and certificates this delete takes along come back with it
                    // (only with it: they cannot be recreated for a worker that is not).
                    let owners = [key.clone()];
                    for kind in KINDS {
                        for p in hr.sync_read(kind, Selection::Owners(&owners)).await.expect("read HR") {
                            if tracked(app, kind, &p.key).await && held(app, false, kind, &p.key).await.is_some() {
                                expected.push((kind, p.key));
                            }
                        }
                    }
                }
                if done(hr.delete_worker(&hr_clerk(), key).await, &what) {
                    model.touched(w);
                    model.hr_deleted.insert(key.clone());
                    for (kind, k) in expected {
                        if model.on {
                            model.gone.push((w, k, format!("deleted in HR while on at {what}")));
                        } else {
                            model.present.push((w, kind, k, format!("tracked, deleted in HR while off at {what}")));
                        }
                    }
                }
            }
            Step::HrSetSkill { w, skill, level } => {
                let input = WorkerSkillInput { level: LEVELS[level].0.into(), level_date: None };
                if done(hr.set_worker_skill(&hr_clerk(), &keys[w], SKILLS[skill], input).await, &what) {
                    model.touched(w);
                }
            }
            Step::HrRemoveSkill { w, skill } => {
                let key = format!("{}/{}", keys[w], SKILLS[skill]);
                let expect = !model.on
                    && tracked(app, MapKind::WorkerSkills, &key).await
                    && held(app, false, MapKind::WorkerSkills, &key).await.is_some();
                if done(hr.remove_worker_skill(&hr_clerk(), &keys[w], SKILLS[skill]).await, &what) {
                    model.touched(w);
                    model.hr_deleted.insert(key.clone());
                    if expect {
                        let why = format!("tracked, removed in HR while off at {what}");
                        model.present.push((w, MapKind::WorkerSkills, key, why));
                    }
                }
            }
            Step::HrSetCertificate { w, day } => {
                let issued_on = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date") + Duration::days(day);
                let input = WorkerCertificateInput { issued_on, expires_on: None };
                if done(hr.set_worker_certificate(&hr_clerk(), &keys[w], CERTIFICATE, input).await, &what) {
                    model.touched(w);
                }
            }
            Step::HrRemoveCertificate { w } => {
                let key = format!("{}/{CERTIFICATE}", keys[w]);
                let expect = !model.on
                    && tracked(app, MapKind::WorkerCertificates, &key).await
                    && held(app, false, MapKind::WorkerCertificates, &key).await.is_some();
                if done(hr.remove_worker_certificate(&hr_clerk(), &keys[w], CERTIFICATE).await, &what) {
                    model.touched(w);
                    model.hr_deleted.insert(key.clone());
                    if expect {
                        let why = format!("tracked, removed in HR while off at {what}");
                        model.present.push((w, MapKind::WorkerCertificates, key, why));
                    }
                }
            }
            Step::SchedulingEdit { w, field, value } => scheduling_edit(app, &keys[w], field, value, &what).await,
            Step::BothEdit { w, field, hr_value, scheduling_value, scheduling_first } => {
                if scheduling_first {
                    scheduling_edit(app, &keys[w], field, scheduling_value, &what).await;
                    hr_edit(app, &keys[w], field, hr_value, &what).await;
                } else {
                    hr_edit(app, &keys[w], field, hr_value, &what).await;
                    scheduling_edit(app, &keys[w], field, scheduling_value, &what).await;
                }
            }
            Step::SchedulingRate { w, skill, level } => {
                let key = format!("{}/{}", keys[w], SKILLS[skill]);
                if held(app, false, MapKind::WorkerSkills, &key).await.is_none() {
                    continue;
                }
                let Some(resource) = held(app, false, MapKind::Workers, &keys[w]).await else { continue };
                let input = ResourceCharacteristicInput {
                    rating: Some(RatingRef::Value(LEVELS[level].1)),
                    issued_on: None,
                    expires_on: None,
                };
                let planner = planner();
                let set = scheduling.set_resource_characteristic(&planner, &resource.reference, SKILLS[skill], input);
                done(set.await, &what);
            }
            Step::SchedulingRemoveCharacteristic { w, which } => {
                let name = CHARACTERISTICS[which];
                let kind = if which < SKILLS.len() { MapKind::WorkerSkills } else { MapKind::WorkerCertificates };
                let key = format!("{}/{name}", keys[w]);
                let Some(resource) = held(app, false, MapKind::Workers, &keys[w]).await else { continue };
                let hr_holds = held(app, true, kind, &key).await.is_some();
                let removed = scheduling.remove_resource_characteristic(&planner(), &resource.reference, name).await;
                if done(removed, &what) {
                    model.touched(w);
                    if hr_holds {
                        model.present.push((w, kind, key, format!("HR's, removed on the scheduling side at {what}")));
                    }
                }
            }
            Step::SchedulingDelete { w } => {
                let Some(resource) = held(app, false, MapKind::Workers, &keys[w]).await else { continue };
                let owners = [keys[w].clone()];
                let mut hr_holds: Vec<(MapKind, String)> = Vec::new();
                for kind in KINDS {
                    for p in hr.sync_read(kind, Selection::Owners(&owners)).await.expect("read HR") {
                        hr_holds.push((kind, p.key));
                    }
                }
                if done(scheduling.delete_bookable_resource(&planner(), &resource.reference).await, &what) {
                    model.touched(w);
                    for (kind, key) in hr_holds {
                        let why = format!("HR's, deleted on the scheduling side at {what}");
                        model.present.push((w, kind, key, why));
                    }
                }
            }
            Step::Switch(on) => {
                engine.set_enabled(&administrator(), on).await.expect("switch");
                model.on = on;
            }
            Step::ClearTracking(m) => {
                hr.clear_tracking(&administrator(), WORKER_MAPS[m]).await.expect("clear tracking");
                model.cleared = true;
                // What an HR delete leads to depends on the link: forget the expectations.
                model.present.clear();
                model.gone.clear();
            }
            Step::SyncNow(m) => {
                // The API refuses sync now while the integration is off.
                if model.on {
                    let map = engine.map(WORKER_MAPS[m]).expect("a map");
                    observed(app, cov, &keys, &what, async {
                        engine.full_sync(map, None).await.expect("sync now");
                        engine.release_lease().await.expect("release the lease");
                    })
                    .await;
                }
            }
            Step::Relay(passes) => {
                observed(app, cov, &keys, &what, async {
                    for _ in 0..passes {
                        small.relay_once().await.expect("relay pass");
                    }
                    small.release_lease().await.expect("release the lease");
                })
                .await;
            }
            Step::CutRelay(cut) => {
                let mut finished = false;
                let written = scheduling.db().outbox_last_seq().await.expect("outbox");
                let recorded = hr.sync_cursors().await.expect("cursors");
                observed(app, cov, &keys, &what, async {
                    let mut pass = std::pin::pin!(small.relay_once());
                    let polls = match cut {
                        Cut::AfterPolls(polls) => polls,
                        Cut::AfterASchedulingWrite => 100_000,
                    };
                    for _ in 0..polls {
                        if let std::task::Poll::Ready(result) = futures::poll!(pass.as_mut()) {
                            result.expect("relay pass");
                            finished = true;
                            break;
                        }
                        // The pass moves on only when polled: a commit seen here is followed by
                        // nothing of the pass until the next poll.
                        let wrote = scheduling.db().outbox_last_seq().await.expect("outbox") > written;
                        if matches!(cut, Cut::AfterASchedulingWrite) && wrote {
                            break;
                        }
                        tokio::task::yield_now().await;
                    }
                })
                .await;
                cov.cut_passes += usize::from(!finished);
                // Cut between the scheduling side's commit and the HR side's record of it.
                let between = scheduling.db().outbox_last_seq().await.expect("outbox") > written
                    && hr.sync_cursors().await.expect("cursors") == recorded;
                cov.cut_between_the_stores += usize::from(!finished && between);
                app.clock.advance(Duration::seconds(hrbridge_sync::relay::LEASE_SECONDS));
            }
            Step::MissedRequestSync => {
                observed(app, cov, &keys, &what, async {
                    engine.missed_request_sync().await.expect("missed-request sync");
                    engine.release_lease().await.expect("release the lease");
                })
                .await;
            }
            Step::Advance(seconds) => app.clock.advance(Duration::seconds(seconds)),
        }
    }

    // The final turn-on and missed-request sync. The relay alone must bring every change made
    // while off (or not yet applied) across, so no sync now follows — unless tracking was
    // cleared: then a change made only on the scheduling side to a record no longer linked
    // deliberately does not reach HR (seed 001) until an HR change or sync now links it again,
    // so sync now of the worker maps is what makes the sides agree.
    let what = format!("case {case} (batch {batch_size}): the final turn-on and missed-request sync");
    engine.set_enabled(&administrator(), true).await.expect("turn on");
    observed(app, cov, &keys, &what, async {
        engine.missed_request_sync().await.expect("missed-request sync");
        engine.release_lease().await.expect("release the lease");
    })
    .await;
    if model.cleared {
        for name in WORKER_MAPS {
            let map = engine.map(name).expect("a map");
            observed(app, cov, &keys, &format!("{what}, then sync now of {name}"), async {
                engine.full_sync(map, None).await.expect("sync now");
                engine.release_lease().await.expect("release the lease");
            })
            .await;
        }
    }
    let after = snapshot(app, &keys).await;
    let errors = hr.sync_errors(&Page::first(1000)).await.expect("errors").items;
    let history = format!("{what}\nerrors: {errors:#?}");

    // 1. Both sides agree on every mapped field.
    let differences = engine.differences().await.expect("differences");
    assert!(differences.is_empty(), "both sides agree: {differences:#?}\n{history}");
    if !model.cleared {
        let ours: Vec<_> =
            errors.iter().filter(|e| keys.iter().any(|k| e.entity_key.starts_with(k.as_str()))).collect();
        assert!(ours.is_empty(), "nothing waits in the error queue: {ours:#?}\n{history}");
    }

    // 2. Nothing doubled: one resource per personnel number, each characteristic once per
    //    resource, no resource without its number; and nothing left on the scheduling side that
    //    HR does not hold, unless an HR delete could not reach it (tracking cleared).
    let doubled = scheduling_count(
        app,
        "SELECT COUNT(*) FROM (SELECT hr_worker_number FROM bookable_resources WHERE hr_worker_number IS NOT NULL \
         GROUP BY hr_worker_number HAVING COUNT(*) > 1) AS d",
    )
    .await;
    assert_eq!(doubled, 0, "a personnel number with two resources\n{history}");
    let unnumbered =
        scheduling_count(app, "SELECT COUNT(*) FROM bookable_resources WHERE hr_worker_number IS NULL").await;
    assert_eq!(unnumbered, 0, "a resource lost its personnel number\n{history}");
    let doubled = scheduling_count(
        app,
        "SELECT COUNT(*) FROM (SELECT resource_id, characteristic_id FROM resource_characteristics \
         GROUP BY resource_id, characteristic_id HAVING COUNT(*) > 1) AS d",
    )
    .await;
    assert_eq!(doubled, 0, "a characteristic held twice by a resource\n{history}");
    for (kind, key) in after.scheduling.keys() {
        if after.hr.contains_key(&(*kind, key.clone())) {
            continue;
        }
        let owner = kind.owner_of(key).to_string();
        let explained = model.cleared && (model.hr_deleted.contains(key) || model.hr_deleted.contains(&owner));
        assert!(explained, "{kind:?} {key} is on the scheduling side only\n{history}");
    }

    // 4. Deletes: a tracked record deleted on one side while off is on both sides again (and
    //    what HR holds is recreated on the scheduling side); a tracked worker deleted in HR
    //    while on is gone from both.
    for (_, kind, key, why) in &model.present {
        let id = (*kind, key.clone());
        assert!(after.hr.contains_key(&id), "{kind:?} {key} is in HR ({why})\n{history}");
        assert!(after.scheduling.contains_key(&id), "{kind:?} {key} is on the scheduling side ({why})\n{history}");
        let reason = why.split(" at ").next().unwrap_or_default();
        *cov.present.entry(format!("{} {reason}", map_of(*kind))).or_default() += 1;
    }
    for (_, key, why) in &model.gone {
        let id = (MapKind::Workers, key.clone());
        assert!(!after.hr.contains_key(&id), "worker {key} stays deleted in HR ({why})\n{history}");
        assert!(!after.scheduling.contains_key(&id), "worker {key} is gone from scheduling ({why})\n{history}");
        cov.gone += 1;
    }
}

/// A history the random ones found hard to reach, kept as a plain test: a tracked worker deleted
/// in HR while off, then sync now of the workers before the missed-request sync has run. Sync now
/// must not treat the delete as made while on (which would delete the resource and lose the
/// worker on both sides): after the catch-up the worker is back in HR, on both sides.
async fn sync_now_right_after_turn_on_keeps_a_delete_made_while_off_local(app: TestApp) {
    let mut app = app;
    app.sync.take();
    let admin = Api::admin(&app).await;
    seed_catalog(&admin).await;
    let (hr, engine) = (&app.state.hr, &app.state.engine);
    let keys = ["LATE1".to_string()];
    let input = WorkerInput {
        personnel_number: Some(keys[0].clone()),
        first_name: "Ana".into(),
        middle_name: None,
        last_name: "Silva".into(),
        email: None,
        phone: None,
        employment_start: None,
        employment_end: None,
        status: None,
    };
    hr.create_worker(&hr_clerk(), input.parse().expect("valid")).await.expect("create");
    engine.set_enabled(&administrator(), true).await.expect("on");
    engine.missed_request_sync().await.expect("catch up");
    assert!(tracked(&app, MapKind::Workers, &keys[0]).await);

    engine.set_enabled(&administrator(), false).await.expect("off");
    hr.delete_worker(&hr_clerk(), &keys[0]).await.expect("delete while off");
    engine.set_enabled(&administrator(), true).await.expect("on again");
    let map = engine.map("workers").expect("the workers map");
    engine.full_sync(map, None).await.expect("sync now");
    engine.missed_request_sync().await.expect("catch up");
    let after = snapshot(&app, &keys).await;
    let id = (MapKind::Workers, keys[0].clone());
    assert!(after.hr.contains_key(&id), "the worker deleted while off is recreated in HR");
    assert!(after.scheduling.contains_key(&id), "and kept on the scheduling side");
    assert!(engine.differences().await.expect("differences").is_empty());
    app.stop().await
}
