//! Free time: working time minus the time where hard bookings already reach the capacity.
//!
//! All values are µs since the epoch; interval lists are sorted and half-open.

/// Reusable buffers for the booking sweep.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    events: Vec<(i64, i32)>,
    blocked: Vec<(i64, i64)>,
}

/// Computes into `scratch.blocked` the parts of `[from, to)` covered by at least `capacity`
/// bookings (all of it when the capacity is 0). Bookings may lie partly or wholly outside.
fn compute_blocked(bookings: &[(i64, i64)], capacity: u32, from: i64, to: i64, scratch: &mut Scratch) {
    let Scratch { events, blocked } = scratch;
    events.clear();
    blocked.clear();
    if from >= to {
        return;
    }
    if capacity == 0 {
        blocked.push((from, to));
        return;
    }
    for &(s, e) in bookings {
        let (s, e) = (s.max(from), e.min(to));
        if s < e {
            events.push((s, 1));
            events.push((e, -1));
        }
    }
    if events.len() < 2 * capacity as usize {
        return;
    }
    // Ends sort before starts at the same instant: back-to-back bookings do not overlap.
    events.sort_unstable();
    let cap = i64::from(capacity);
    let mut count = 0i64;
    let mut open = 0i64;
    for &(t, delta) in events.iter() {
        let before = count;
        count += i64::from(delta);
        if before < cap && count >= cap {
            open = t;
        } else if before >= cap && count < cap && open < t {
            match blocked.last_mut() {
                Some(last) if last.1 == open => last.1 = t,
                _ => blocked.push((open, t)),
            }
        }
    }
}

/// Calls `f` for every free piece: `work` minus `blocked`, both sorted and disjoint.
fn for_each_free(work: &[(i64, i64)], blocked: &[(i64, i64)], mut f: impl FnMut(i64, i64)) {
    let mut j = 0;
    for &(ws, we) in work {
        let mut cursor = ws;
        while j < blocked.len() && blocked[j].1 <= cursor {
            j += 1;
        }
        let mut k = j;
        while cursor < we && k < blocked.len() && blocked[k].0 < we {
            let (bs, be) = blocked[k];
            if bs > cursor {
                f(cursor, bs);
            }
            cursor = cursor.max(be);
            k += 1;
        }
        if cursor < we {
            f(cursor, we);
        }
    }
}

/// Total free µs in `[from, to)` for working time `work` (already clipped to the window).
pub(crate) fn free_total(
    work: &[(i64, i64)],
    work_total: i64,
    bookings: &[(i64, i64)],
    capacity: u32,
    from: i64,
    to: i64,
    scratch: &mut Scratch,
) -> i64 {
    if work.is_empty() {
        return 0;
    }
    if capacity > 0 && !bookings.iter().any(|&(s, e)| s < to && e > from && s < e) {
        return work_total;
    }
    compute_blocked(bookings, capacity, from, to, scratch);
    if scratch.blocked.is_empty() {
        return work_total;
    }
    let mut total = 0;
    for_each_free(work, &scratch.blocked, |s, e| total += e - s);
    total
}

/// The free pieces in `[from, to)` for working time `work` (already clipped to the window).
pub(crate) fn free_pieces(
    work: &[(i64, i64)],
    bookings: &[(i64, i64)],
    capacity: u32,
    from: i64,
    to: i64,
    scratch: &mut Scratch,
) -> Vec<(i64, i64)> {
    compute_blocked(bookings, capacity, from, to, scratch);
    let mut out: Vec<(i64, i64)> = Vec::new();
    for_each_free(work, &scratch.blocked, |s, e| out.push((s, e)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocked(bookings: &[(i64, i64)], capacity: u32, from: i64, to: i64) -> Vec<(i64, i64)> {
        let mut scratch = Scratch::default();
        compute_blocked(bookings, capacity, from, to, &mut scratch);
        scratch.blocked
    }

    #[test]
    fn capacity_one_blocks_the_union() {
        let b = blocked(&[(10, 20), (15, 30), (30, 40), (50, 60)], 1, 0, 100);
        assert_eq!(b, vec![(10, 40), (50, 60)]);
    }

    #[test]
    fn capacity_two_blocks_only_overlaps() {
        let b = blocked(&[(10, 20), (15, 30), (25, 40), (20, 22)], 2, 0, 100);
        assert_eq!(b, vec![(15, 22), (25, 30)]);
    }

    #[test]
    fn bookings_are_clipped_to_the_window() {
        assert_eq!(blocked(&[(-50, 5), (95, 500)], 1, 0, 100), vec![(0, 5), (95, 100)]);
        assert_eq!(blocked(&[(200, 300)], 1, 0, 100), vec![]);
        assert_eq!(blocked(&[], 0, 0, 100), vec![(0, 100)]);
    }

    #[test]
    fn free_subtracts_blocked_from_work() {
        let work = [(0, 10), (20, 30), (40, 50)];
        let mut scratch = Scratch::default();
        let pieces = free_pieces(&work, &[(5, 25), (42, 44), (48, 49)], 1, 0, 60, &mut scratch);
        assert_eq!(pieces, vec![(0, 5), (25, 30), (40, 42), (44, 48), (49, 50)]);
        let total = free_total(&work, 30, &[(5, 25), (42, 44), (48, 49)], 1, 0, 60, &mut scratch);
        assert_eq!(total, 5 + 5 + 2 + 4 + 1);
        assert_eq!(free_total(&work, 30, &[(60, 70)], 1, 0, 60, &mut scratch), 30);
        assert_eq!(free_total(&work, 30, &[], 0, 0, 60, &mut scratch), 0);
    }
}
