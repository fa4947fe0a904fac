// Renders the Android app's Compose screens headless to PNG, in Indonesian and English, with
// Compose Multiplatform for the desktop: the screens are the app's own composables (compiled
// unchanged), fed states built from the real core (checklists, checks) through JNA.
package id.go.kemnaker.desmig.screenshots

import androidx.compose.material3.SnackbarHostState
import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.unit.Density
import androidx.compose.runtime.Composable
import id.go.kemnaker.desmig.app.ui.screens.BeneficiaryFileScreen
import id.go.kemnaker.desmig.app.ui.screens.BeneficiaryListScreen
import id.go.kemnaker.desmig.app.ui.screens.BundlesScreen
import id.go.kemnaker.desmig.core.BundleEntry
import id.go.kemnaker.desmig.core.BundleGroup
import id.go.kemnaker.desmig.core.BundleKind
import id.go.kemnaker.desmig.state.BundlesState
import id.go.kemnaker.desmig.app.ui.screens.StoreUnavailableScreen
import id.go.kemnaker.desmig.core.BeneficiaryFile
import id.go.kemnaker.desmig.core.Business
import id.go.kemnaker.desmig.core.BusinessSector
import id.go.kemnaker.desmig.core.BusinessStatus
import id.go.kemnaker.desmig.core.SalesChannel
import id.go.kemnaker.desmig.state.BeneficiaryFileState
import id.go.kemnaker.desmig.app.ui.screens.BusinessFormScreen
import id.go.kemnaker.desmig.app.ui.screens.CapitalFormScreen
import id.go.kemnaker.desmig.app.ui.screens.SaleFormScreen
import id.go.kemnaker.desmig.app.ui.screens.TrainingFormScreen
import id.go.kemnaker.desmig.core.Bank
import id.go.kemnaker.desmig.core.CardAction
import id.go.kemnaker.desmig.core.CardKind
import id.go.kemnaker.desmig.core.CardLine
import id.go.kemnaker.desmig.core.InputKind
import id.go.kemnaker.desmig.core.MoveField
import id.go.kemnaker.desmig.core.MoveOption
import id.go.kemnaker.desmig.core.KurScheme
import id.go.kemnaker.desmig.core.ProductSale
import id.go.kemnaker.desmig.core.SaleMarket
import id.go.kemnaker.desmig.core.StatusCard
import id.go.kemnaker.desmig.state.MoveFields
import id.go.kemnaker.desmig.state.MoveSubject
import id.go.kemnaker.desmig.state.RecordFormState
import id.go.kemnaker.desmig.state.StatusMoveModel
import id.go.kemnaker.desmig.state.StatusMove
import id.go.kemnaker.desmig.state.StatusMoveState
import id.go.kemnaker.desmig.app.ui.screens.LoginScreen
import id.go.kemnaker.desmig.app.ui.screens.SupervisorScreen
import id.go.kemnaker.desmig.app.ui.screens.SyncScreen
import id.go.kemnaker.desmig.app.ui.screens.RegistrationScreen
import id.go.kemnaker.desmig.app.ui.screens.VillageScreen
import id.go.kemnaker.desmig.app.ui.screens.VisitFormScreen
import id.go.kemnaker.desmig.app.ui.screens.WorkerStatusScreen
import id.go.kemnaker.desmig.core.Beneficiary
import id.go.kemnaker.desmig.core.CapitalApplication
import id.go.kemnaker.desmig.core.CapitalProgress
import id.go.kemnaker.desmig.core.CapitalBySource
import id.go.kemnaker.desmig.core.CapitalSource
import id.go.kemnaker.desmig.core.CapitalStage
import id.go.kemnaker.desmig.core.ConsentMethod
import id.go.kemnaker.desmig.core.DueFollowUp
import id.go.kemnaker.desmig.core.FieldError
import id.go.kemnaker.desmig.core.FollowUp
import id.go.kemnaker.desmig.core.JobSector
import id.go.kemnaker.desmig.core.Prakerja
import id.go.kemnaker.desmig.core.PrakerjaStage
import id.go.kemnaker.desmig.core.StageChange
import id.go.kemnaker.desmig.core.StageSubject
import id.go.kemnaker.desmig.core.Training
import id.go.kemnaker.desmig.core.TrainingKind
import id.go.kemnaker.desmig.core.TrainingMode
import id.go.kemnaker.desmig.core.TrainingStatus
import id.go.kemnaker.desmig.core.WorkerStatus
import id.go.kemnaker.desmig.core.Code
import id.go.kemnaker.desmig.core.Conflict
import id.go.kemnaker.desmig.core.FacilitatorOverview
import id.go.kemnaker.desmig.core.Person
import id.go.kemnaker.desmig.core.RejectedChange
import id.go.kemnaker.desmig.core.Role
import id.go.kemnaker.desmig.core.Shown
import id.go.kemnaker.desmig.core.Text
import id.go.kemnaker.desmig.state.RegistrationState
import id.go.kemnaker.desmig.state.VillageState
import id.go.kemnaker.desmig.state.WorkerState
import id.go.kemnaker.desmig.state.emptyInput
import id.go.kemnaker.desmig.app.ui.theme.DesmigTheme
import id.go.kemnaker.desmig.core.AnswerValue
import id.go.kemnaker.desmig.core.BeneficiaryKind
import id.go.kemnaker.desmig.core.BeneficiarySummary
import id.go.kemnaker.desmig.core.FieldStore
import id.go.kemnaker.desmig.core.Region
import id.go.kemnaker.desmig.core.RegionLevel
import id.go.kemnaker.desmig.core.Sex
import id.go.kemnaker.desmig.core.SyncPhase
import id.go.kemnaker.desmig.core.SyncProgress
import id.go.kemnaker.desmig.core.SyncReport
import id.go.kemnaker.desmig.core.VillageIndicators
import id.go.kemnaker.desmig.core.VillageOverview
import id.go.kemnaker.desmig.state.BeneficiaryListState
import id.go.kemnaker.desmig.state.Home
import id.go.kemnaker.desmig.state.LoginState
import id.go.kemnaker.desmig.state.SupervisorState
import id.go.kemnaker.desmig.state.SyncState
import id.go.kemnaker.desmig.state.UiMessage
import id.go.kemnaker.desmig.state.VisitFormState
import id.go.kemnaker.desmig.state.byField
import java.io.File
import java.nio.file.Files
import java.security.SecureRandom
import org.jetbrains.skia.EncodedImageFormat

fun main(args: Array<String>) {
    val resDir = File(args.getOrElse(0) { "../app/src/main/res" })
    val outDir = File(args.getOrElse(1) { "target/screens" })
    // A throwaway store with a throwaway key (the app's key comes from StoreKeyVault).
    val key = ByteArray(32).also(SecureRandom()::nextBytes)
    val store = FieldStore.open(File(Files.createTempDirectory("desmig-render").toFile(), "field.db").absolutePath, key)
    val screens = screens(store)
    var written = 0
    for (language in listOf("id", "en")) {
        Strings.load(resDir, language)
        for ((name, content) in screens) {
            val scene = ImageComposeScene(width = 412 * 2, height = 915 * 2, density = Density(2f)) { DesmigTheme(dynamicColor = false) { content() } }
            scene.render(0)
            val png = scene.render(500_000_000).encodeToData(EncodedImageFormat.PNG) ?: error("$name: no image")
            scene.close()
            File(outDir, "$language/$name.png").apply { parentFile.mkdirs() }.writeBytes(png.bytes)
            written++
        }
    }
    println("rendered $written screens (${screens.size} in id and en) into $outDir")
}

private fun screens(store: FieldStore): List<Pair<String, @Composable () -> Unit>> {
    val villages = listOf(Region("32.12.01.2007", "Haurkolot", RegionLevel.VILLAGE), Region("32.12.01.2008", "Haurgeulis", RegionLevel.VILLAGE))
    val people = listOf("Siti Aminah" to "321201**********", "Warsini" to null, "Kartini Rahayu" to null, "Agus Saputra" to "321201**********")
        .mapIndexed { i, (name, nik) -> BeneficiarySummary("b$i", name, nik, if (i == 3) Sex.MALE else Sex.FEMALE, BeneficiaryKind.RETURNING_WORKER, villages[0].code, "+62812345678$i") }
    // A KUR-readiness visit half answered: core says which items show and what is missing.
    val template = store.template("kur_readiness", null)
    val answers = mapOf("punya_ektp" to AnswerValue.YesNo(false), "punya_kk" to AnswerValue.YesNo(true))
    val check = store.checkAnswers(template.id, template.version, answers, true)
    val visible = check.visibleItems.toSet()
    val visit = VisitFormState(
        template = template,
        items = template.items.filter { it.id in visible },
        answers = answers,
        problems = check.problems.byField(),
        completeness = check.completeness.toInt(),
        error = UiMessage("error_validation", listOf(check.problems.size.toString())),
    )
    val sync = SyncState(
        pending = 12,
        rejected = 1,
        running = true,
        progress = SyncProgress(SyncPhase.PUSHING, 5uL, 12uL, 18_400uL, 2_100uL),
        last = SyncReport(1_795_900_000_000, 1_795_900_004_000, 30uL, 0uL, 0uL, 128uL, 40_000uL, 310_000uL, 4uL, 0uL, "network error: no answer", "network"),
        error = UiMessage("error_network"),
    )
    // A change the server refused, with the core's typed reason.
    val refused = listOf(RejectedChange("op1", "visit", "v1", "out_of_scope", Code.OUT_OF_SCOPE, "village 32.12.02.2001 is not in your scope", 1_795_900_003_000))
    val overview = SupervisorState(
        month = "2026-11",
        villages = villages.map { VillageOverview(it.code, it.name, VillageIndicators(124uL, 37uL, 12uL, 9uL, 41_500_000, 18uL, 46uL, 6uL, 1uL, 27_300_000, listOf(CapitalBySource(CapitalSource.KUR, 6uL, 35_000_000), CapitalBySource(CapitalSource.VILLAGE_FUND, 3uL, 6_500_000))), 3uL) },
        // The team by facilitator, as the core counts it (facilitatorOverview).
        facilitators = listOf(
            FacilitatorOverview("u-sri", "Sri Wahyuni", "+6281211112222", listOf(villages[0].code), 124uL, 46uL, 31uL, 3uL, 1_795_900_000_000),
            FacilitatorOverview("u-wati", "Wati Susanti", null, listOf(villages[1].code), 0uL, 0uL, 0uL, 0uL, null),
        ),
    )
    // Two facilitators changed the same amount: the field and both values as the core shows them.
    val conflicts = overview.copy(
        conflicts = listOf(
            Conflict(
                "k1", "capital_application", "c1", "amount_disbursed", "field_amount_disbursed", "9000000", "10000000",
                Shown.Rupiah(9_000_000), Shown.Rupiah(10_000_000), "b0", "Siti Aminah", 1_795_900_000_000, null, null,
            ),
            Conflict(
                "k2", "product_sale", "s1", "export_country", "field_export_country", "\"MY\"", "\"SG\"",
                Shown.Country("MY", Text("Malaysia", "Malaysia")), Shown.Country("SG", Text("Singapura", "Singapore")), "b0", "Siti Aminah", 1_795_900_000_000, null, null,
            ),
            Conflict(
                "k3", "business", "w1", "status", "field_status", "\"running\"", "\"paused\"",
                Shown.Key("business_running"), Shown.Key("business_paused"), "b1", "Warsini", 1_795_900_000_000, null, null,
            ),
        ),
    )
    val siti = Beneficiary(
        "b0", BeneficiaryKind.RETURNING_WORKER, null, "3212015708900001", "Siti Aminah", Sex.FEMALE, "1990-08-17", "+6281234567890", villages[0].code, null,
        "TW", JobSector.CAREGIVING, 6u, "2025-03", null, listOf("Memasak"), null, 2u, 1_790_000_000_000, ConsentMethod.SIGNED_FORM, null, "f", 1_790_000_000_000,
    )
    val kur = CapitalApplication("c1", "b0", CapitalSource.KUR, null, null, null, "Modal warung", 10_000_000, null, null, CapitalStage.SUBMITTED, "2026-11-20", null, null)
    val history = listOf(
        StageChange("h1", "b0", StageSubject.CAPITAL_APPLICATION, "c1", null, "interest", 1_794_000_000_000, "f", null),
        StageChange("h2", "b0", StageSubject.CAPITAL_APPLICATION, "c1", "interest", "submitted", 1_795_600_000_000, "f", "Diajukan ke BRI unit Haurgeulis"),
    )
    val next = FollowUp("f1", "b0", null, "Tanyakan hasil pengajuan KUR ke BRI", "2026-12-03", null, "f")
    val worker = WorkerState(
        WorkerStatus(
            siti, "Haurkolot", Prakerja("b0", PrakerjaStage.SELECTED, 72u, "2026-11-10", "2026-12-10", null, null, 0u, 0),
            listOf(Training("t1", "b0", "Pemasaran digital untuk UMKM", "BLK Indramayu", TrainingKind.DIGITAL_MARKETING, TrainingMode.OFFLINE, false, "2026-11-01", "2026-11-05", TrainingStatus.COMPLETED, "BLK/2026/0042")),
            listOf(CapitalProgress(kur, history)), emptyList(), listOf(next),
            listOf(Person("u-sri", "Sri Wahyuni", Role.FACILITATOR, "+6281211112222", listOf(villages[0].code), emptyList())),
        ),
    )
    val village = VillageState(
        villages[0].code, "2026-11", VillageIndicators(124uL, 37uL, 12uL, 9uL, 41_500_000, 18uL, 46uL, 6uL, 1uL, 27_300_000, listOf(CapitalBySource(CapitalSource.KUR, 6uL, 35_000_000), CapitalBySource(CapitalSource.VILLAGE_FUND, 3uL, 6_500_000))),
        listOf(DueFollowUp(next.copy(dueDate = "2026-11-20"), "Siti Aminah", villages[0].code, 8), DueFollowUp(next.copy(id = "f2", action = "Kunjungan monitoring usaha"), "Warsini", villages[0].code, -5)),
    )
    val registration = RegistrationState(
        emptyInput(villages[0].code).copy(fullName = "Siti Aminah", nik = "3212011708900001", phone = "12345"),
        problems = mapOf(
            "nik" to listOf(FieldError("nik", "sex_mismatch", "NIK encodes the other sex")),
            "phone" to listOf(FieldError("phone", "invalid_format", "not an Indonesian phone number")),
        ),
        error = UiMessage("error_validation", listOf("2")),
    )
    val warung = Business("w1", "b0", "Warung Siti", BusinessSector.FOOD_BEVERAGE, BusinessStatus.RUNNING, "2026-11-15", 4_500_000, 1u, listOf("Nasi uduk"), listOf(SalesChannel.SHOP), false)
    val file = BeneficiaryFile(siti, "Haurkolot", worker.status!!.prakerja, worker.status!!.trainings, listOf(kur), listOf(warung), emptyList(), listOf(next), history, emptyList())
    // The cards as the core makes them (core/src/present.rs) for this file: keys, lines, warnings,
    // moves and the fields each move asks for (a Prakerja purchase names one of the file's trainings).
    val buyTraining = MoveField(MoveFields.TRAINING_ID, InputKind.CHOICE, false, file.trainings.map { MoveOption(it.id, it.title) })
    val cards = listOf(
        StatusCard(
            CardKind.PRAKERJA, "b0", "card_prakerja", null, "prakerja_selected",
            listOf(CardLine.Wave(72u), CardLine.PurchaseDeadline("2026-12-10", 5)), listOf("prakerja_deadline_soon"),
            listOf(CardAction("prakerja_training_purchased", listOf(buyTraining)), CardAction("prakerja_revoked", emptyList())),
        ),
        StatusCard(
            CardKind.TRAINING, "t1", "card_training", "Pemasaran digital untuk UMKM", "training_completed",
            listOf(CardLine.Provider("BLK Indramayu"), CardLine.Dates("2026-11-01", "2026-11-05"), CardLine.Certificate("BLK/2026/0042")), emptyList(), emptyList(),
        ),
        StatusCard(
            CardKind.CAPITAL, "c1", "card_capital", null, "capital_submitted",
            listOf(CardLine.Source("source_kur", true), CardLine.Amount("line_requested", 10_000_000)), emptyList(),
            listOf(
                CardAction("capital_approved", listOf(MoveField(MoveFields.AMOUNT_APPROVED, InputKind.RUPIAH, true, emptyList()))),
                CardAction("capital_rejected", listOf(MoveField(MoveFields.REJECTION_REASON, InputKind.TEXT, true, emptyList()))),
                CardAction("capital_withdrawn", emptyList()),
            ),
        ),
        StatusCard(
            CardKind.BUSINESS, "w1", "card_business", "Warung Siti", "business_running",
            listOf(CardLine.Revenue(4_500_000), CardLine.Workers(1u), CardLine.SalesThisMonth(2_500_000, 2u), CardLine.FurthestMarket("market_export", "MY")),
            emptyList(), listOf(CardAction("business_paused", emptyList()), CardAction("business_closed", emptyList())),
        ),
    )
    val fileState = BeneficiaryFileState(file, cards, null)
    val withdrawn = file.copy(beneficiary = siti.copy(consentWithdrawnAt = 1_795_950_000_000))
    val withdrawnState = BeneficiaryFileState(withdrawn, cards, null)
    // Recording the KUR disbursement: more than approved and no date, as the core's problem with it.
    val disbursing = StatusMoveState(
        move = StatusMove(
            CardKind.CAPITAL, "c1", "capital_approved", "capital_disbursed",
            listOf(MoveField(MoveFields.AMOUNT_DISBURSED, InputKind.RUPIAH, true, emptyList()), MoveField(MoveFields.DISBURSED_ON, InputKind.DATE, true, emptyList())),
            mapOf(MoveFields.AMOUNT_DISBURSED to "12000000"), "Cair lewat BRI unit Haurgeulis", MoveSubject.OfCapital(kur),
        ),
        problems = mapOf(
            "amount_disbursed" to listOf(FieldError("amount_disbursed", "out_of_range", "disbursed more than approved")),
            "disbursed_on" to listOf(FieldError("disbursed_on", "required", "record the disbursement date")),
        ),
        error = UiMessage("error_validation", listOf("2")),
    )
    val kurForm = RecordFormState(
        kur.copy(id = "", stage = CapitalStage.INTEREST, bank = Bank.BRI, kurScheme = KurScheme.SUPER_MIKRO, amountRequested = 15_000_000, submittedOn = null),
        problems = mapOf("amount_requested" to listOf(FieldError("amount_requested", "over_ceiling", "SuperMikro KUR is at most Rp 10000000"))),
        error = UiMessage("error_validation", listOf("1")),
    )
    val saleForm = RecordFormState(
        ProductSale("", "b0", "w1", "2026-11-28", "Keripik pisang", 50.0, "kg", SaleMarket.EXPORT, null, "Kedai Melaka", 2_500_000, ""),
        problems = mapOf("export_country" to listOf(FieldError("export_country", "required", "an export names the country it went to"))),
        error = UiMessage("error_validation", listOf("1")),
    )
    val trainingForm = RecordFormState(Training("", "b0", "Pengolahan keripik", "", TrainingKind.VOCATIONAL, TrainingMode.OFFLINE, true, "2026-11-20", null, TrainingStatus.ENROLLED, null),
        problems = mapOf("provider" to listOf(FieldError("provider", "required", "required"))), error = UiMessage("error_validation", listOf("1")))
    // The training bought with the card, picked among the file's own (the core's options).
    val buying = StatusMoveState(
        move = StatusMove(
            CardKind.PRAKERJA, "b0", "prakerja_selected", "prakerja_training_purchased", listOf(buyTraining),
            mapOf(MoveFields.TRAINING_ID to "t1"), "", MoveSubject.OfPrakerja(file.prakerja),
        ),
    )
    // The warung edited from its card: everything but its status (which moves on the card).
    val warungEdit = RecordFormState(warung.copy(monthlyRevenue = 6_000_000, workers = 2u, salesChannels = listOf(SalesChannel.SHOP, SalesChannel.SOCIAL_MEDIA)), editing = true)
    // Sending without signal: the facilitator's own bundles (one answered by a receipt), and a
    // supervisor's phone carrying for others (the server's answers to hand on, one refused file).
    val sriPhone = "0190f3a2c4d57e8f9a0b1c2d3e4f5a6b"
    val server = "server:7c1e9a"
    val myBundles = BundlesState(
        bundles = listOf(
            BundleEntry("b-2", "sent", BundleKind.OUTBOUND, server, 12uL, "waiting", BundleGroup.WAITING, true, null, 1_795_990_000_000, 1_795_990_000_000, null),
            BundleEntry("r-1", "received", BundleKind.RECEIPT, server, 30uL, "applied", BundleGroup.RECEIVED, false, null, 1_795_950_000_000, 1_795_960_000_000, "b-1"),
            BundleEntry("b-1", "sent", BundleKind.OUTBOUND, server, 30uL, "acknowledged", BundleGroup.ACKNOWLEDGED, false, null, 1_795_900_000_000, 1_795_960_000_000, null),
        ),
        pending = 12,
        phoneCode = id.go.kemnaker.desmig.state.phoneCode(sriPhone),
        notice = UiMessage("bundle_exported", listOf("12")),
    )
    val carrying = BundlesState(
        bundles = listOf(
            BundleEntry("r-9", "carried", BundleKind.RECEIPT, sriPhone, 30uL, "to_hand_on", BundleGroup.TO_HAND_ON, true, null, 1_795_960_000_000, 1_795_960_000_000, "b-9"),
            BundleEntry("i-9", "carried", BundleKind.INBOUND, sriPhone, 212uL, "to_hand_on", BundleGroup.TO_HAND_ON, true, null, 1_795_960_000_000, 1_795_960_000_000, "b-9"),
            BundleEntry("b-8", "carried", BundleKind.OUTBOUND, server, 4uL, "to_deliver", BundleGroup.TO_DELIVER, true, null, 1_795_955_000_000, 1_795_955_000_000, null),
            BundleEntry("b-9", "carried", BundleKind.OUTBOUND, server, 30uL, "delivered", BundleGroup.DELIVERED, false, null, 1_795_950_000_000, 1_795_960_000_000, null),
            BundleEntry(
                "b-7", "carried", BundleKind.OUTBOUND, server, 9uL, "refused",
                BundleGroup.REFUSED,
                false,
                "bundle_damaged: the bundle was altered, damaged, or sealed for someone else: it does not open", 1_795_940_000_000, 1_795_960_000_000, null,
            ),
        ),
        phoneCode = "9D41C7",
    )
    return listOf(
        "login" to { LoginScreen(LoginState("sri", "", false, UiMessage("login_wrong_credentials"), Home.LOGIN), "https://sync.desmigratif.id", {}, {}, {}) },
        "beneficiaries" to { BeneficiaryListScreen(BeneficiaryListState(villages, villages[0], "", people, null, null), "", {}, {}, {}, {}, {}, {}, {}, {}) },
        "visit_form" to { VisitFormScreen(visit, SnackbarHostState(), { _, _ -> }, {}, { _, _ -> }, {}, {}, {}) },
        "sync" to { SyncScreen(sync, 5f / 12f, false, refused, {}, {}, {}, {}, onBundles = {}) },
        "bundles" to { BundlesScreen(myBundles, {}, {}, {}, {}) },
        "bundles_carrier" to { BundlesScreen(carrying, {}, {}, {}, {}) },
        // The server refused a carried file: the reason in words, the server's detail under it.
        "bundles_carrier_refused" to { BundlesScreen(carrying.copy(bundles = carrying.bundles.filter { it.state in setOf("refused", "delivered") }), {}, {}, {}, {}) },
        "supervisor" to { SupervisorScreen(overview, 0, {}, {}, { _, _ -> }, {}, {}, {}) },
        "supervisor_conflicts" to { SupervisorScreen(conflicts, 2, {}, {}, { _, _ -> }, {}, {}, {}) },
        "worker_status" to { WorkerStatusScreen(worker, {}, {}) },
        "beneficiary_file" to { BeneficiaryFileScreen(fileState, store.templates(), {}, {}, {}, {}, {}, {}, {}, {}, {}) },
        "beneficiary_file_withdraw_confirm" to { BeneficiaryFileScreen(fileState.copy(confirmingWithdrawal = true), store.templates(), {}, {}, {}, {}, {}, {}, {}, {}, {}) },
        "beneficiary_file_move" to { BeneficiaryFileScreen(fileState, store.templates(), {}, {}, {}, {}, {}, {}, {}, {}, {}, move = disbursing) },
        "capital_form_kur" to { CapitalFormScreen(kurForm, listOf(warung), {}, {}, {}, {}) },
        "sale_form_export" to { SaleFormScreen(saleForm, {}, {}, {}, {}) },
        "training_form" to { TrainingFormScreen(trainingForm, {}, {}, {}) },
        "beneficiary_file_move_training" to { BeneficiaryFileScreen(fileState, store.templates(), {}, {}, {}, {}, {}, {}, {}, {}, {}, move = buying) },
        "business_form_edit" to { BusinessFormScreen(warungEdit, {}, { _, _ -> }, {}, {}) },
        "beneficiary_file_consent_withdrawn" to { BeneficiaryFileScreen(withdrawnState, store.templates(), {}, {}, {}, {}, {}, {}, {}, {}, {}) },
        "store_locked" to { StoreUnavailableScreen(UiMessage("error_store_locked", listOf("wrong_key")), locked = true) },
        "village" to { VillageScreen(village, "Haurkolot", {}, {}, {}, {}) },
        "registration" to { RegistrationScreen(registration, villages, false, {}, {}, {}) },
    )
}
