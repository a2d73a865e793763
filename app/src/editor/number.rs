//! What the editor's number fields accept. A field applies only text that is a whole number in
//! the range validation accepts; anything else is refused with the reason, and the field keeps
//! what was typed so that the user sees and corrects it (the draft keeps its old value).

use crate::strategy::{MAX_PRIORITY, MAX_WEIGHT};

/// Which number of an item a field edits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ItemNumber {
    Weight,
    Priority,
}

impl ItemNumber {
    /// The largest value validation accepts for this number.
    pub fn max(self) -> i64 {
        match self {
            ItemNumber::Weight => MAX_WEIGHT,
            ItemNumber::Priority => MAX_PRIORITY,
        }
    }

    /// The value `text` stands for, or why it is refused.
    pub fn parse(self, text: &str) -> Result<i64, NumberRefused> {
        let text = text.trim();
        if text.is_empty() {
            return Err(NumberRefused::Empty);
        }
        // Digits only: "1e9", "2.5", "+3" and "0x10" are not what a user means by a weight.
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NumberRefused::NotWhole);
        }
        match text.parse::<i64>() {
            Ok(n) if n <= self.max() => Ok(n),
            _ => Err(NumberRefused::TooLarge { max: self.max() }),
        }
    }
}

/// Why a number field's text was not applied.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum NumberRefused {
    Empty,
    NotWhole,
    TooLarge { max: i64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_in_range_are_applied() {
        assert_eq!(ItemNumber::Weight.parse(" 3 "), Ok(3));
        assert_eq!(ItemNumber::Weight.parse("0"), Ok(0));
        assert_eq!(
            ItemNumber::Weight.parse(&MAX_WEIGHT.to_string()),
            Ok(MAX_WEIGHT)
        );
        assert_eq!(ItemNumber::Priority.parse("007"), Ok(7));
    }

    #[test]
    fn other_text_is_refused_with_its_reason() {
        use NumberRefused::*;
        assert_eq!(ItemNumber::Weight.parse(""), Err(Empty));
        assert_eq!(ItemNumber::Weight.parse("  "), Err(Empty));
        for text in ["2.5", "1e9", "-1", "+3", "0x10", "three", "1 000"] {
            assert_eq!(ItemNumber::Weight.parse(text), Err(NotWhole), "{text}");
        }
        assert_eq!(
            ItemNumber::Weight.parse(&(MAX_WEIGHT + 1).to_string()),
            Err(TooLarge { max: MAX_WEIGHT })
        );
        assert_eq!(
            ItemNumber::Priority.parse("99999999999999999999999"),
            Err(TooLarge { max: MAX_PRIORITY })
        );
    }
}
