import CoreLocation
import DesmigCore

/// One position for a visit being started, if the facilitator allows it and it comes quickly.
/// A visit never waits for GPS: no permission, no fix within the timeout, and it starts without.
@MainActor
final class LocationProvider: NSObject, ObservableObject, CLLocationManagerDelegate {
    private let manager = CLLocationManager()
    private var waiting: [CheckedContinuation<GeoPoint?, Never>] = []

    override init() {
        super.init()
        manager.delegate = self
        manager.desiredAccuracy = kCLLocationAccuracyHundredMeters
    }

    /// Asks for permission the first time; returns nil when it is refused or no fix arrives.
    func currentLocation(timeout seconds: Double = 5) async -> GeoPoint? {
        switch manager.authorizationStatus {
        case .denied, .restricted:
            return nil
        case .notDetermined:
            manager.requestWhenInUseAuthorization()
        default:
            break
        }
        let timeout = Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            self?.finish(with: nil)
        }
        defer { timeout.cancel() }
        return await withCheckedContinuation { continuation in
            waiting.append(continuation)
            if manager.authorizationStatus == .authorizedWhenInUse || manager.authorizationStatus == .authorizedAlways {
                manager.requestLocation()
            }
        }
    }

    private func finish(with point: GeoPoint?) {
        let continuations = waiting
        waiting.removeAll()
        continuations.forEach { $0.resume(returning: point) }
    }

    nonisolated func locationManager(_ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        guard let last = locations.last else { return }
        let point = GeoPoint(lat: last.coordinate.latitude, lon: last.coordinate.longitude, accuracyM: last.horizontalAccuracy)
        Task { @MainActor in self.finish(with: point) }
    }

    nonisolated func locationManager(_ manager: CLLocationManager, didFailWithError error: Error) {
        Task { @MainActor in self.finish(with: nil) }
    }

    nonisolated func locationManagerDidChangeAuthorization(_ manager: CLLocationManager) {
        let status = manager.authorizationStatus
        Task { @MainActor in
            switch status {
            case .authorizedWhenInUse, .authorizedAlways:
                if !self.waiting.isEmpty { self.manager.requestLocation() }
            case .denied, .restricted:
                self.finish(with: nil)
            default:
                break
            }
        }
    }
}
