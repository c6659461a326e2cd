//! The histories the property test runs: the steps, their generation (proptest strategies)
//! and the fixed set of cases.

use super::*;

/// A worker field: `Status` is HR's status, or the resource's `active` on the scheduling side.
#[derive(Debug, Clone, Copy)]
pub(super) enum Field {
    Name,
    Email,
    Phone,
    Status,
}

/// Where a relay pass is cut off.
#[derive(Debug, Clone, Copy)]
pub(super) enum Cut {
    /// After this many polls of the pass.
    AfterPolls(usize),
    /// Right after it committed its first write to the scheduling side, before HR records it:
    /// the window where a crash leaves the two stores apart.
    AfterASchedulingWrite,
}

#[derive(Debug, Clone)]
pub(super) enum Step {
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

pub(super) fn step() -> impl Strategy<Value = Step> {
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
pub(super) fn cases() -> Vec<(i64, Vec<Step>)> {
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
