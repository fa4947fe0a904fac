//! Programme status machines: Kartu Prakerja steps, training, capital-application stages and
//! business status, each with the transitions a facilitator may record.

use crate::model::CapitalSource;
use serde::{Deserialize, Serialize};

/// A status with a fixed set of allowed next statuses.
pub trait Stage: Copy + Eq + std::fmt::Debug + Serialize + 'static {
    fn next(self) -> &'static [Self];
    fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
    fn can_move_to(self, to: Self) -> bool {
        self.next().contains(&to)
    }
}

/// Kartu Prakerja: register → test → selected in a wave → buy a training within 30 days (or the
/// card is revoked) → certificate → rating → incentive paid in instalments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrakerjaStage {
    Registered,
    TestPassed,
    NotSelected,
    Selected,
    TrainingPurchased,
    Certified,
    Rated,
    IncentivePaid,
    Revoked,
}

impl Stage for PrakerjaStage {
    fn next(self) -> &'static [Self] {
        use PrakerjaStage::*;
        match self {
            Registered => &[TestPassed],
            TestPassed => &[Selected, NotSelected],
            // Not selected in this wave: register again for the next one.
            NotSelected => &[Registered, Selected],
            Selected => &[TrainingPurchased, Revoked],
            TrainingPurchased => &[Certified],
            Certified => &[Rated],
            Rated => &[IncentivePaid],
            // Each further instalment is recorded as another IncentivePaid step.
            IncentivePaid => &[IncentivePaid],
            Revoked => &[],
        }
    }
}

/// Days a selected participant has to buy a first training before the card is revoked.
pub const PRAKERJA_PURCHASE_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingStatus {
    Planned,
    Enrolled,
    Ongoing,
    Completed,
    Dropped,
}

impl Stage for TrainingStatus {
    fn next(self) -> &'static [Self] {
        use TrainingStatus::*;
        match self {
            Planned => &[Enrolled, Dropped],
            Enrolled => &[Ongoing, Completed, Dropped],
            Ongoing => &[Completed, Dropped],
            Completed | Dropped => &[],
        }
    }
}

/// Capital application stages: from first interest to money in hand, then repaid (a loan) or
/// used and reported (a grant). Which of the two applies is the source's
/// ([`CapitalStage::next_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapitalStage {
    Interest,
    PreparingDocuments,
    Submitted,
    Approved,
    Disbursed,
    Repaying,
    Repaid,
    /// A grant was spent on the business and reported.
    Used,
    Rejected,
    Withdrawn,
}

impl Stage for CapitalStage {
    /// Every next stage of either kind of capital; [`CapitalStage::next_for`] is the one for a
    /// source.
    fn next(self) -> &'static [Self] {
        use CapitalStage::*;
        match self {
            Interest => &[PreparingDocuments, Submitted, Withdrawn],
            PreparingDocuments => &[Submitted, Withdrawn],
            Submitted => &[Approved, Rejected, Withdrawn],
            Approved => &[Disbursed, Withdrawn],
            Disbursed => &[Repaying, Repaid, Used],
            Repaying => &[Repaid],
            Repaid | Used | Rejected | Withdrawn => &[],
        }
    }
}

impl CapitalStage {
    /// Money has reached the beneficiary.
    pub fn is_disbursed(self) -> bool {
        matches!(self, CapitalStage::Disbursed | CapitalStage::Repaying | CapitalStage::Repaid | CapitalStage::Used)
    }

    /// Whether capital from `source` ever reaches this stage: loans are repaid, grants used.
    pub fn applies_to(self, source: CapitalSource) -> bool {
        match self {
            CapitalStage::Repaying | CapitalStage::Repaid => source.is_loan(),
            CapitalStage::Used => !source.is_loan(),
            _ => true,
        }
    }

    /// The stages capital from `source` may move to next.
    pub fn next_for(self, source: CapitalSource) -> Vec<CapitalStage> {
        self.next().iter().copied().filter(|s| s.applies_to(source)).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessStatus {
    Idea,
    Planning,
    Running,
    Paused,
    Closed,
}

impl Stage for BusinessStatus {
    fn next(self) -> &'static [Self] {
        use BusinessStatus::*;
        match self {
            Idea => &[Planning, Running, Closed],
            Planning => &[Running, Closed],
            Running => &[Paused, Closed],
            Paused => &[Running, Closed],
            Closed => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prakerja_follows_the_programme_steps() {
        use PrakerjaStage::*;
        let path = [Registered, TestPassed, Selected, TrainingPurchased, Certified, Rated, IncentivePaid, IncentivePaid];
        for w in path.windows(2) {
            assert!(w[0].can_move_to(w[1]), "{:?} -> {:?}", w[0], w[1]);
        }
        assert!(!Registered.can_move_to(Certified));
        assert!(!Revoked.can_move_to(Registered));
        assert!(Selected.can_move_to(Revoked));
        assert_eq!(TrainingPurchased.name(), "training_purchased");
    }

    #[test]
    fn capital_cannot_skip_approval() {
        use CapitalStage::*;
        assert!(!Submitted.can_move_to(Disbursed));
        assert!(!Interest.can_move_to(Approved));
        assert!(Approved.can_move_to(Disbursed) && Disbursed.can_move_to(Repaying) && Repaying.can_move_to(Repaid));
        assert!(!Rejected.can_move_to(Submitted));
        assert!(!Disbursed.can_move_to(Withdrawn));
    }

    #[test]
    fn loans_are_repaid_and_grants_are_used_never_the_other_way() {
        use CapitalStage::*;
        assert_eq!(Disbursed.next_for(CapitalSource::Kur), vec![Repaying, Repaid]);
        assert_eq!(Disbursed.next_for(CapitalSource::Cooperative), vec![Repaying, Repaid]);
        for grant in [CapitalSource::ProgrammeIncentive, CapitalSource::VillageFund] {
            assert_eq!(Disbursed.next_for(grant), vec![Used], "{grant:?}");
            assert!(!Repaying.applies_to(grant) && !Repaid.applies_to(grant));
            assert_eq!(Approved.next_for(grant), vec![Disbursed, Withdrawn]);
        }
        assert!(!Used.applies_to(CapitalSource::Kur));
        assert!(Used.is_disbursed());
    }

    #[test]
    fn businesses_can_pause_and_resume() {
        use BusinessStatus::*;
        assert!(Running.can_move_to(Paused) && Paused.can_move_to(Running));
        assert!(!Closed.can_move_to(Running));
    }
}
