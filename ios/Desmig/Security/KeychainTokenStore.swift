import Foundation
import Security

/// Where the device's sync token lives (the Android app keeps it in the Keystore). The core only
/// keeps who is signed in; the token that proves it stays in the platform's secure storage.
protocol TokenStore: AnyObject, Sendable {
    func load() -> String?
    func save(_ token: String) throws
    func clear()
}

struct KeychainError: Error, CustomStringConvertible {
    let status: OSStatus
    var description: String {
        let text = SecCopyErrorMessageString(status, nil) as String? ?? "unknown"
        return "Keychain error \(status): \(text)"
    }
}

/// The token as a generic password in the Keychain, readable after the first unlock (so that a
/// background sync can use it while the phone is locked) and never copied to another device or
/// into a backup.
final class KeychainTokenStore: TokenStore {
    private let service: String
    private let account: String

    init(service: String = "id.go.kemnaker.desmig", account: String = "sync-token") {
        self.service = service
        self.account = account
    }

    private var query: [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
        ]
    }

    func load() -> String? {
        var request = query
        request[kSecReturnData as String] = true
        request[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(request as CFDictionary, &item)
        guard status == errSecSuccess, let data = item as? Data else { return nil }
        return String(data: data, encoding: .utf8)
    }

    func save(_ token: String) throws {
        let attributes: [String: Any] = [
            kSecValueData as String: Data(token.utf8),
            kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
        ]
        var status = SecItemUpdate(query as CFDictionary, attributes as CFDictionary)
        if status == errSecItemNotFound {
            let item = query.merging(attributes) { _, new in new }
            status = SecItemAdd(item as CFDictionary, nil)
        }
        guard status == errSecSuccess else { throw KeychainError(status: status) }
    }

    func clear() {
        SecItemDelete(query as CFDictionary)
    }
}
