import SwiftUI
import DesmigCore

/// Registers (or edits) a beneficiary. The form only collects: the core checks every field and
/// its problems are shown under the field they concern.
struct RegistrationView: View {
    @Environment(\.dismiss) private var dismiss
    @StateObject private var model: RegistrationViewModel
    @State private var workerQuery = ""
    private let village: Region?

    /// The fields this form shows; problems with any other field are listed at the bottom.
    private static let shownFields: Set<String> = [
        "kind", "family_of", "nik", "full_name", "sex", "birth_date", "phone", "village_code", "address",
        "last_country", "job_sector_abroad", "years_abroad", "return_month", "savings_band", "skills",
        "networks", "dependants", "consent_method",
    ]

    init(store: FieldStore, village: Region) {
        self.village = village
        _model = StateObject(wrappedValue: RegistrationViewModel(store: store, villageCode: village.code))
    }

    init(store: FieldStore, editing beneficiary: Beneficiary) {
        self.village = nil
        _model = StateObject(wrappedValue: RegistrationViewModel(store: store, villageCode: beneficiary.villageCode, editing: beneficiary))
    }

    var body: some View {
        Form {
            if model.state.error != nil {
                Section { ErrorBanner(message: model.state.error) }
            }

            Section("registration_section_person") {
                Group {
                    Picker("field_kind", selection: field(\.kind)) {
                        ForEach(BeneficiaryKind.choices, id: \.self) { Text($0.label).tag($0) }
                    }
                    problems("kind")
                    if model.state.input.kind == .familyMember {
                        familyOfPicker
                    }
                }
                Group {
                    TextField("field_full_name", text: field(\.fullName))
                        .textContentType(.name)
                        .textInputAutocapitalization(.words)
                    problems("full_name")
                    TextField("field_nik", text: optionalText(\.nik))
                        .keyboardType(.numberPad)
                        .monospacedDigit()
                    problems("nik")
                }
                Group {
                    Picker("field_sex", selection: field(\.sex)) {
                        ForEach(Sex.choices, id: \.self) { Text($0.label).tag($0) }
                    }
                    .pickerStyle(.segmented)
                    problems("sex")
                    OptionalDateField(title: "field_birth_date", value: field(\.birthDate))
                    problems("birth_date")
                    TextField("field_phone", text: optionalText(\.phone))
                        .keyboardType(.phonePad)
                        .textContentType(.telephoneNumber)
                    problems("phone")
                }
            }

            Section("registration_section_address") {
                if let village {
                    ValueRow("field_village", village.name)
                }
                problems("village_code")
                TextField("field_address", text: optionalText(\.address), axis: .vertical)
                problems("address")
                Stepper(value: field(\.dependants), in: 0...UInt8.max) {
                    ValueRow("field_dependants", String(model.state.input.dependants))
                }
                problems("dependants")
            }

            Section("registration_section_abroad") {
                CountryPicker(title: "field_last_country", code: field(\.lastCountry))
                problems("last_country")
                Picker("field_job_sector_abroad", selection: field(\.jobSectorAbroad)) {
                    Text("choice_none").tag(nil as JobSector?)
                    ForEach(JobSector.choices, id: \.self) { Text($0.label).tag(Optional($0)) }
                }
                problems("job_sector_abroad")
                yearsAbroadStepper
                problems("years_abroad")
                OptionalDateField(title: "field_return_month", value: field(\.returnMonth), monthOnly: true)
                problems("return_month")
            }

            Section {
                Picker("field_savings_band", selection: field(\.savingsBand)) {
                    Text("choice_none").tag(nil as SavingsBand?)
                    ForEach(SavingsBand.choices, id: \.self) { Text($0.label).tag(Optional($0)) }
                }
                problems("savings_band")
                TextField("field_skills", text: Binding(get: { model.state.skillsText }, set: { model.editSkills($0) }), axis: .vertical)
                problems("skills")
                TextField("field_networks", text: optionalText(\.networks), axis: .vertical)
                problems("networks")
            } header: {
                Text("registration_section_capital")
            } footer: {
                Text("field_skills_hint")
            }

            Section {
                Picker("field_consent_method", selection: field(\.consentMethod)) {
                    ForEach(ConsentMethod.choices, id: \.self) { Text($0.label).tag($0) }
                }
                problems("consent_method")
            } header: {
                Text("registration_section_consent")
            } footer: {
                Text("consent_hint")
            }

            let other = model.state.problems.filter { !Self.shownFields.contains($0.key) }
            if !other.isEmpty {
                Section("problems_other") {
                    ForEach(other.keys.sorted(), id: \.self) { key in
                        VStack(alignment: .leading) {
                            Text(key).font(.caption.monospaced())
                            ProblemsText(problems: other[key])
                        }
                    }
                }
            }
        }
        .scrollDismissesKeyboard(.interactively)
        .navigationTitle(model.editing == nil ? Text("registration_title_new") : Text("registration_title_edit"))
        .navigationBarTitleDisplayMode(.inline)
        .toolbar {
            ToolbarItem(placement: .cancellationAction) {
                Button("action_cancel") { dismiss() }
            }
            ToolbarItem(placement: .confirmationAction) {
                Button("action_save") {
                    Task { if await model.save() { dismiss() } }
                }
                .disabled(model.state.busy)
            }
        }
        .task { await model.load() }
        .onChange(of: workerQuery) { text in Task { await model.searchWorkers(text) } }
    }

    // MARK: - Parts

    @ViewBuilder
    private var familyOfPicker: some View {
        if let name = model.state.familyOfName {
            HStack {
                ValueRow("field_family_of", name)
                Button {
                    model.pickWorker(nil)
                } label: {
                    Image(systemName: "xmark.circle.fill").foregroundStyle(.secondary)
                }
                .buttonStyle(.borderless)
                .accessibilityLabel(Text("action_clear"))
            }
        } else {
            TextField("field_family_of_search", text: $workerQuery)
            ForEach(model.state.workerMatches, id: \.id) { worker in
                Button {
                    workerQuery = ""
                    model.pickWorker(worker)
                } label: {
                    BeneficiaryRow(person: worker)
                }
            }
        }
        problems("family_of")
    }

    /// Years abroad: empty until set, then a number the core checks.
    private var yearsAbroadStepper: some View {
        Stepper {
            ValueRow("field_years_abroad", model.state.input.yearsAbroad.map { String($0) } ?? "—")
        } onIncrement: {
            model.edit { input in
                let years = input.yearsAbroad ?? 0
                input.yearsAbroad = years == UInt8.max ? years : years + 1
            }
        } onDecrement: {
            model.edit { input in
                guard let years = input.yearsAbroad else { return }
                input.yearsAbroad = years == 0 ? nil : years - 1
            }
        }
    }

    private func problems(_ field: String) -> ProblemsText {
        ProblemsText(problems: model.state.problems[field])
    }

    private func field<T>(_ path: WritableKeyPath<BeneficiaryInput, T>) -> Binding<T> {
        Binding(
            get: { model.state.input[keyPath: path] },
            set: { value in model.edit { $0[keyPath: path] = value } }
        )
    }

    /// An optional text field: empty means not given.
    private func optionalText(_ path: WritableKeyPath<BeneficiaryInput, String?>) -> Binding<String> {
        Binding(
            get: { model.state.input[keyPath: path] ?? "" },
            set: { value in model.edit { $0[keyPath: path] = value.isEmpty ? nil : value } }
        )
    }
}
