package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.AnswerValue
import id.go.kemnaker.desmig.core.ChecklistItem
import id.go.kemnaker.desmig.core.FieldStore
import id.go.kemnaker.desmig.core.ItemKind
import java.io.File
import java.nio.file.Files
import java.security.SecureRandom
import java.util.concurrent.TimeUnit

const val PASSWORD = "rahasia-desa"
const val VILLAGE = "32.12.01.2007"

/**
 * The real sync-server binary (built by cargo), on a free loopback port, with its own database.
 * An administration command ([admin]) runs against the same database while the server serves.
 */
class TestServer : AutoCloseable {
    private val bin = System.getProperty("desmig.server.bin") ?: error("desmig.server.bin is not set")
    private val dir: File = Files.createTempDirectory("desmig-server").toFile()
    private val database = "sqlite://${File(dir, "server.db").absolutePath}"
    private val process: Process
    val url: String

    init {
        check(File(bin).canExecute()) { "$bin is missing: build it with cargo first (./test.sh does)" }
        admin("user", "add", "--username", "sri", "--password", PASSWORD, "--name", "Sri Wahyuni", "--role", "facilitator", "--village", VILLAGE)
        admin("user", "add", "--username", "budi", "--password", PASSWORD, "--name", "Budi Santoso", "--role", "supervisor", "--district", "32.12")
        process = ProcessBuilder(bin, "--database", database, "serve", "--listen", "127.0.0.1:0").redirectErrorStream(true).start()
        val output = process.inputStream.bufferedReader()
        val line = output.readLine() ?: error("the server did not start")
        // Keep reading its output so that the server never blocks on a full pipe.
        Thread { runCatching { output.forEachLine { } } }.apply { isDaemon = true }.start()
        url = line.split(" ").first { it.startsWith("http://") }
    }

    /** Runs an administration command against the same database; its output. */
    fun admin(vararg args: String): String {
        val p = ProcessBuilder(listOf(bin, "--database", database) + args).redirectErrorStream(true).start()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) { "admin ${args.joinToString(" ")} failed: $out" }
        return out
    }

    override fun close() {
        process.destroy()
        process.waitFor(10, TimeUnit.SECONDS)
        dir.deleteRecursively()
    }
}

/** A random store key, as a phone's first run makes it (StoreKeyVault). */
fun storeKey(): ByteArray = ByteArray(32).also(SecureRandom()::nextBytes)

/** A phone: its own encrypted database file and token store, signed in to nobody yet. */
fun phone(server: TestServer, key: ByteArray = storeKey()): AppSession {
    val dir = Files.createTempDirectory("desmig-phone").toFile()
    dir.deleteOnExit()
    return AppSession(FieldStore.open(File(dir, "field.db").absolutePath, key), InMemoryTokenStore(), server.url)
}

fun AppSession.logIn(username: String): AppSession = apply {
    val login = LoginModel(this)
    login.edit(username = username, password = PASSWORD)
    login.submit()
    check(login.state.error == null) { "login failed: ${login.state.error}" }
}

/** A valid answer for an item, as a facilitator would pick it. */
fun validAnswer(item: ChecklistItem): AnswerValue {
    val n = maxOf(item.min ?: 1L, 1L).coerceAtMost(item.max ?: Long.MAX_VALUE)
    return when (item.kind) {
        ItemKind.YES_NO -> AnswerValue.YesNo(true)
        ItemKind.SINGLE_CHOICE -> AnswerValue.Choice(item.options.first().value)
        ItemKind.MULTI_CHOICE -> AnswerValue.Choices(item.options.take(n.toInt()).map { it.value })
        ItemKind.INTEGER -> AnswerValue.Number(n)
        ItemKind.RUPIAH -> AnswerValue.Number((item.min ?: 1_000_000L).coerceAtMost(item.max ?: Long.MAX_VALUE))
        ItemKind.TEXT -> AnswerValue.Text("Catatan pendamping lapangan")
        ItemKind.DATE -> AnswerValue.Date("2026-11-02")
    }
}

/** Answers every shown item until the form is complete, the way a user works down it. */
fun VisitFormModel.fillAll() {
    repeat(100) {
        val next = state.items.firstOrNull { it.id !in state.answers } ?: return
        answer(next.id, validAnswer(next))
    }
}
