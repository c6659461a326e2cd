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
        Ok(Self(s.to_string()))
    }
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
