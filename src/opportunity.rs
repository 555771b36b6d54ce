//! Opportunity stages: the pipeline's state machine. Later stages may be entered directly (skipping is allowed
//! forward); `won` and `lost` are final unless a manager reopens the opportunity; `lost` needs a reason.

use crate::permissions::Role;

text_enum! {
    /// Where an opportunity stands in the pipeline.
    pub enum Stage {
        Qualification => "qualification",
        Proposal => "proposal",
        Negotiation => "negotiation",
        Won => "won",
        Lost => "lost",
    }
}

impl Stage {
    /// The open stages, in pipeline order.
    pub const OPEN: [Stage; 3] = [Stage::Qualification, Stage::Proposal, Stage::Negotiation];

    pub fn is_closed(self) -> bool {
        matches!(self, Stage::Won | Stage::Lost)
    }

    /// Probability (percent) an opportunity gets when it enters this stage without an explicit one.
    pub fn default_probability(self) -> i16 {
        match self {
            Stage::Qualification => 10,
            Stage::Proposal => 40,
            Stage::Negotiation => 70,
            Stage::Won => 100,
            Stage::Lost => 0,
        }
    }

    fn rank(self) -> u8 {
        match self {
            Stage::Qualification => 0,
            Stage::Proposal => 1,
            Stage::Negotiation => 2,
            Stage::Won | Stage::Lost => 3,
        }
    }
}

/// Why a stage change is refused (answered as 409, or 422 for a missing lost reason).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StageError {
    /// `won`/`lost` may only be left by a manager or admin (reopening).
    Closed { from: Stage },
    /// Open stages only move forward (or to `lost`); moving back needs a manager.
    Backwards { from: Stage, to: Stage },
    /// Entering `lost` needs `lost_reason`.
    LostReasonRequired,
}

impl StageError {
    pub fn message(&self) -> String {
        match self {
            StageError::Closed { from } => {
                format!("This opportunity is {from}; only a manager can reopen it.")
            }
            StageError::Backwards { from, to } => format!(
                "An opportunity in {from} cannot move back to {to}; only a manager can move it back."
            ),
            StageError::LostReasonRequired => "is required when the stage is lost".to_owned(),
        }
    }
}

/// May `role` move an opportunity from `from` to `to`? Same stage is always fine (no change).
pub fn check_transition(
    role: Role,
    from: Stage,
    to: Stage,
    lost_reason: Option<&str>,
) -> Result<(), StageError> {
    let reopen_allowed = matches!(role, Role::Admin | Role::Manager);
    if to == Stage::Lost && lost_reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(StageError::LostReasonRequired);
    }
    if from == to {
        return Ok(());
    }
    if from.is_closed() && !reopen_allowed {
        return Err(StageError::Closed { from });
    }
    if !from.is_closed() && to.rank() < from.rank() && !reopen_allowed {
        return Err(StageError::Backwards { from, to });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_skips_are_allowed_backwards_needs_a_manager() {
        use Stage::*;
        assert!(check_transition(Role::Sales, Qualification, Negotiation, None).is_ok());
        assert!(check_transition(Role::Sales, Qualification, Won, None).is_ok());
        assert_eq!(
            check_transition(Role::Sales, Negotiation, Proposal, None),
            Err(StageError::Backwards {
                from: Negotiation,
                to: Proposal
            })
        );
        assert!(check_transition(Role::Manager, Negotiation, Proposal, None).is_ok());
    }

    #[test]
    fn closed_is_final_unless_reopened_by_a_manager() {
        use Stage::*;
        assert_eq!(
            check_transition(Role::Sales, Won, Negotiation, None),
            Err(StageError::Closed { from: Won })
        );
        assert!(check_transition(Role::Manager, Won, Negotiation, None).is_ok());
        assert!(check_transition(Role::Admin, Lost, Qualification, None).is_ok());
        assert_eq!(
            check_transition(Role::Sales, Lost, Won, Some("x")),
            Err(StageError::Closed { from: Lost })
        );
    }

    #[test]
    fn lost_needs_a_reason() {
        use Stage::*;
        assert_eq!(
            check_transition(Role::Sales, Proposal, Lost, None),
            Err(StageError::LostReasonRequired)
        );
        assert_eq!(
            check_transition(Role::Sales, Proposal, Lost, Some("  ")),
            Err(StageError::LostReasonRequired)
        );
        assert!(check_transition(Role::Sales, Proposal, Lost, Some("budget")).is_ok());
    }

    #[test]
    fn default_probabilities_rise_through_the_pipeline() {
        let p: Vec<i16> = Stage::OPEN
            .iter()
            .map(|s| s.default_probability())
            .collect();
        assert!(p.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(Stage::Won.default_probability(), 100);
        assert_eq!(Stage::Lost.default_probability(), 0);
    }
}
