import SwiftUI
import DesmigCore

/// A message from a view model, shown above a screen's content.
struct ErrorBanner: View {
    let message: UiMessage?

    var body: some View {
        if let message {
            Label {
                Text(message.text)
            } icon: {
                Image(systemName: "exclamationmark.triangle.fill")
            }
            .font(.callout)
            .foregroundStyle(.red)
            .accessibilityElement(children: .combine)
        }
    }
}

/// The core's problems with one field or checklist item, each in words.
struct ProblemsText: View {
    let problems: [FieldError]?

    var body: some View {
        if let problems, !problems.isEmpty {
            VStack(alignment: .leading, spacing: 2) {
                ForEach(Array(problems.enumerated()), id: \.offset) { _, problem in
                    Text(problem.localized)
                }
            }
            .font(.footnote)
            .foregroundStyle(.red)
        }
    }
}

/// A label and a value on one row.
struct ValueRow: View {
    let title: LocalizedStringKey
    let value: String

    init(_ title: LocalizedStringKey, _ value: String) {
        self.title = title
        self.value = value
    }

    var body: some View {
        LabeledContent {
            Text(value)
        } label: {
            Text(title)
        }
    }
}

/// A `YYYY-MM-DD` (or, with `monthOnly`, `YYYY-MM`) value that may be empty: a button to set it,
/// a date picker while it is set, and a way to clear it.
struct OptionalDateField: View {
    let title: LocalizedStringKey
    @Binding var value: String?
    var monthOnly = false

    var body: some View {
        if let current = value, let date = parse(current) {
            HStack {
                DatePicker(title, selection: Binding(get: { date }, set: { value = format($0) }), displayedComponents: .date)
                Button {
                    value = nil
                } label: {
                    Image(systemName: "xmark.circle.fill").foregroundStyle(.secondary)
                }
                .buttonStyle(.borderless)
                .accessibilityLabel(Text("action_clear"))
            }
        } else {
            HStack {
                Text(title)
                Spacer()
                if let current = value {
                    Text(current).foregroundStyle(.secondary)
                }
                Button("action_set_date") { value = format(Date()) }
                    .buttonStyle(.borderless)
            }
        }
    }

    private func parse(_ text: String) -> Date? {
        monthOnly ? Format.parseIsoMonth(text) : Format.parseIsoDate(text)
    }

    private func format(_ date: Date) -> String {
        monthOnly ? Format.isoMonthString(date) : Format.isoDate(date)
    }
}

/// Shown when the store cannot be opened (a full or broken disk): nothing else can work.
struct StartupFailureView: View {
    let reason: UiMessage

    var body: some View {
        VStack(spacing: 16) {
            Image(systemName: "externaldrive.badge.exclamationmark")
                .font(.largeTitle)
            Text("startup_failed_title").font(.headline)
            Text(reason.text)
                .multilineTextAlignment(.center)
                .foregroundStyle(.secondary)
        }
        .padding()
    }
}

/// Shown when the store's key is lost or does not open it: the store stays as it is (its
/// changes not yet sent are in it), and the app offers nothing that could delete it.
struct StoreLockedView: View {
    let reason: UiMessage

    var body: some View {
        ScrollView {
            VStack(spacing: 16) {
                Image(systemName: "lock.fill")
                    .font(.largeTitle)
                    .foregroundStyle(.red)
                Text("store_locked_title").font(.headline)
                Text(reason.text)
                    .multilineTextAlignment(.center)
                Text("store_locked_keep")
                    .multilineTextAlignment(.center)
                    .foregroundStyle(.red)
            }
            .padding()
            .frame(maxWidth: .infinity)
        }
    }
}

/// A work phone number: tapping it calls (a `tel:` link, the phone's own dialer).
struct PhoneLink: View {
    let phone: String

    var body: some View {
        if let url = URL(string: "tel:" + phone.filter { $0.isNumber || $0 == "+" }) {
            Link(destination: url) {
                Label(phone, systemImage: "phone.fill")
            }
            .accessibilityLabel(Text(L10n.format("facilitator_call", [phone])))
        } else {
            Label(phone, systemImage: "phone")
        }
    }
}

/// A country picked from the core's list (the common destinations first) by its name in the
/// app's language; the core gets its ISO code. With `allowsNone`, "none" (nil) is a choice too.
struct CountryPicker: View {
    let title: LocalizedStringKey
    @Binding var code: String?
    var allowsNone = true

    /// The core's list, read once.
    private static let all: [Country] = countries()

    var body: some View {
        Picker(title, selection: Binding(get: { code?.uppercased() }, set: { code = $0 })) {
            if allowsNone || code == nil {
                Text("choice_none").tag(nil as String?)
            }
            ForEach(Self.all, id: \.code) { country in
                Text(country.name.localized).tag(Optional(country.code))
            }
        }
        .pickerStyle(.navigationLink)
    }
}

/// A placeholder row for an empty list.
struct EmptyRow: View {
    let text: LocalizedStringKey

    init(_ text: LocalizedStringKey) {
        self.text = text
    }

    var body: some View {
        Text(text).foregroundStyle(.secondary)
    }
}
