//! Value newtypes, parsed at the boundary: once a `Code` exists, it is a valid code.

use crate::error::{field_error, FieldError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_newtype!(
    /// An integration key such as a skill or certificate code: 1 to 40 letters, digits, `_`, `-`, `.`.
    Code
);
string_newtype!(
    /// A worker's personnel number: 1 to 20 letters, digits, `_`, `-`.
    PersonnelNumber
);
string_newtype!(
    /// A display name: 1 to 100 characters after trimming, no control characters.
    Name
);
string_newtype!(
    /// An email address: one `@`, a local part, a domain with a dot, no spaces, at most 254.
    Email
);
string_newtype!(
    /// A phone number: E.164 (`+` and 8 to 15 digits) or national digits (6 to 20) with spaces,
    /// dashes, dots or parentheses.
    Phone
);

fn is_code_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

impl Code {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(field_error(field, "is required"));
        }
        if s.chars().count() > 40 {
            return Err(field_error(field, "must be at most 40 characters"));
        }
        if !s.chars().all(is_code_char) {
            return Err(field_error(field, "may contain only letters, digits, '_', '-' and '.'"));
        }
        Ok(Self(s.to_string()))
    }
}

impl PersonnelNumber {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(field_error(field, "is required"));
        }
        if s.chars().count() > 20 {
            return Err(field_error(field, "must be at most 20 characters"));
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(field_error(field, "may contain only letters, digits, '_' and '-'"));
        }
        Ok(Self(s.to_string()))
    }
    /// Formats a number-sequence value: `prefix` followed by the number zero-padded to `width`.
    pub fn from_sequence(prefix: &str, width: usize, value: i64) -> Self {
        Self(format!("{prefix}{value:0width$}"))
    }
}

impl Name {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::parse_max(field, raw, 100)
    }
    pub fn parse_max(field: &str, raw: &str, max: usize) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(field_error(field, "is required"));
        }
        if s.chars().count() > max {
            return Err(field_error(field, format!("must be at most {max} characters")));
        }
        if s.chars().any(char::is_control) {
            return Err(field_error(field, "must not contain control characters"));
        }
        check_shown_text(field, s)?;
        Ok(Self(s.to_string()))
    }
}

/// Characters that reorder the text around them (bidirectional embeddings, overrides and
/// isolates): a name holding one can show as something else than it is.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that take no room when shown.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}')
}

/// Text that people read (names, free text) shows what it holds: no bidirectional overrides, and
/// not only invisible characters.
fn check_shown_text(field: &str, s: &str) -> Result<(), FieldError> {
    if s.chars().any(is_bidi_control) {
        return Err(field_error(field, "must not contain characters that reorder text (bidirectional overrides)"));
    }
    if !s.is_empty() && s.chars().all(|c| is_invisible(c) || c.is_whitespace()) {
        return Err(field_error(field, "must contain something visible, not only zero-width characters"));
    }
    Ok(())
}

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        let invalid = || field_error(field, "must be an email address like name@example.com");
        if s.is_empty() {
            return Err(field_error(field, "is required"));
        }
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = s.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.contains('@')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(s.to_string()))
    }
}

impl Phone {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(field_error(field, "is required"));
        }
        let digits = s.chars().filter(char::is_ascii_digit).count();
        let (rest, international) = match s.strip_prefix('+') {
            Some(rest) => (rest, true),
            None => (s, false),
        };
        let allowed = rest.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'));
        let ok = allowed && if international { (8..=15).contains(&digits) } else { (6..=20).contains(&digits) };
        if !ok {
            return Err(field_error(
                field,
                "must be a phone number: E.164 like +15551234567, or 6 to 20 national digits",
            ));
        }
        Ok(Self(s.to_string()))
    }
}

/// Free text with a length limit; trimmed.
pub fn text(field: &str, raw: Option<&str>, max: usize) -> Result<String, FieldError> {
    let s = raw.unwrap_or("").trim();
    if s.chars().count() > max {
        return Err(field_error(field, format!("must be at most {max} characters")));
    }
    check_shown_text(field, s)?;
    Ok(s.to_string())
}

/// Checks that `end` is not before `start`; names the end field.
pub fn date_order(
    start_field: &str,
    start: Option<NaiveDate>,
    end_field: &str,
    end: Option<NaiveDate>,
) -> Result<(), FieldError> {
    match (start, end) {
        (Some(s), Some(e)) if e < s => Err(field_error(end_field, format!("must not be before {start_field} ({s})"))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(Code::parse("code", " RUST ").unwrap().as_str(), "RUST");
        assert!(Code::parse("code", "").is_err());
        assert_eq!(Code::parse("code", "a b").unwrap_err().field, "code");
        assert!(Code::parse("code", &"x".repeat(41)).is_err());
    }

    #[test]
    fn emails() {
        assert!(Email::parse("email", "ada@example.com").is_ok());
        for bad in ["ada", "ada@", "@example.com", "ada@example", "a da@example.com", "a@b@c.com", "a@.com"] {
            assert!(Email::parse("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones() {
        for good in ["+15551234567", "555-123 4567", "(020) 7946 0958"] {
            assert!(Phone::parse("phone", good).is_ok(), "{good}");
        }
        for bad in ["+1234", "call me", "12345", "+1 555 abc"] {
            assert!(Phone::parse("phone", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn personnel_numbers_from_a_sequence() {
        assert_eq!(PersonnelNumber::from_sequence("", 6, 1).as_str(), "000001");
        assert_eq!(PersonnelNumber::from_sequence("W-", 4, 12345).as_str(), "W-12345");
    }
}

/// The earliest and latest years a date or time from outside may have: anything else is a typo
/// (`0000-06-01`, `-9999-01-01`) that no HR record means, and that not every database can hold.
pub const EARLIEST_YEAR: i32 = 1900;
pub const LATEST_YEAR: i32 = 2200;

fn out_of_range<E: serde::de::Error>(what: &str) -> E {
    E::custom(format!("must be a {what} from {EARLIEST_YEAR}-01-01 to {LATEST_YEAR}-12-31"))
}

fn sane_year(year: i32) -> bool {
    (EARLIEST_YEAR..=LATEST_YEAR).contains(&year)
}

/// Deserializes a date (`YYYY-MM-DD`) within [`EARLIEST_YEAR`]..=[`LATEST_YEAR`].
pub fn sane_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let date = <NaiveDate as serde::Deserialize>::deserialize(d)?;
    if sane_year(chrono::Datelike::year(&date)) {
        Ok(date)
    } else {
        Err(out_of_range("date"))
    }
}

/// [`sane_date`] for an optional date.
pub fn sane_date_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match <Option<NaiveDate> as serde::Deserialize>::deserialize(d)? {
        Some(date) if !sane_year(chrono::Datelike::year(&date)) => Err(out_of_range("date")),
        other => Ok(other),
    }
}

/// Deserializes a time (RFC 3339) within [`EARLIEST_YEAR`]..=[`LATEST_YEAR`].
pub fn sane_time<'de, D: serde::Deserializer<'de>>(d: D) -> Result<chrono::DateTime<chrono::Utc>, D::Error> {
    let time = <chrono::DateTime<chrono::Utc> as serde::Deserialize>::deserialize(d)?;
    if sane_year(chrono::Datelike::year(&time)) {
        Ok(time)
    } else {
        Err(out_of_range("time"))
    }
}

#[cfg(test)]
mod sane_tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Dated {
        #[serde(deserialize_with = "sane_date")]
        on: NaiveDate,
        #[serde(default, deserialize_with = "sane_date_opt")]
        until: Option<NaiveDate>,
        #[serde(deserialize_with = "sane_time")]
        at: chrono::DateTime<chrono::Utc>,
    }

    fn parse(on: &str, until: &str, at: &str) -> Result<Dated, String> {
        let text = format!(r#"{{"on": "{on}", "until": {until}, "at": "{at}"}}"#);
        serde_json::from_str(&text).map_err(|e| e.to_string())
    }

    #[test]
    fn names_show_what_they_hold() {
        assert!(Name::parse("first_name", "Ada").is_ok());
        assert!(Name::parse("first_name", "Zoë Ådahl-Łukasz 山田").is_ok());
        assert!(Name::parse("first_name", "Ad\u{202E}a").is_err(), "a right-to-left override");
        assert!(Name::parse("first_name", "\u{2067}Ada").is_err(), "an isolate");
        assert!(Name::parse("first_name", "\u{200B}\u{200D}").is_err(), "only zero-width");
        assert!(Name::parse("first_name", "A\u{200D}da").is_ok(), "a joiner inside a visible name");
        assert!(text("description", Some("\u{FEFF}"), 100).is_err());
        assert_eq!(text("description", None, 100).unwrap(), "");
    }

    #[test]
    fn dates_outside_1900_to_2200_are_refused() {
        let edge = parse("1900-01-01", "null", "2200-12-31T23:59:59Z").unwrap();
        assert_eq!(
            (edge.on.to_string(), edge.until, edge.at.to_rfc3339()),
            ("1900-01-01".into(), None, "2200-12-31T23:59:59+00:00".into())
        );
        let later = parse("2026-06-01", "\"2200-12-31\"", "2026-06-01T08:00:00Z").unwrap();
        assert_eq!(later.until, NaiveDate::from_ymd_opt(2200, 12, 31));
        for (on, until, at) in [
            ("0000-06-01", "null", "2026-06-01T08:00:00Z"),
            ("-9999-01-01", "null", "2026-06-01T08:00:00Z"),
            ("2026-06-01", "\"2201-01-01\"", "2026-06-01T08:00:00Z"),
            ("2026-06-01", "null", "1899-12-31T23:59:59Z"),
        ] {
            let error = parse(on, until, at).unwrap_err();
            assert!(error.contains("from 1900-01-01 to 2200-12-31"), "{on} {until} {at}: {error}");
        }
    }
}
