//! `uniffi-bindgen`: generates the Kotlin and Swift bindings from the built library
//! (`scripts/bindings.sh` calls it).
fn main() {
    uniffi::uniffi_bindgen_main()
}
