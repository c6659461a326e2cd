//! Work hours: a resource's weekly calendar in its time zone, as spans of a day.

use crate::error::{field_error, FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How many spans a weekly calendar may have.
pub const MAX_WORK_SPANS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];
    /// 1 = Monday … 7 = Sunday (ISO 8601), as stored.
    pub fn number(self) -> i64 {
        self as i64 + 1
    }
    pub fn from_number(n: i64) -> Option<Self> {
        Self::ALL.get(usize::try_from(n.checked_sub(1)?).ok()?).copied()
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Monday => "monday",
            Weekday::Tuesday => "tuesday",
            Weekday::Wednesday => "wednesday",
            Weekday::Thursday => "thursday",
            Weekday::Friday => "friday",
            Weekday::Saturday => "saturday",
            Weekday::Sunday => "sunday",
        }
    }
}

/// A span of working time as the client writes it: `{"weekday": "monday", "start": "08:00",
/// "end": "16:00"}`; `end` may be `24:00`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkHours {
    pub weekday: Weekday,
    pub start: String,
    pub end: String,
}

/// A parsed span: minutes from midnight, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkSpan {
    pub weekday: Weekday,
    pub start_minute: i64,
    pub end_minute: i64,
}

impl WorkSpan {
    pub fn to_hours(self) -> WorkHours {
        WorkHours { weekday: self.weekday, start: clock_text(self.start_minute), end: clock_text(self.end_minute) }
    }
}

/// `HH:MM` for minutes from midnight (1440 is `24:00`).
pub fn clock_text(minute: i64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Minutes from midnight of `HH:MM` (00:00 to 24:00).
pub fn parse_clock(field: &str, raw: &str) -> Result<i64, FieldError> {
    let bad = || field_error(field, format!("'{raw}' is not a time of day like 08:00 (00:00 to 24:00)"));
    let (h, m) = raw.trim().split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (i64, i64) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..=24).contains(&h) || !(0..60).contains(&m) || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Monday to Friday, 08:00 to 16:00: the calendar of a resource created without one.
pub fn default_work_spans() -> Vec<WorkSpan> {
    Weekday::ALL[..5].iter().map(|&weekday| WorkSpan { weekday, start_minute: 480, end_minute: 960 }).collect()
}

/// Parses a calendar: each span's start before its end, no two spans of a day overlapping.
/// Errors name `{field}[i].start`, `{field}[i].end`. Returns the spans by weekday and start.
pub fn parse_work_hours(field: &str, hours: &[WorkHours]) -> Result<Vec<WorkSpan>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if hours.len() > MAX_WORK_SPANS {
        errors.add(field, format!("must list at most {MAX_WORK_SPANS} spans"));
        return Err(errors);
    }
    let mut spans: Vec<(usize, WorkSpan)> = Vec::with_capacity(hours.len());
    for (i, h) in hours.iter().enumerate() {
        let start = errors.check(parse_clock(&format!("{field}[{i}].start"), &h.start));
        let end = errors.check(parse_clock(&format!("{field}[{i}].end"), &h.end));
        if let (Some(start), Some(end)) = (start, end) {
            if start >= end {
                errors.add(format!("{field}[{i}].end"), format!("must be after start ({})", h.start.trim()));
            } else {
                spans.push((i, WorkSpan { weekday: h.weekday, start_minute: start, end_minute: end }));
            }
        }
    }
    spans.sort_by_key(|(_, s)| *s);
    for pair in spans.windows(2) {
        let ((_, a), (j, b)) = (pair[0], pair[1]);
        if a.weekday == b.weekday && b.start_minute < a.end_minute {
            let message = format!(
                "overlaps {} to {} on {}",
                clock_text(a.start_minute),
                clock_text(a.end_minute),
                b.weekday.as_str()
            );
            errors.add(format!("{field}[{j}].start"), message);
        }
    }
    errors.into_result(|| spans.into_iter().map(|(_, s)| s).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(list: &[(Weekday, &str, &str)]) -> Vec<WorkHours> {
        list.iter().map(|(d, s, e)| WorkHours { weekday: *d, start: s.to_string(), end: e.to_string() }).collect()
    }

    #[test]
    fn clock_times() {
        assert_eq!(parse_clock("t", "08:30"), Ok(510));
        assert_eq!(parse_clock("t", "24:00"), Ok(1440));
        for bad in ["8:00", "24:01", "12:60", "noon", "12-00"] {
            assert!(parse_clock("t", bad).is_err(), "{bad}");
        }
        assert_eq!(clock_text(1440), "24:00");
    }

    #[test]
    fn spans_are_ordered_and_must_not_overlap() {
        use Weekday::*;
        let ok = parse_work_hours("work_hours", &hours(&[(Tuesday, "13:00", "17:00"), (Tuesday, "08:00", "12:00")]));
        let starts: Vec<i64> = ok.unwrap().iter().map(|s| s.start_minute).collect();
        assert_eq!(starts, [480, 780]);
        let list = hours(&[(Monday, "08:00", "12:00"), (Monday, "11:00", "13:00"), (Friday, "10:00", "09:00")]);
        let errors = parse_work_hours("work_hours", &list).unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["work_hours[2].end", "work_hours[1].start"]);
        assert_eq!(Weekday::from_number(7), Some(Sunday));
        assert_eq!(Weekday::from_number(0), None);
        assert_eq!(default_work_spans().len(), 5);
    }
}
