//! The core's enums, exported as they are (`#[uniffi::remote]` restates each definition so that
//! UniFFI can describe it; the compiler checks that it matches).

use desmig_core::checklist::ItemKind;
use desmig_core::labels::Code;
use desmig_core::model::{
    Bank, BeneficiaryKind, BusinessSector, CapitalSource, ConsentMethod, JobSector, KurScheme, SaleMarket, SalesChannel, SavingsBand, Sex,
    StageSubject, TrainingKind, TrainingMode, VisitStatus,
};
use desmig_core::region::RegionLevel;
use desmig_core::scope::Role;
use desmig_core::status::{BusinessStatus, CapitalStage, PrakerjaStage, TrainingStatus};
use desmig_core::sync::{Resolution, SyncPhase};

#[uniffi::remote(Enum)]
pub enum Role {
    Facilitator,
    Supervisor,
    Worker,
    Admin,
}

#[uniffi::remote(Enum)]
pub enum Sex {
    Female,
    Male,
}

#[uniffi::remote(Enum)]
pub enum BeneficiaryKind {
    ReturningWorker,
    FamilyMember,
}

#[uniffi::remote(Enum)]
pub enum JobSector {
    DomesticWork,
    Caregiving,
    Manufacturing,
    Construction,
    PlantationAgriculture,
    Fishing,
    Hospitality,
    Retail,
    Other,
}

#[uniffi::remote(Enum)]
pub enum SavingsBand {
    None,
    Under10Million,
    From10To50Million,
    From50To100Million,
    Over100Million,
}

#[uniffi::remote(Enum)]
pub enum ConsentMethod {
    SignedForm,
    VerbalWitnessed,
    InApp,
}

#[uniffi::remote(Enum)]
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

#[uniffi::remote(Enum)]
pub enum TrainingStatus {
    Planned,
    Enrolled,
    Ongoing,
    Completed,
    Dropped,
}

#[uniffi::remote(Enum)]
pub enum TrainingKind {
    Vocational,
    Entrepreneurship,
    FinancialLiteracy,
    DigitalMarketing,
    Language,
    Other,
}

#[uniffi::remote(Enum)]
pub enum TrainingMode {
    Online,
    Offline,
    Blended,
}

#[uniffi::remote(Enum)]
pub enum CapitalSource {
    Kur,
    ProgrammeIncentive,
    VillageFund,
    Cooperative,
    Other,
}

#[uniffi::remote(Enum)]
pub enum Bank {
    Bri,
    Bni,
    Mandiri,
    Bsi,
    Btn,
    RegionalBank,
    Other,
}

#[uniffi::remote(Enum)]
pub enum KurScheme {
    SuperMikro,
    Mikro,
    Kecil,
}

#[uniffi::remote(Enum)]
pub enum CapitalStage {
    Interest,
    PreparingDocuments,
    Submitted,
    Approved,
    Disbursed,
    Repaying,
    Repaid,
    Used,
    Rejected,
    Withdrawn,
}

#[uniffi::remote(Enum)]
pub enum BusinessStatus {
    Idea,
    Planning,
    Running,
    Paused,
    Closed,
}

#[uniffi::remote(Enum)]
pub enum BusinessSector {
    FoodBeverage,
    Agriculture,
    Livestock,
    Fisheries,
    Handicraft,
    Fashion,
    Retail,
    Services,
    Transport,
    Tourism,
    Other,
}

#[uniffi::remote(Enum)]
pub enum SaleMarket {
    OwnVillage,
    OtherVillages,
    DistrictCity,
    OnlineMarketplace,
    Export,
}

#[uniffi::remote(Enum)]
pub enum SalesChannel {
    Shop,
    Market,
    Reseller,
    Marketplace,
    SocialMedia,
    Cooperative,
    Export,
    Other,
}

#[uniffi::remote(Enum)]
pub enum VisitStatus {
    Draft,
    Completed,
}

#[uniffi::remote(Enum)]
pub enum StageSubject {
    Prakerja,
    Training,
    CapitalApplication,
    Business,
}

#[uniffi::remote(Enum)]
pub enum SyncPhase {
    Pushing,
    Pulling,
    Done,
}

#[uniffi::remote(Enum)]
pub enum Resolution {
    KeepCurrent,
    TakeLosing,
}

#[uniffi::remote(Enum)]
pub enum ItemKind {
    YesNo,
    SingleChoice,
    MultiChoice,
    Integer,
    Rupiah,
    Text,
    Date,
}

#[uniffi::remote(Enum)]
pub enum RegionLevel {
    Province,
    District,
    SubDistrict,
    Village,
}

#[uniffi::remote(Enum)]
pub enum Code {
    Network,
    Cancelled,
    Storage,
    WrongKey,
    InvalidKey,
    LoginRequired,
    TokenExpired,
    InvalidToken,
    SignedOut,
    AccountDisabled,
    InvalidCredentials,
    LoginThrottled,
    DeviceRevoked,
    Invalid,
    NotFound,
    OutOfScope,
    ReadOnly,
    NotSupervisor,
    WrongAuthor,
    SelfVerification,
    ConsentWithdrawn,
    Erased,
    StateConflict,
    StaleClock,
    ClockInvalid,
    ResolutionOutdated,
    ForgedOperation,
    InvalidOperation,
    UnsupportedProtocol,
    ProtocolRequired,
    PayloadTooLarge,
    RateLimited,
    InvalidCursor,
    NoServerKeys,
    BundleMalformed,
    BundleDamaged,
    BundleBadSignature,
    BundleWrongServer,
    BundleOwn,
    BundleStale,
    Internal,
    Other,
}
