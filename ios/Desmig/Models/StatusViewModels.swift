import Foundation
import DesmigCore

// Moving a programme status from a card of the beneficiary's file, and adding trainings, capital
// applications, businesses and sales: the Android `StatusMoveModel`, `RecordFormModel` and its
// forms (android/shared/.../state/StatusModels.kt). The core decides which moves a card offers
// (its `actions`) and whether a move is right; these only gather what the user enters.

/// The record a move changes, as the file holds it (nil: a Prakerja card not started yet).
enum MoveSubject: Equatable {
    case prakerja(Prakerja?)
    case training(Training)
    case capital(CapitalApplication)
    case business(Business)
}

/// The core's field names a move may ask for (`CardAction.fields`); problems come back under the
/// same names. Which control a field takes and whether it is required is the core's too
/// (`MoveField.kind`, `MoveField.required`), never decided here from the name.
enum MoveFieldName {
    static let wave = "wave"
    static let selectedOn = "selected_on"
    /// The training bought with the Kartu Prakerja: one of the file's own trainings (a choice).
    static let trainingId = "training_id"
    static let certificateNo = "certificate_no"
    /// The amount of this incentive instalment (the core counts it and adds it to what was received before).
    static let incentiveReceived = "incentive_received"
    static let startDate = "start_date"
    static let endDate = "end_date"
    static let submittedOn = "submitted_on"
    static let amountApproved = "amount_approved"
    static let amountDisbursed = "amount_disbursed"
    static let disbursedOn = "disbursed_on"
    static let rejectionReason = "rejection_reason"
    static let startedOn = "started_on"
    static let monthlyRevenue = "monthly_revenue"
    static let workers = "workers"

    /// The stage key of an incentive instalment: recorded by the core's own call, which counts it.
    static let incentivePaidKey = "prakerja_incentive_paid"
}

/// One move in progress: from the card's stage to the action's, with its inputs and a note.
struct StatusMove: Equatable, Identifiable {
    let kind: CardKind
    let subjectId: String
    let fromKey: String
    let toKey: String
    /// What the user enters for this stage, in order, as the core asks for it: each field's name,
    /// control (`kind`), whether it is required, and a choice's options (may be empty).
    let fields: [MoveField]
    /// What the user entered, by field name (a choice: the option's value).
    var values: [String: String]
    var note = ""
    let subject: MoveSubject

    var id: String { "\(subjectId):\(toKey)" }

    /// The names of the fields asked for, in order.
    var fieldNames: [String] { fields.map(\.name) }

    /// Whether the move asks for the field `name`.
    func asks(_ name: String) -> Bool { fields.contains { $0.name == name } }
}

/// A whole number typed by the user (dots and spaces of `10.000.000` ignored); nil when empty.
func parseWholeNumber(_ text: String) -> Int64? {
    let digits = text.filter(\.isNumber)
    return digits.isEmpty ? nil : Int64(digits) ?? Int64.max
}

/// A quantity typed with a decimal comma or point (`1,5`); nil when it is not a number.
func parseQuantity(_ text: String) -> Double? {
    Double(text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "."))
}

/// Moves a card's record to one of the card's actions: `start`, edit `move`, `save` through the
/// core; afterwards `onSaved` runs (the file reloads). A refused transition is `conflict`, typed.
@MainActor
final class StatusMoveViewModel: ObservableObject {
    @Published var move: StatusMove?
    @Published private(set) var problems: FieldProblems = [:]
    /// The core refused the move itself (`DesmigError.Conflict`): its reason.
    @Published private(set) var conflict: String?
    @Published private(set) var error: UiMessage?
    var onSaved: () async -> Void = {}

    private let store: FieldStore
    private let beneficiaryId: String

    init(store: FieldStore, beneficiaryId: String) {
        self.store = store
        self.beneficiaryId = beneficiaryId
    }

    /// Opens the move of `card` to `action` (one of `card.actions`), reading the record from the core.
    func start(_ card: StatusCard, _ action: CardAction) async {
        let store = self.store
        let id = beneficiaryId
        problems = [:]
        conflict = nil
        error = nil
        do {
            let file = try await Core.run { try store.beneficiaryFile(id: id) }
            let subject: MoveSubject
            switch card.kind {
            case .prakerja:
                subject = .prakerja(file.prakerja)
            case .training:
                guard let t = file.trainings.first(where: { $0.id == card.subjectId }) else { throw DesmigError.NotFound(entity: "training", id: card.subjectId) }
                subject = .training(t)
            case .capital:
                guard let c = file.capitalApplications.first(where: { $0.id == card.subjectId }) else { throw DesmigError.NotFound(entity: "capital", id: card.subjectId) }
                subject = .capital(c)
            case .business:
                guard let b = file.businesses.first(where: { $0.id == card.subjectId }) else { throw DesmigError.NotFound(entity: "business", id: card.subjectId) }
                subject = .business(b)
            }
            // What the move asks for is the core's (`CardAction.fields`), as are the moves offered.
            let fields = action.fields
            move = StatusMove(
                kind: card.kind, subjectId: card.subjectId, fromKey: card.stageKey, toKey: action.stageKey,
                fields: fields, values: Self.prefill(subject, fields), subject: subject
            )
        } catch {
            move = nil
            self.error = uiMessage(for: error)
        }
    }

    func cancel() {
        move = nil
        problems = [:]
        conflict = nil
        error = nil
    }

    /// Saves the move; false (with problems, a conflict or an error) when the core refuses it.
    @discardableResult
    func save() async -> Bool {
        guard let move else { return false }
        let store = self.store
        let note = move.note.trimmingCharacters(in: .whitespacesAndNewlines)
        let noteOrNil: String? = note.isEmpty ? nil : note
        let record = moved(move)
        let beneficiaryId = self.beneficiaryId
        // One more incentive instalment: the core counts it and adds its amount (an empty amount
        // is none, which the core refuses under the field).
        let instalment: Int64? = move.toKey == MoveFieldName.incentivePaidKey
            ? (move.values[MoveFieldName.incentiveReceived].flatMap(parseWholeNumber) ?? 0)
            : nil
        do {
            try await Core.run {
                if let instalment {
                    _ = try store.recordIncentiveInstalment(beneficiaryId: beneficiaryId, amount: instalment, note: noteOrNil)
                    return
                }
                switch record {
                case .prakerja(let p): _ = try store.savePrakerja(prakerja: p!, note: noteOrNil)
                case .training(let t): _ = try store.saveTraining(training: t, note: noteOrNil)
                case .capital(let c): _ = try store.saveCapitalApplication(application: c, note: noteOrNil)
                case .business(let b): _ = try store.saveBusiness(business: b, note: noteOrNil)
                }
            }
            cancel()
            await onSaved()
            return true
        } catch DesmigError.Validation(let errors) {
            problems = errors.byField()
            conflict = nil
            error = UiMessage("error_validation", [String(errors.count)])
        } catch DesmigError.Conflict(let reason) {
            problems = [:]
            conflict = reason
            error = UiMessage("error_conflict", [reason])
        } catch {
            self.error = uiMessage(for: error)
        }
        return false
    }

    private func moved(_ m: StatusMove) -> MoveSubject {
        func text(_ f: String) -> String? {
            let v = m.values[f]?.trimmingCharacters(in: .whitespaces) ?? ""
            return v.isEmpty ? nil : v
        }
        func number(_ f: String) -> Int64? { text(f).flatMap(parseWholeNumber) }
        switch m.subject {
        case .prakerja(let old):
            let stage = PrakerjaStage.all.first { "prakerja_" + $0.code == m.toKey } ?? old?.stage ?? .registered
            var p = old ?? Prakerja(
                beneficiaryId: beneficiaryId, stage: stage, wave: nil, selectedOn: nil, purchaseDeadline: nil,
                trainingId: nil, certificateNo: nil, incentiveInstalments: 0, incentiveReceived: 0
            )
            p.stage = stage
            if m.asks(MoveFieldName.wave) { p.wave = number(MoveFieldName.wave).map { UInt32(clamping: $0) } }
            if m.asks(MoveFieldName.selectedOn) { p.selectedOn = text(MoveFieldName.selectedOn) }
            // The training bought: the option's value is the training's id (the core refuses another person's).
            if m.asks(MoveFieldName.trainingId) { p.trainingId = text(MoveFieldName.trainingId) }
            if m.asks(MoveFieldName.certificateNo) { p.certificateNo = text(MoveFieldName.certificateNo) }
            // An incentive instalment is not made here: the core counts it (`save`).
            return .prakerja(p)
        case .training(var t):
            t.status = TrainingStatus.all.first { "training_" + $0.code == m.toKey } ?? t.status
            if m.asks(MoveFieldName.startDate) { t.startDate = text(MoveFieldName.startDate) }
            if m.asks(MoveFieldName.endDate) { t.endDate = text(MoveFieldName.endDate) }
            if m.asks(MoveFieldName.certificateNo) { t.certificateNo = text(MoveFieldName.certificateNo) }
            return .training(t)
        case .capital(var c):
            c.stage = CapitalStage.all.first { "capital_" + $0.code == m.toKey } ?? c.stage
            if m.asks(MoveFieldName.submittedOn) { c.submittedOn = text(MoveFieldName.submittedOn) }
            if m.asks(MoveFieldName.amountApproved) { c.amountApproved = number(MoveFieldName.amountApproved) }
            if m.asks(MoveFieldName.amountDisbursed) { c.amountDisbursed = number(MoveFieldName.amountDisbursed) }
            if m.asks(MoveFieldName.disbursedOn) { c.disbursedOn = text(MoveFieldName.disbursedOn) }
            if m.asks(MoveFieldName.rejectionReason) { c.rejectionReason = text(MoveFieldName.rejectionReason) }
            return .capital(c)
        case .business(var b):
            b.status = BusinessStatus.all.first { "business_" + $0.code == m.toKey } ?? b.status
            if m.asks(MoveFieldName.startedOn) { b.startedOn = text(MoveFieldName.startedOn) }
            if m.asks(MoveFieldName.monthlyRevenue) { b.monthlyRevenue = number(MoveFieldName.monthlyRevenue) }
            if m.asks(MoveFieldName.workers) { b.workers = UInt32(clamping: number(MoveFieldName.workers) ?? 0) }
            return .business(b)
        }
    }

    /// What the record already says for these fields (an approved amount starts as the one requested).
    private static func prefill(_ subject: MoveSubject, _ fields: [MoveField]) -> [String: String] {
        var known: [String: String?] = [:]
        switch subject {
        case .prakerja(let p):
            known = [
                MoveFieldName.wave: p?.wave.map { String($0) },
                MoveFieldName.selectedOn: p?.selectedOn,
                MoveFieldName.trainingId: p?.trainingId,
                MoveFieldName.certificateNo: p?.certificateNo,
            ]
        case .training(let t):
            known = [MoveFieldName.startDate: t.startDate, MoveFieldName.endDate: t.endDate, MoveFieldName.certificateNo: t.certificateNo]
        case .capital(let c):
            known = [
                MoveFieldName.submittedOn: c.submittedOn,
                MoveFieldName.amountApproved: String(c.amountApproved ?? c.amountRequested),
                MoveFieldName.amountDisbursed: (c.amountDisbursed ?? c.amountApproved).map { String($0) },
                MoveFieldName.disbursedOn: c.disbursedOn,
                MoveFieldName.rejectionReason: c.rejectionReason,
            ]
        case .business(let b):
            known = [
                MoveFieldName.startedOn: b.startedOn,
                MoveFieldName.monthlyRevenue: b.monthlyRevenue.map { String($0) },
                MoveFieldName.workers: b.workers > 0 ? String(b.workers) : nil,
            ]
        }
        var values: [String: String] = [:]
        for f in fields {
            guard let v = known[f.name] ?? nil else { continue }
            // A choice starts at what the record names only when the core still offers it.
            if f.kind == .choice && !f.options.contains(where: { $0.value == v }) { continue }
            values[f.name] = v
        }
        return values
    }
}

/// A form for one record of the file (a training, capital, a business, a sale), new or `editing`
/// a stored one: the core validates on `save` (a record with an id is updated, one without is
/// added); problems show by field.
@MainActor
final class RecordFormViewModel<Record>: ObservableObject {
    @Published var input: Record
    @Published private(set) var problems: FieldProblems = [:]
    @Published private(set) var error: UiMessage?
    @Published private(set) var saved: Record?
    /// The form edits a record the file already has (its status is left to the card's moves).
    let editing: Bool
    private let write: (Record) throws -> Record

    init(_ input: Record, editing: Bool = false, write: @escaping (Record) throws -> Record) {
        self.input = input
        self.editing = editing
        self.write = write
    }

    @discardableResult
    func save() async -> Bool {
        let write = self.write
        let input = self.input
        do {
            let record = try await Core.run { try write(input) }
            self.input = record
            saved = record
            problems = [:]
            error = nil
            return true
        } catch DesmigError.Validation(let errors) {
            problems = errors.byField()
            error = UiMessage("error_validation", [String(errors.count)])
        } catch {
            problems = [:]
            self.error = uiMessage(for: error)
        }
        return false
    }
}

extension RecordFormViewModel where Record == Training {
    /// A training to add (planned unless the user says it has already begun or ended).
    static func training(store: FieldStore, beneficiaryId: String) -> RecordFormViewModel<Training> {
        RecordFormViewModel(
            Training(
                id: "", beneficiaryId: beneficiaryId, title: "", provider: "", kind: .vocational, mode: .offline,
                viaPrakerja: false, startDate: nil, endDate: nil, status: .planned, certificateNo: nil
            ),
            write: { try store.saveTraining(training: $0, note: nil) }
        )
    }

    /// One of the file's trainings (found by its card's `subjectId`), prefilled as stored; saving
    /// updates it. Its status is written as the file holds it at save time: moves are the card's.
    static func training(store: FieldStore, editing training: Training) -> RecordFormViewModel<Training> {
        RecordFormViewModel(training, editing: true, write: { edited in
            let file = try store.beneficiaryFile(id: edited.beneficiaryId)
            guard let stored = file.trainings.first(where: { $0.id == edited.id }) else {
                throw DesmigError.NotFound(entity: "training", id: edited.id)
            }
            var record = edited
            record.status = stored.status
            return try store.saveTraining(training: record, note: nil)
        })
    }
}

extension RecordFormViewModel where Record == CapitalApplication {
    /// A capital application from one source, from first interest.
    static func capital(store: FieldStore, beneficiaryId: String, source: CapitalSource) -> RecordFormViewModel<CapitalApplication> {
        RecordFormViewModel(
            CapitalApplication(
                id: "", beneficiaryId: beneficiaryId, source: source, bank: nil, kurScheme: nil, businessId: nil, purpose: nil,
                amountRequested: 0, amountApproved: nil, amountDisbursed: nil, stage: .interest, submittedOn: nil,
                disbursedOn: nil, rejectionReason: nil
            ),
            write: { try store.saveCapitalApplication(application: $0, note: nil) }
        )
    }

    /// KUR is applied for at a bank under a scheme: the form asks for both.
    var asksBankAndScheme: Bool { input.source == .kur }

    /// Whether the capital is paid back (a loan) or a grant, as the core says.
    var isLoan: Bool { capitalIsLoan(source: input.source) }

    /// Another source: a bank and a KUR scheme go with KUR only, so they are cleared for others.
    func selectSource(_ source: CapitalSource) {
        input.source = source
        if source != .kur {
            input.bank = nil
            input.kurScheme = nil
        }
    }
}

extension RecordFormViewModel where Record == Business {
    /// A business to add (an idea unless the user says it is further along).
    static func business(store: FieldStore, beneficiaryId: String) -> RecordFormViewModel<Business> {
        RecordFormViewModel(
            Business(
                id: "", beneficiaryId: beneficiaryId, name: "", sector: .foodBeverage, status: .idea, startedOn: nil,
                monthlyRevenue: nil, workers: 0, products: [], salesChannels: [], exportReady: false
            ),
            write: { try store.saveBusiness(business: $0, note: nil) }
        )
    }

    /// One of the file's businesses (found by its card's `subjectId`), prefilled as stored: its
    /// name, sector, start date, workers, monthly revenue, products, sales channels and export
    /// readiness; saving updates it. Its status is written as the file holds it at save time.
    static func business(store: FieldStore, editing business: Business) -> RecordFormViewModel<Business> {
        RecordFormViewModel(business, editing: true, write: { edited in
            let file = try store.beneficiaryFile(id: edited.beneficiaryId)
            guard let stored = file.businesses.first(where: { $0.id == edited.id }) else {
                throw DesmigError.NotFound(entity: "business", id: edited.id)
            }
            var record = edited
            record.status = stored.status
            return try store.saveBusiness(business: record, note: nil)
        })
    }

    /// Sells through `channel` or not (the business's channels keep their order).
    func toggleChannel(_ channel: SalesChannel, _ on: Bool) {
        if on {
            if !input.salesChannels.contains(channel) { input.salesChannels.append(channel) }
        } else {
            input.salesChannels.removeAll { $0 == channel }
        }
    }
}

extension RecordFormViewModel where Record == ProductSale {
    /// A sale of one of the person's businesses, dated today until changed.
    static func sale(store: FieldStore, beneficiaryId: String, businessId: String, product: String) -> RecordFormViewModel<ProductSale> {
        RecordFormViewModel(
            ProductSale(
                id: "", beneficiaryId: beneficiaryId, businessId: businessId, soldOn: Format.today(), product: product,
                quantity: 0, unit: "", market: .ownVillage, exportCountry: nil, buyer: nil, revenue: 0, recordedBy: ""
            ),
            write: { try store.saveProductSale(sale: $0) }
        )
    }

    /// Only an export names the country it went to.
    var asksExportCountry: Bool { input.market == .export }

    /// Another market: only an export names a country, so it is cleared for the others.
    func selectMarket(_ market: SaleMarket) {
        input.market = market
        if market != .export { input.exportCountry = nil }
    }
}
