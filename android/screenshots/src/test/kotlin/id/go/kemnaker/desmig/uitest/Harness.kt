// What the driven UI tests share: the real sync server (only to sign a facilitator in: the core
// scopes every read and write to the signed-in user), a phone's encrypted store opened with a
// test key, the app's strings (Indonesian, the app's default), and a small stand-in for the app's
// navigation that wires the real state holders to the app's screens as their Routes do.
package id.go.kemnaker.desmig.uitest

import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.State
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.material3.SnackbarHostState
import id.go.kemnaker.desmig.app.ui.messageRes
import id.go.kemnaker.desmig.app.ui.problemRes
import id.go.kemnaker.desmig.app.ui.screens.BeneficiaryFileScreen
import id.go.kemnaker.desmig.app.ui.screens.BusinessFormScreen
import id.go.kemnaker.desmig.app.ui.screens.CapitalFormScreen
import id.go.kemnaker.desmig.app.ui.screens.SaleFormScreen
import id.go.kemnaker.desmig.app.ui.screens.TrainingFormScreen
import id.go.kemnaker.desmig.app.ui.screens.VisitFormScreen
import id.go.kemnaker.desmig.app.ui.theme.DesmigTheme
import id.go.kemnaker.desmig.app.ui.todayIso
import id.go.kemnaker.desmig.core.CapitalSource
import id.go.kemnaker.desmig.core.FieldError
import id.go.kemnaker.desmig.core.FieldStore
import id.go.kemnaker.desmig.screenshots.Strings
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.BeneficiaryFileModel
import id.go.kemnaker.desmig.state.BusinessFormModel
import id.go.kemnaker.desmig.state.CapitalFormModel
import id.go.kemnaker.desmig.state.InMemoryTokenStore
import id.go.kemnaker.desmig.state.LoginModel
import id.go.kemnaker.desmig.state.RegistrationModel
import id.go.kemnaker.desmig.state.SaleFormModel
import id.go.kemnaker.desmig.state.StateHolder
import id.go.kemnaker.desmig.state.TrainingFormModel
import id.go.kemnaker.desmig.state.UiMessage
import id.go.kemnaker.desmig.state.VisitFormModel
import java.io.File
import java.nio.file.Files
import java.security.SecureRandom
import java.util.concurrent.TimeUnit

const val PASSWORD = "rahasia-desa"
const val VILLAGE = "32.12.01.2007"

/** The real sync-server binary (built by cargo) on a free loopback port, one for the whole test run. */
object Server {
    private val bin = System.getProperty("desmig.server.bin") ?: error("desmig.server.bin is not set")
    private val dir: File = Files.createTempDirectory("desmig-server").toFile()
    private val database = "sqlite://${File(dir, "server.db").absolutePath}"
    val url: String by lazy { start() }

    private fun start(): String {
        check(File(bin).canExecute()) { "$bin is missing: build it with cargo first (./test.sh does)" }
        admin("user", "add", "--username", "sri", "--password", PASSWORD, "--name", "Sri Wahyuni", "--role", "facilitator", "--village", VILLAGE)
        admin("user", "add", "--username", "budi", "--password", PASSWORD, "--name", "Budi Santoso", "--role", "supervisor", "--district", "32.12")
        val process = ProcessBuilder(bin, "--database", database, "serve", "--listen", "127.0.0.1:0").redirectErrorStream(true).start()
        Runtime.getRuntime().addShutdownHook(Thread { process.destroy(); process.waitFor(10, TimeUnit.SECONDS); dir.deleteRecursively() })
        val line = process.inputStream.bufferedReader().readLine() ?: error("the server did not start")
        // Keep reading its output so that the server never blocks on a full pipe.
        Thread { runCatching { process.inputStream.bufferedReader().forEachLine { } } }.apply { isDaemon = true }.start()
        return line.split(" ").first { it.startsWith("http://") }
    }

    private fun admin(vararg args: String) {
        val p = ProcessBuilder(listOf(bin, "--database", database) + args).redirectErrorStream(true).start()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) { "admin ${args.joinToString(" ")} failed: $out" }
    }
}

/** A facilitator's phone: its own store, encrypted with a test key, signed in as `sri`. */
fun facilitatorPhone(): AppSession = phoneOf("sri")

/** A phone of [username] (`sri` the facilitator, `budi` the district's supervisor). */
fun phoneOf(username: String): AppSession {
    val dir = Files.createTempDirectory("desmig-phone").toFile().apply { deleteOnExit() }
    val key = ByteArray(32).also(SecureRandom()::nextBytes)
    val session = AppSession(FieldStore.open(File(dir, "field.db").absolutePath, key), InMemoryTokenStore(), Server.url)
    val login = LoginModel(session)
    login.edit(username = username, password = PASSWORD)
    login.submit()
    check(login.state.error == null) { "login failed: ${login.state.error}" }
    return session
}

/** Registers someone in the facilitator's village through the registration holder; their id. */
fun AppSession.register(name: String): String {
    val model = RegistrationModel(store, VILLAGE)
    model.edit { it.copy(fullName = name) }
    check(model.save()) { "registration refused: ${model.state}" }
    return model.state.saved!!.id
}

/** The app's Indonesian strings (res/values), as the screens show them. */
fun loadStrings() = Strings.load(File(System.getProperty("desmig.res.dir") ?: "../app/src/main/res"), "id")

fun str(id: Int, vararg args: Any?): String = Strings.string(id, *args)

/** A field's label as a move shows it when the core requires the field (marked *). */
fun required(label: String): String = "$label *"

/** The text of a status key (`prakerja_selected`, `capital_interest`, ...), as Messages.kt maps it. */
fun keyString(key: String): String = messageRes(key)?.let { Strings.string(it) } ?: key

/** A core field problem as the screens show it (Messages.kt: its code's string, else the core's message). */
fun problemString(e: FieldError): String = problemRes(e.code)?.let { Strings.string(it) } ?: e.message

/** The holder's state as Compose state, exactly as the app's `observe()` (ui/HolderState.kt). */
@Composable
fun <S : Any> StateHolder<S>.observe(): State<S> {
    val holder = this
    val state = remember(holder) { mutableStateOf(holder.state) }
    DisposableEffect(holder) {
        val unsubscribe = holder.subscribe { state.value = it }
        onDispose { unsubscribe() }
    }
    return state
}

/** Where the stand-in navigation is. */
sealed class Destination {
    data object File : Destination()
    data class Capital(val source: CapitalSource) : Destination()
    data class Sale(val businessId: String) : Destination()
    data class Visit(val templateId: String) : Destination()
    data class EditBusiness(val businessId: String) : Destination()
    data class EditTraining(val trainingId: String) : Destination()
}

/**
 * A beneficiary's file and the forms it opens, wired as the app's Routes and DesmigNavHost wire
 * them (the same holders, the same callbacks, back to the file after a save, the file read
 * again). One difference: the app runs the holders' blocking calls on Dispatchers.IO; here they
 * run where the event is handled, so that each step is finished when the test looks.
 */
@Composable
fun FileFlow(session: AppSession, beneficiaryId: String, onVisitModel: (VisitFormModel) -> Unit = {}) {
    DesmigTheme(dynamicColor = false) {
        val file = remember { BeneficiaryFileModel(session.store, beneficiaryId).apply { load() } }
        val templates = remember { session.store.templates() }
        var at by remember { mutableStateOf<Destination>(Destination.File) }
        val back = { at = Destination.File; file.load() }
        when (val d = at) {
            Destination.File -> {
                val state by file.observe()
                val move by file.moves.observe()
                BeneficiaryFileScreen(
                    state = state, templates = templates, onBack = {}, onEdit = {}, onRegisterFamily = {},
                    onNewVisit = { at = Destination.Visit(it) }, onOpenVisit = {}, onSync = {},
                    onWithdrawConsent = file::askToWithdrawConsent, onConfirmWithdrawal = { file.confirmWithdrawal() },
                    onCancelWithdrawal = file::cancelWithdrawal,
                    move = move,
                    onAction = { card, action -> file.moves.start(card, action) },
                    onMoveEdit = file.moves::edit, onMoveNote = file.moves::editNote,
                    onMoveSave = { file.moves.save() }, onMoveCancel = file.moves::cancel,
                    onAddCapital = { at = Destination.Capital(it) },
                    onRecordSale = { at = Destination.Sale(it) },
                    onEditTraining = { at = Destination.EditTraining(it) },
                    onEditBusiness = { at = Destination.EditBusiness(it) },
                )
            }
            // The form over the card's record, as TrainingFormRoute / BusinessFormRoute build it.
            is Destination.EditBusiness -> {
                val model = remember(d) { BusinessFormModel(session.store, beneficiaryId, d.businessId) }
                val state by model.observe()
                BusinessFormScreen(state, onEdit = model::edit, onChannel = model::toggleChannel, onSave = { if (model.save()) back() }, onBack = back)
            }
            is Destination.EditTraining -> {
                val model = remember(d) { TrainingFormModel(session.store, beneficiaryId, d.trainingId) }
                val state by model.observe()
                TrainingFormScreen(state, onEdit = model::edit, onSave = { if (model.save()) back() }, onBack = back)
            }
            is Destination.Capital -> {
                val model = remember(d) { CapitalFormModel(session.store, beneficiaryId, d.source) }
                val state by model.observe()
                val businesses = remember(d) { session.store.beneficiaryFile(beneficiaryId).businesses }
                CapitalFormScreen(state, businesses, onEdit = model::edit, onSource = model::selectSource, onSave = { if (model.save()) back() }, onBack = back)
            }
            is Destination.Sale -> {
                val model = remember(d) {
                    val business = session.store.beneficiaryFile(beneficiaryId).businesses.firstOrNull { it.id == d.businessId }
                    SaleFormModel(session.store, beneficiaryId, d.businessId, todayIso(), business?.products?.firstOrNull().orEmpty())
                }
                val state by model.observe()
                SaleFormScreen(state, onEdit = model::edit, onMarket = model::selectMarket, onSave = { if (model.save()) back() }, onBack = back)
            }
            is Destination.Visit -> {
                val model = remember(d) { VisitFormModel(session.store).apply { start(beneficiaryId, d.templateId, null); onVisitModel(this) } }
                val state by model.observe()
                val snackbar = remember { SnackbarHostState() }
                VisitFormScreen(
                    state = state, snackbar = snackbar,
                    onAnswer = model::answer, onNotes = model::editNotes, onAddFollowUp = model::addFollowUp,
                    onSaveDraft = { model.saveDraft() }, onComplete = { if (model.complete()) back() }, onBack = back,
                )
            }
        }
    }
}

/** A [UiMessage] as ErrorBanner shows it (only the keys the tests meet). */
fun messageString(m: UiMessage): String = Strings.string(messageRes(m.key) ?: error("no string for ${m.key}"), *m.args.toTypedArray())

/** Answers every item the core shows with a valid answer, the way a user works down the form. */
fun VisitFormModel.fillAll() {
    repeat(100) {
        val next = state.items.firstOrNull { it.id !in state.answers } ?: return
        val n = maxOf(next.min ?: 1L, 1L).coerceAtMost(next.max ?: Long.MAX_VALUE)
        val answer = when (next.kind) {
            id.go.kemnaker.desmig.core.ItemKind.YES_NO -> id.go.kemnaker.desmig.core.AnswerValue.YesNo(true)
            id.go.kemnaker.desmig.core.ItemKind.SINGLE_CHOICE -> id.go.kemnaker.desmig.core.AnswerValue.Choice(next.options.first().value)
            id.go.kemnaker.desmig.core.ItemKind.MULTI_CHOICE -> id.go.kemnaker.desmig.core.AnswerValue.Choices(next.options.take(n.toInt()).map { it.value })
            id.go.kemnaker.desmig.core.ItemKind.INTEGER -> id.go.kemnaker.desmig.core.AnswerValue.Number(n)
            id.go.kemnaker.desmig.core.ItemKind.RUPIAH -> id.go.kemnaker.desmig.core.AnswerValue.Number((next.min ?: 1_000_000L).coerceAtMost(next.max ?: Long.MAX_VALUE))
            id.go.kemnaker.desmig.core.ItemKind.TEXT -> id.go.kemnaker.desmig.core.AnswerValue.Text("Catatan pendamping lapangan")
            id.go.kemnaker.desmig.core.ItemKind.DATE -> id.go.kemnaker.desmig.core.AnswerValue.Date("2026-11-02")
        }
        answer(next.id, answer)
    }
}
