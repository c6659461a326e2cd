//! The checks after every history's final turn-on: what both sides hold, what reconcile finds
//! and what the error queue holds are what the model of the documented rules says
//! (docs/sync-engine.md states each rule).

use super::journal_check::Snapshot;
use super::{map_of, Coverage, Model};
use hrbridge_store::sync::journal::SyncErrorRow;
use hrbridge_store::sync::{pairs, Pair};
use hrbridge_store::Db;
use hrbridge_testkit::TestApp;

/// Asserts the final state of one case (its workers' `keys`), counting what it covered.
pub(super) async fn final_state_is_what_the_model_says(
    app: &TestApp,
    cov: &mut Coverage,
    keys: &[String],
    model: &Model,
    after: &Snapshot,
    errors: &[SyncErrorRow],
    history: &str,
) {
    let engine = &app.state.engine;
    // 1. Both sides agree on every mapped field.
    // (Reconcile lists the one exception too, as on the scheduling side only: a record HR
    // deleted while off after its tracking was cleared, checked under 2.)
    let explained = |kind: Pair, key: &str| {
        model.cleared
            && (model.hr_deleted_while_off.contains(key) || model.hr_deleted_while_off.contains(kind.owner_of(key)))
    };
    let differences: Vec<_> = engine
        .differences()
        .await
        .expect("differences")
        .into_iter()
        // This case's records only: an earlier case may have left its own explained one.
        .filter(|d| keys.iter().any(|k| d.key.starts_with(k.as_str())))
        .filter(|d| {
            let pair = Pair::all().iter().find(|p| p.name() == d.map).copied().expect("a pair");
            !(d.kind == hrbridge_sync::DifferenceKind::OnlyOnScheduling && explained(pair, &d.key))
        })
        .collect();
    assert!(differences.is_empty(), "both sides agree: {differences:#?}\n{history}");
    if !model.cleared {
        let ours: Vec<_> =
            errors.iter().filter(|e| keys.iter().any(|k| e.entity_key.starts_with(k.as_str()))).collect();
        assert!(ours.is_empty(), "nothing waits in the error queue: {ours:#?}\n{history}");
    }

    // 2. Nothing doubled: one resource per personnel number, each characteristic once per
    //    resource, no resource without its number; and nothing left on the scheduling side that
    //    HR does not hold, unless HR deleted it while off after its tracking was cleared.
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
        assert!(explained(*kind, key), "{kind:?} {key} is on the scheduling side only\n{history}");
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
        let id = (pairs::WORKERS, key.clone());
        assert!(!after.hr.contains_key(&id), "worker {key} stays deleted in HR ({why})\n{history}");
        assert!(!after.scheduling.contains_key(&id), "worker {key} is gone from scheduling ({why})\n{history}");
        cov.gone += 1;
    }
}

/// Counts of a SQL query returning one number, on the scheduling store.
async fn scheduling_count(app: &TestApp, sql: &'static str) -> i64 {
    match app.state.scheduling.db() {
        Db::Sqlite { readers, .. } => sqlx::query_scalar(sql).fetch_one(readers).await.expect("count"),
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.expect("count"),
    }
}
