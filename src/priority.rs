//! Priority of tasks and tickets.

text_enum! {
    /// How urgent a task or ticket is (default `normal`).
    pub enum Priority {
        Normal => "normal",
        Low => "low",
        High => "high",
        Urgent => "urgent",
    }
}

impl Priority {
    /// Sort weight: urgent first.
    pub fn rank(self) -> u8 {
        match self {
            Priority::Urgent => 0,
            Priority::High => 1,
            Priority::Normal => 2,
            Priority::Low => 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_ranks() {
        assert_eq!(Priority::default(), Priority::Normal);
        assert_eq!(Priority::parse("urgent"), Ok(Priority::Urgent));
        assert!(Priority::parse("asap").is_err());
        assert!(Priority::Urgent.rank() < Priority::Low.rank());
    }
}
