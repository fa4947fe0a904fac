// swift-tools-version:5.9
// The desmig core for iOS: the UniFFI-generated Swift (target DesmigCore, never edited by hand)
// over the Rust static library and its C header (binary target DesmigFFI, an XCFramework built by
// scripts/build-xcframework.sh on a Mac and not committed).
import PackageDescription

let package = Package(
    name: "DesmigCore",
    platforms: [.iOS(.v16)],
    products: [
        .library(name: "DesmigCore", targets: ["DesmigCore"]),
    ],
    targets: [
        // libdesmig.a for the device and the simulator, with DesmigFFI.h and module.modulemap
        // (module DesmigFFI) as the headers of each slice.
        .binaryTarget(name: "DesmigFFI", path: "DesmigFFI.xcframework"),
        .target(
            name: "DesmigCore",
            dependencies: ["DesmigFFI"],
            path: "Sources/DesmigCore"
        ),
    ]
)
