mod common;

use chrono::Weekday;
use common::*;
use hrbridge_finder::{Interval, ResourceIndex, WorkPeriod};

fn index_with(doc: hrbridge_finder::ResourceDoc) -> ResourceIndex {
    let mut index = ResourceIndex::new();
    index.upsert(doc);
    index
}

fn minutes(intervals: &[Interval]) -> i64 {
    intervals.iter().map(|i| (i.end - i.start).num_minutes()).sum()
}

#[test]
fn london_work_hours_follow_the_spring_dst_change() {
    let mut d = doc(1, "Ann");
    d.time_zone = chrono_tz::Europe::London;
    let index = index_with(d);
    // Friday 29 March is GMT (08:00–16:00 UTC); Monday 1 April is BST (07:00–15:00 UTC).
    let free = index.free_intervals(id(1), t("2024-03-29T00:00:00Z"), t("2024-04-02T00:00:00Z"));
    assert_eq!(
        free,
        vec![iv("2024-03-29T08:00:00Z", "2024-03-29T16:00:00Z"), iv("2024-04-01T07:00:00Z", "2024-04-01T15:00:00Z"),]
    );
}

#[test]
fn a_london_day_has_23_or_25_hours_around_dst() {
    let mut d = doc(1, "Night owl");
    d.time_zone = chrono_tz::Europe::London;
    d.work_hours = every_day(0, 1440);
    let index = index_with(d);
    // Local Sunday 31 March 2024 runs 00:00 GMT to 00:00 BST (23:00 UTC).
    let spring = index.free_intervals(id(1), t("2024-03-31T00:00:00Z"), t("2024-03-31T23:00:00Z"));
    assert_eq!(minutes(&spring), 23 * 60);
    // Local Sunday 27 October 2024 runs 00:00 BST (23:00 UTC the day before) to 00:00 GMT.
    let autumn = index.free_minutes(id(1), t("2024-10-26T23:00:00Z"), t("2024-10-28T00:00:00Z"));
    assert_eq!(autumn, Some(25 * 60));
}

#[test]
fn skipped_hours_are_not_worked_and_repeated_hours_are_worked_twice() {
    let mut d = doc(1, "Ann");
    d.time_zone = chrono_tz::Europe::London;
    d.work_hours = every_day(60, 120); // 01:00–02:00 local, every day
    let index = index_with(d);
    let spring = index.free_intervals(id(1), t("2024-03-31T00:00:00Z"), t("2024-03-31T12:00:00Z"));
    assert_eq!(spring, vec![], "01:00–02:00 does not exist on 31 March");
    let autumn = index.free_intervals(id(1), t("2024-10-27T00:00:00Z"), t("2024-10-27T12:00:00Z"));
    // 01:00 BST = 00:00 UTC, then 01:00 GMT = 01:00 UTC: two hours, back to back.
    assert_eq!(autumn, vec![iv("2024-10-27T00:00:00Z", "2024-10-27T02:00:00Z")]);
}

#[test]
fn other_zones_shift_the_day() {
    let mut d = doc(1, "Bob");
    d.time_zone = chrono_tz::America::New_York;
    let index = index_with(d);
    let free = index.free_intervals(id(1), t("2024-06-03T00:00:00Z"), t("2024-06-04T00:00:00Z"));
    assert_eq!(free, vec![iv("2024-06-03T12:00:00Z", "2024-06-03T20:00:00Z")]);
}

#[test]
fn capacity_two_is_used_up_only_where_two_bookings_overlap() {
    let mut d = doc(1, "Crane");
    d.capacity = 2;
    d.hard_bookings = vec![
        iv("2024-06-03T09:00:00Z", "2024-06-03T12:00:00Z"),
        iv("2024-06-03T10:00:00Z", "2024-06-03T11:00:00Z"),
        iv("2024-06-03T11:00:00Z", "2024-06-03T13:00:00Z"),
        iv("2024-06-03T14:00:00Z", "2024-06-03T15:00:00Z"),
    ];
    let index = index_with(d);
    let free = index.free_intervals(id(1), t("2024-06-03T00:00:00Z"), t("2024-06-04T00:00:00Z"));
    assert_eq!(
        free,
        vec![iv("2024-06-03T08:00:00Z", "2024-06-03T10:00:00Z"), iv("2024-06-03T12:00:00Z", "2024-06-03T16:00:00Z"),]
    );
}

#[test]
fn bookings_outside_work_hours_cost_nothing() {
    let mut d = doc(1, "Ann");
    d.hard_bookings = vec![
        iv("2024-06-03T18:00:00Z", "2024-06-03T22:00:00Z"),
        iv("2024-06-08T08:00:00Z", "2024-06-08T16:00:00Z"), // Saturday
        iv("2024-06-04T07:00:00Z", "2024-06-04T09:00:00Z"), // overlaps the start of Tuesday
    ];
    let index = index_with(d);
    let free = index.free_minutes(id(1), t("2024-06-03T00:00:00Z"), t("2024-06-10T00:00:00Z"));
    assert_eq!(free, Some(40 * 60 - 60));
}

#[test]
fn a_window_covering_part_of_a_day_counts_only_that_part() {
    let index = index_with(doc(1, "Ann"));
    let free = index.free_intervals(id(1), t("2024-06-03T10:30:00Z"), t("2024-06-04T09:15:00Z"));
    assert_eq!(
        free,
        vec![iv("2024-06-03T10:30:00Z", "2024-06-03T16:00:00Z"), iv("2024-06-04T08:00:00Z", "2024-06-04T09:15:00Z"),]
    );
    assert_eq!(minutes(&free), 405);
}

#[test]
fn long_bookings_starting_before_the_window_still_count() {
    let mut d = doc(1, "Ann");
    d.hard_bookings =
        vec![iv("2024-05-01T00:00:00Z", "2024-06-04T12:00:00Z"), iv("2024-06-05T09:00:00Z", "2024-06-05T10:00:00Z")];
    let index = index_with(d);
    let free = index.free_intervals(id(1), t("2024-06-03T00:00:00Z"), t("2024-06-06T00:00:00Z"));
    assert_eq!(
        free,
        vec![
            iv("2024-06-04T12:00:00Z", "2024-06-04T16:00:00Z"),
            iv("2024-06-05T08:00:00Z", "2024-06-05T09:00:00Z"),
            iv("2024-06-05T10:00:00Z", "2024-06-05T16:00:00Z"),
        ]
    );
}

#[test]
fn adding_and_removing_bookings_changes_free_time() {
    let mut index = index_with(doc(1, "Ann"));
    let (from, to) = (t("2024-06-03T00:00:00Z"), t("2024-06-04T00:00:00Z"));
    let booking = iv("2024-06-03T08:00:00Z", "2024-06-03T12:00:00Z");
    assert!(index.add_hard_booking(id(1), booking));
    assert!(index.add_hard_booking(id(1), booking));
    assert_eq!(index.free_minutes(id(1), from, to), Some(240));
    assert!(index.remove_hard_booking(id(1), booking));
    assert_eq!(index.free_minutes(id(1), from, to), Some(240), "one copy is left");
    assert!(index.remove_hard_booking(id(1), booking));
    assert!(!index.remove_hard_booking(id(1), booking));
    assert_eq!(index.free_minutes(id(1), from, to), Some(480));
    assert!(!index.add_hard_booking(id(2), booking), "unknown resource");
}

#[test]
fn degenerate_windows_calendars_and_capacity() {
    let mut index = index_with(doc(1, "Ann"));
    let (from, to) = (t("2024-06-03T00:00:00Z"), t("2024-06-04T00:00:00Z"));
    assert_eq!(index.free_intervals(id(1), to, from), vec![]);
    assert_eq!(index.free_intervals(id(1), from, from), vec![]);
    assert_eq!(index.free_intervals(id(9), from, to), vec![]);

    let mut no_capacity = doc(2, "Broken crane");
    no_capacity.capacity = 0;
    let mut weird_hours = doc(3, "Odd");
    weird_hours.work_hours = vec![
        WorkPeriod { weekday: Weekday::Mon, start_minute: 600, end_minute: 500 },
        WorkPeriod { weekday: Weekday::Mon, start_minute: 1400, end_minute: 3000 },
        WorkPeriod { weekday: Weekday::Mon, start_minute: 1410, end_minute: 1440 },
    ];
    index.upsert(no_capacity);
    index.upsert(weird_hours);
    assert_eq!(index.free_minutes(id(2), from, to), Some(0));
    assert_eq!(index.free_intervals(id(3), from, to), vec![iv("2024-06-03T23:20:00Z", "2024-06-04T00:00:00Z")]);
}
