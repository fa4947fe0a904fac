import java.util.Properties

plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

// The sync server of each build type, from gradle.properties or -P (see the comments there).
val debugServerUrl: String = providers.gradleProperty("desmig.debugServerUrl").getOrElse("http://10.0.2.2:8080")
val releaseServerUrl: String = providers.gradleProperty("desmig.serverUrl").getOrElse("https://desmig.invalid")

android {
    namespace = "id.go.kemnaker.desmig"
    compileSdk = libs.versions.compileSdk.get().toInt()
    ndkVersion = libs.versions.ndk.get()

    defaultConfig {
        applicationId = "id.go.kemnaker.desmig"
        minSdk = libs.versions.minSdk.get().toInt()
        targetSdk = libs.versions.targetSdk.get().toInt()
        versionCode = 1
        versionName = "0.1.0"

        // The ABIs that buildRustLibrary builds libdesmig.so for (JNA's aar has more; drop them).
        ndk {
            abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64")
        }
    }

    buildTypes {
        debug {
            buildConfigField("String", "SERVER_URL", "\"$debugServerUrl\"")
        }
        release {
            isMinifyEnabled = true
            isShrinkResources = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
            buildConfigField("String", "SERVER_URL", "\"$releaseServerUrl\"")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    buildFeatures {
        compose = true
        buildConfig = true
    }

    packaging {
        resources {
            excludes += "/META-INF/{AL2.0,LGPL2.1}"
        }
    }
}

kotlin {
    jvmToolchain(17)
    compilerOptions {
        optIn.addAll(
            "androidx.compose.material3.ExperimentalMaterial3Api",
            "androidx.compose.foundation.layout.ExperimentalLayoutApi",
        )
    }
}

dependencies {
    implementation(project(":shared"))
    // The Android build of JNA (classes + libjnidispatch.so per ABI) for the UniFFI bindings; the
    // shared module only compiles against the jar.
    implementation(libs.jna) {
        artifact {
            type = "aar"
            extension = "aar"
        }
    }

    implementation(libs.androidx.core.ktx)
    implementation(libs.androidx.activity.compose)
    implementation(libs.androidx.lifecycle.runtime.compose)
    implementation(libs.androidx.lifecycle.viewmodel.compose)
    implementation(libs.androidx.navigation.compose)
    implementation(libs.androidx.work.runtime.ktx)
    implementation(libs.kotlinx.coroutines.android)

    implementation(platform(libs.androidx.compose.bom))
    implementation(libs.androidx.compose.ui)
    implementation(libs.androidx.compose.ui.tooling.preview)
    implementation(libs.androidx.compose.material3)
    implementation(libs.androidx.compose.material.icons.core)
    debugImplementation(libs.androidx.compose.ui.tooling)
}

// ---------------------------------------------------------------------------------------------
// The Rust core for Android: `cargo ndk` cross-compiles the desmig-bindings crate (library name
// `desmig`, so libdesmig.so, the name the generated bindings ask JNA for) for each ABI into
// src/main/jniLibs/<abi>/, where the build packages it from. Runs before every build; cargo is
// incremental, so a build with no Rust change costs a few seconds. Needs rustup's Android targets,
// cargo-ndk and the NDK (see ../README.md). `-PskipRust` skips it (e.g. to iterate on the UI with
// libraries built earlier).

val repoRoot: File = rootDir.parentFile
val jniLibsDir: File = layout.projectDirectory.dir("src/main/jniLibs").asFile

// Android Studio does not always start Gradle with rustup's bin folder on PATH: look there first.
val cargo: String = listOfNotNull(
    providers.environmentVariable("CARGO_HOME").orNull?.let { "$it/bin/cargo" },
    providers.systemProperty("user.home").orNull?.let { "$it/.cargo/bin/cargo" },
).firstOrNull { File(it).canExecute() } ?: "cargo"

// cargo-ndk finds the NDK through ANDROID_NDK_HOME or the SDK folder: pass the SDK of
// local.properties (written by Android Studio) when the environment names none.
val sdkDir: String? = providers.environmentVariable("ANDROID_HOME").orNull
    ?: rootProject.file("local.properties").takeIf { it.isFile }?.let { file ->
        Properties().apply { file.inputStream().use { load(it) } }.getProperty("sdk.dir")
    }
val ndkHome: String? = providers.environmentVariable("ANDROID_NDK_HOME").orNull
    ?: sdkDir?.let { "$it/ndk/${libs.versions.ndk.get()}" }?.takeIf { File(it).isDirectory }

val buildRustLibrary = tasks.register<Exec>("buildRustLibrary") {
    group = "build"
    description = "Builds libdesmig.so (the Rust core) with cargo-ndk for arm64-v8a, armeabi-v7a and x86_64."
    workingDir = repoRoot
    commandLine(
        cargo, "ndk",
        "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
        "-o", jniLibsDir.absolutePath,
        // The `phone` profile of the workspace's Cargo.toml: LTO, optimised for size, stripped.
        "build", "--profile", "phone", "-p", "desmig-bindings",
    )
    sdkDir?.let { environment("ANDROID_HOME", it) }
    ndkHome?.let { environment("ANDROID_NDK_HOME", it) }
}

if (!providers.gradleProperty("skipRust").isPresent) {
    tasks.named("preBuild") { dependsOn(buildRustLibrary) }
}
