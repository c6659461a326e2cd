//! A worker's name typed as one line on the scheduling side ("Ada Augusta King"), taken back
//! into HR's first, middle and last name. The rule: the words come back exactly as typed, in
//! order, each in one part: none dropped, none added, none carried over from the old name.
//! Which part a word goes to is read from the name HR holds:
//!
//! 1. it starts with the first name and ends with the last: what lies between is the middle name;
//! 2. it starts with the first and middle names: the rest is the last name;
//! 3. it starts with the first name: the rest is the last name, and there is no middle name;
//! 4. it ends with the middle and last names: what comes before is the first name;
//! 5. it ends with the last name: what comes before is the first name, no middle name;
//! 6. otherwise the last word is the last name and the rest the first name, no middle name.
//!
//! A single word cannot fill both the first and the last name HR requires without inventing one
//! of them: it is refused, with the reason, and the name is to be changed in HR.

/// A name's parts: first, middle (if any), last.
pub type NameParts = (String, Option<String>, String);

/// Splits `typed` into first, middle and last name, reading which word goes where from the
/// name HR holds (`held`); an error says why it cannot be.
pub fn split_typed_name(typed: &str, held: (&str, Option<&str>, &str)) -> Result<NameParts, String> {
    let words: Vec<&str> = typed.split_whitespace().collect();
    let (first, middle, last) = (
        held.0.split_whitespace().collect::<Vec<_>>(),
        held.1.unwrap_or("").split_whitespace().collect::<Vec<_>>(),
        held.2.split_whitespace().collect::<Vec<_>>(),
    );
    if words.len() < 2 {
        return Err(format!(
            "name: '{}' is {} word, and HR keeps both a first and a last name: change the name in HR",
            typed.trim(),
            if words.is_empty() { "not a" } else { "one" }
        ));
    }
    let first_and_middle: Vec<&str> = first.iter().chain(&middle).copied().collect();
    let middle_and_last: Vec<&str> = middle.iter().chain(&last).copied().collect();
    let n = words.len();
    // (words in the first name, words in the middle name); the rest is the last name.
    let (f, m) = if fits(&words, &first, &last) {
        (first.len(), n - first.len() - last.len())
    } else if !middle.is_empty() && words.len() > first_and_middle.len() && words.starts_with(&first_and_middle) {
        (first.len(), middle.len())
    } else if !first.is_empty() && n > first.len() && words.starts_with(&first) {
        (first.len(), 0)
    } else if !middle.is_empty() && n > middle_and_last.len() && words.ends_with(&middle_and_last) {
        (n - middle_and_last.len(), middle.len())
    } else if !last.is_empty() && n > last.len() && words.ends_with(&last) {
        (n - last.len(), 0)
    } else {
        (n - 1, 0)
    };
    let join = |part: &[&str]| part.join(" ");
    let middle = (m > 0).then(|| join(&words[f..f + m]));
    Ok((join(&words[..f]), middle, join(&words[f + m..])))
}

/// Whether `words` start with `first` and end with `last`, with both non-empty and apart.
fn fits(words: &[&str], first: &[&str], last: &[&str]) -> bool {
    !first.is_empty()
        && !last.is_empty()
        && words.len() >= first.len() + last.len()
        && words.starts_with(first)
        && words.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split(typed: &str, held: (&str, Option<&str>, &str)) -> (String, Option<String>, String) {
        split_typed_name(typed, held).unwrap()
    }

    #[test]
    fn each_word_goes_where_the_held_name_says() {
        let ada = ("Ada", Some("Augusta"), "Lovelace");
        assert_eq!(split("Ada Augusta King", ada), ("Ada".into(), Some("Augusta".into()), "King".into()));
        assert_eq!(split("Ada King", ada), ("Ada".into(), None, "King".into()));
        assert_eq!(split("Ada Byron Lovelace", ada), ("Ada".into(), Some("Byron".into()), "Lovelace".into()));
        assert_eq!(split("Ada Lovelace", ada), ("Ada".into(), None, "Lovelace".into()));
        assert_eq!(
            split("Augusta Ada Augusta Lovelace", ada),
            ("Augusta Ada".into(), Some("Augusta".into()), "Lovelace".into())
        );
        assert_eq!(split("Grace Brewster Hopper", ada), ("Grace Brewster".into(), None, "Hopper".into()));
        let mary = ("Mary Ann", None, "Evans");
        assert_eq!(split("Mary Ann Cross", mary), ("Mary Ann".into(), None, "Cross".into()));
        assert_eq!(split("George Eliot Evans", mary), ("George Eliot".into(), None, "Evans".into()));
    }

    #[test]
    fn one_word_is_refused_rather_than_completed() {
        let error = split_typed_name("Cher", ("Ada", Some("Augusta"), "King")).unwrap_err();
        assert!(error.contains("'Cher' is one word") && error.contains("change the name in HR"), "{error}");
        assert!(split_typed_name("   ", ("Ada", None, "King")).is_err());
    }

    fn word() -> impl Strategy<Value = String> {
        prop_oneof![Just("Ada".to_string()), Just("King".to_string()), "[A-Z][a-z]{0,3}"]
    }

    proptest! {
        /// Whatever was typed and whatever HR held, the parts hold the typed words, in order,
        /// each once: nothing erased, nothing invented; the first and last names are never empty.
        #[test]
        fn nothing_is_erased_or_invented(
            typed in proptest::collection::vec(word(), 2..6),
            first in proptest::collection::vec(word(), 1..3),
            middle in proptest::collection::vec(word(), 0..3),
            last in proptest::collection::vec(word(), 1..3),
        ) {
            let middle = middle.join(" ");
            let held = (&*first.join(" "), Some(middle.as_str()).filter(|m| !m.is_empty()), &*last.join(" "));
            let (f, m, l) = split_typed_name(&typed.join(" "), held).unwrap();
            prop_assert!(!f.is_empty() && !l.is_empty());
            let back: Vec<&str> = f.split(' ').chain(m.iter().flat_map(|m| m.split(' '))).chain(l.split(' ')).collect();
            prop_assert_eq!(back, typed.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }
}
