import Foundation
import DesmigCore

// The core's enums as stable snake_case codes (the same as the Android app's
// `name.lowercase()` and the core's JSON), used to build Localizable.strings keys such as
// `prakerja_test_passed`. The switches are exhaustive: a new case in the core fails the build
// here instead of showing a wrong word. `choices` lists the cases a form offers, in order.

extension Sex {
    static let choices: [Sex] = [.female, .male]
    var code: String {
        switch self {
        case .female: return "female"
        case .male: return "male"
        }
    }
    var label: String { L10n.string("sex_" + code) }
}

extension BeneficiaryKind {
    static let choices: [BeneficiaryKind] = [.returningWorker, .familyMember]
    var code: String {
        switch self {
        case .returningWorker: return "returning_worker"
        case .familyMember: return "family_member"
        }
    }
    var label: String { L10n.string("kind_" + code) }
}

extension JobSector {
    static let choices: [JobSector] = [
        .domesticWork, .caregiving, .manufacturing, .construction, .plantationAgriculture,
        .fishing, .hospitality, .retail, .other,
    ]
    var code: String {
        switch self {
        case .domesticWork: return "domestic_work"
        case .caregiving: return "caregiving"
        case .manufacturing: return "manufacturing"
        case .construction: return "construction"
        case .plantationAgriculture: return "plantation_agriculture"
        case .fishing: return "fishing"
        case .hospitality: return "hospitality"
        case .retail: return "retail"
        case .other: return "other"
        }
    }
    var label: String { L10n.string("job_sector_" + code) }
}

extension SavingsBand {
    static let choices: [SavingsBand] = [
        .none, .under10Million, .from10To50Million, .from50To100Million, .over100Million,
    ]
    var code: String {
        switch self {
        case .none: return "none"
        case .under10Million: return "under10_million"
        case .from10To50Million: return "from10_to50_million"
        case .from50To100Million: return "from50_to100_million"
        case .over100Million: return "over100_million"
        }
    }
    var label: String { L10n.string("savings_" + code) }
}

extension ConsentMethod {
    static let choices: [ConsentMethod] = [.signedForm, .verbalWitnessed, .inApp]
    var code: String {
        switch self {
        case .signedForm: return "signed_form"
        case .verbalWitnessed: return "verbal_witnessed"
        case .inApp: return "in_app"
        }
    }
    var label: String { L10n.string("consent_" + code) }
}

extension PrakerjaStage {
    static let all: [PrakerjaStage] = [
        .registered, .testPassed, .notSelected, .selected, .trainingPurchased, .certified, .rated, .incentivePaid, .revoked,
    ]
    var code: String {
        switch self {
        case .registered: return "registered"
        case .testPassed: return "test_passed"
        case .notSelected: return "not_selected"
        case .selected: return "selected"
        case .trainingPurchased: return "training_purchased"
        case .certified: return "certified"
        case .rated: return "rated"
        case .incentivePaid: return "incentive_paid"
        case .revoked: return "revoked"
        }
    }
    var label: String { L10n.string("prakerja_" + code) }
}

extension TrainingStatus {
    static let all: [TrainingStatus] = [.planned, .enrolled, .ongoing, .completed, .dropped]
    var code: String {
        switch self {
        case .planned: return "planned"
        case .enrolled: return "enrolled"
        case .ongoing: return "ongoing"
        case .completed: return "completed"
        case .dropped: return "dropped"
        }
    }
    var label: String { L10n.string("training_" + code) }
}

extension TrainingMode {
    static let choices: [TrainingMode] = [.offline, .online, .blended]
    var code: String {
        switch self {
        case .online: return "online"
        case .offline: return "offline"
        case .blended: return "blended"
        }
    }
    var label: String { L10n.string("training_mode_" + code) }
}

extension CapitalSource {
    static let choices: [CapitalSource] = [.kur, .programmeIncentive, .villageFund, .cooperative, .other]
    var code: String {
        switch self {
        case .kur: return "kur"
        case .programmeIncentive: return "programme_incentive"
        case .villageFund: return "village_fund"
        case .cooperative: return "cooperative"
        case .other: return "other"
        }
    }
    var label: String { L10n.string("source_" + code) }
}

extension CapitalStage {
    static let all: [CapitalStage] = [
        .interest, .preparingDocuments, .submitted, .approved, .disbursed, .repaying, .repaid, .used, .rejected, .withdrawn,
    ]
    var code: String {
        switch self {
        case .interest: return "interest"
        case .preparingDocuments: return "preparing_documents"
        case .submitted: return "submitted"
        case .approved: return "approved"
        case .disbursed: return "disbursed"
        case .repaying: return "repaying"
        case .repaid: return "repaid"
        case .used: return "used"
        case .rejected: return "rejected"
        case .withdrawn: return "withdrawn"
        }
    }
    var label: String { L10n.string("capital_" + code) }
}

extension Bank {
    static let choices: [Bank] = [.bri, .bni, .mandiri, .bsi, .btn, .regionalBank, .other]
    var code: String {
        switch self {
        case .bri: return "bri"
        case .bni: return "bni"
        case .mandiri: return "mandiri"
        case .bsi: return "bsi"
        case .btn: return "btn"
        case .regionalBank: return "regional_bank"
        case .other: return "other"
        }
    }
    var label: String { L10n.string("bank_" + code) }
}

extension KurScheme {
    static let choices: [KurScheme] = [.superMikro, .mikro, .kecil]
    var code: String {
        switch self {
        case .superMikro: return "super_mikro"
        case .mikro: return "mikro"
        case .kecil: return "kecil"
        }
    }
    var label: String { L10n.string("kur_" + code) }
}

extension BusinessStatus {
    static let all: [BusinessStatus] = [.idea, .planning, .running, .paused, .closed]
    var code: String {
        switch self {
        case .idea: return "idea"
        case .planning: return "planning"
        case .running: return "running"
        case .paused: return "paused"
        case .closed: return "closed"
        }
    }
    var label: String { L10n.string("business_" + code) }
}

extension TrainingKind {
    static let choices: [TrainingKind] = [.vocational, .entrepreneurship, .financialLiteracy, .digitalMarketing, .language, .other]
    var code: String {
        switch self {
        case .vocational: return "vocational"
        case .entrepreneurship: return "entrepreneurship"
        case .financialLiteracy: return "financial_literacy"
        case .digitalMarketing: return "digital_marketing"
        case .language: return "language"
        case .other: return "other"
        }
    }
    var label: String { L10n.string("training_kind_" + code) }
}

extension BusinessSector {
    static let choices: [BusinessSector] = [
        .foodBeverage, .agriculture, .livestock, .fisheries, .handicraft, .fashion, .retail, .services, .transport, .tourism, .other,
    ]
    var code: String {
        switch self {
        case .foodBeverage: return "food_beverage"
        case .agriculture: return "agriculture"
        case .livestock: return "livestock"
        case .fisheries: return "fisheries"
        case .handicraft: return "handicraft"
        case .fashion: return "fashion"
        case .retail: return "retail"
        case .services: return "services"
        case .transport: return "transport"
        case .tourism: return "tourism"
        case .other: return "other"
        }
    }
    var label: String { L10n.string("business_sector_" + code) }
}

extension SalesChannel {
    static let choices: [SalesChannel] = [.shop, .market, .reseller, .marketplace, .socialMedia, .cooperative, .export, .other]
    var code: String {
        switch self {
        case .shop: return "shop"
        case .market: return "market"
        case .reseller: return "reseller"
        case .marketplace: return "marketplace"
        case .socialMedia: return "social_media"
        case .cooperative: return "cooperative"
        case .export: return "export"
        case .other: return "other"
        }
    }
    var label: String { L10n.string("sales_channel_" + code) }
}

extension SaleMarket {
    static let choices: [SaleMarket] = [.ownVillage, .otherVillages, .districtCity, .onlineMarketplace, .export]
    var code: String {
        switch self {
        case .ownVillage: return "own_village"
        case .otherVillages: return "other_villages"
        case .districtCity: return "district_city"
        case .onlineMarketplace: return "online_marketplace"
        case .export: return "export"
        }
    }
    var label: String { L10n.string("market_" + code) }
}

extension StageSubject {
    var code: String {
        switch self {
        case .prakerja: return "prakerja"
        case .training: return "training"
        case .capitalApplication: return "capital_application"
        case .business: return "business"
        }
    }
    var label: String { L10n.string("subject_" + code) }

    /// The key prefix of this subject's stage labels (`capital_` + `approved`, …).
    var stagePrefix: String {
        switch self {
        case .prakerja: return "prakerja_"
        case .training: return "training_"
        case .capitalApplication: return "capital_"
        case .business: return "business_"
        }
    }
}

extension StageChange {
    /// "from → to" in words, for a status history.
    var summary: String {
        let to = L10n.label(subject.stagePrefix, self.to)
        guard let from = self.from else { return to }
        return L10n.label(subject.stagePrefix, from) + " → " + to
    }
}

extension Role {
    var code: String {
        switch self {
        case .facilitator: return "facilitator"
        case .supervisor: return "supervisor"
        case .worker: return "worker"
        case .admin: return "admin"
        }
    }
    var label: String { L10n.string("role_" + code) }
}

extension VisitStatus {
    var code: String {
        switch self {
        case .draft: return "draft"
        case .completed: return "completed"
        }
    }
    var label: String { L10n.string("visit_" + code) }
}

extension BundleKind {
    var code: String {
        switch self {
        case .outbound: return "outbound"
        case .receipt: return "receipt"
        case .inbound: return "inbound"
        }
    }

    /// What a bundle of this kind holds, counted: changes, a receipt for changes, the server's
    /// news (the Android app's `bundles_kind_*`).
    func countText(_ count: UInt64) -> String { L10n.format("bundles_kind_" + code, [String(count)]) }
}

extension ImportOutcome {
    var code: String {
        switch self {
        case .toDeliver: return "to_deliver"
        case .toHandOn: return "to_hand_on"
        case .acknowledged: return "acknowledged"
        case .applied: return "applied"
        case .alreadyHad: return "already_had"
        }
    }
}
