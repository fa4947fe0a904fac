package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.BundleEntry
import id.go.kemnaker.desmig.core.BundleGroup
import id.go.kemnaker.desmig.core.BundleKind
import id.go.kemnaker.desmig.core.Code
import id.go.kemnaker.desmig.core.Conflict
import id.go.kemnaker.desmig.core.DesmigException
import id.go.kemnaker.desmig.core.ImportOutcome
import id.go.kemnaker.desmig.core.ImportedBundle
import id.go.kemnaker.desmig.core.RejectedChange
import id.go.kemnaker.desmig.core.Shown
import id.go.kemnaker.desmig.core.Text
import id.go.kemnaker.desmig.core.codeNeedsLogin
import id.go.kemnaker.desmig.core.codeOf
import id.go.kemnaker.desmig.core.countries
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** The words the core decides, as the state holders hand them to the screens (no server). */
class WordsTest {
    @Test
    fun `a refusal's code maps to its message through the typed Code, never its spelling`() {
        assertEquals(Code.CONSENT_WITHDRAWN, codeOf("consent_withdrawn"))
        assertEquals(UiMessage("error_consent_withdrawn"), codeMessage("consent_withdrawn"))
        assertEquals("code_out_of_scope", codeMessage("out_of_scope").key)
        // Codes that mean the same to a person are one case in the core, one message here.
        assertEquals("code_out_of_scope", codeMessage("not_allowed").key)
        assertEquals("code_try_later", codeMessage("internal_error").key)
        assertEquals("code_try_later", codeMessage("rate_limited").key)
        assertEquals("error_login_required", codeMessage("token_expired").key)
        assertEquals("code_self_verification", codeMessage("self_verification").key)
        assertEquals("code_update_app", codeMessage("unsupported_protocol").key)
        assertEquals(UiMessage("error_device_revoked"), codeMessage("device_revoked"))
        assertEquals(UiMessage("error_network"), codeMessage("network"))
        // The store's key and unknown codes quote the code as it came.
        assertEquals(UiMessage("error_store_locked", listOf("wrong_key")), codeMessage("wrong_key"))
        assertEquals(UiMessage("code_other", listOf("a_code_from_a_newer_server")), codeMessage("a_code_from_a_newer_server"))
        // Every case has a message (the `when` is exhaustive; no case falls to the unknown one).
        for (c in Code.entries.filter { it != Code.OTHER }) assertTrue(codeMessage(c, c.name.lowercase()).key != "code_other", "$c")
        assertTrue(codeNeedsLogin(Code.TOKEN_EXPIRED))
        assertFalse(codeNeedsLogin(Code.NETWORK))

        // A change the server refused: its typed reason says why.
        val refused = RejectedChange("op1", "visit", "v1", "erased", Code.ERASED, "this person's data was erased", 0)
        assertEquals("code_erased", refused.reasonMessage.key)
        // A core refusal on the phone: the core's code is typed too; an unknown one says the core's reason.
        assertEquals("code_read_only", DesmigException.NotAllowed("read_only", "a worker only reads").toUiMessage().key)
        assertEquals(UiMessage("error_not_allowed", listOf("the reason")), DesmigException.NotAllowed("something_new", "the reason").toUiMessage())
        assertEquals("code_login_throttled", DesmigException.Sync("login_throttled", "wait").toUiMessage().key)
    }

    @Test
    fun `a bundle's refusal and an import's outcome each have their words`() {
        // The core refuses a file with its typed code (as a sync refusal); the server's own codes map to the same cases.
        assertEquals(UiMessage("code_bundle_damaged"), DesmigException.Sync("bundle_damaged", "does not open").toUiMessage())
        assertEquals(UiMessage("code_no_server_keys"), DesmigException.NotAllowed("no_server_keys", "sign in once").toUiMessage())
        assertEquals("code_bundle_bad_signature", codeMessage("bundle_unknown_device").key)
        assertEquals("code_bundle_malformed", codeMessage("bundle_unsupported").key)
        assertEquals("code_payload_too_large", codeMessage("bundle_too_large").key)
        val imported = { outcome: ImportOutcome -> ImportedBundle("b1", BundleKind.RECEIPT, outcome, 3uL).outcomeMessage }
        assertEquals(UiMessage("bundle_imported_to_deliver", listOf("3")), imported(ImportOutcome.TO_DELIVER))
        assertEquals(UiMessage("bundle_imported_acknowledged", listOf("3")), imported(ImportOutcome.ACKNOWLEDGED))
        assertEquals(UiMessage("bundle_imported_already_had"), imported(ImportOutcome.ALREADY_HAD))
        // A carried bundle the server refused: the code the core noted, in words; no note, no refusal.
        val carried = BundleEntry("b1", "carried", BundleKind.OUTBOUND, "server:k1", 3uL, "refused", BundleGroup.REFUSED, false, "bundle_stale: moved on", 0, 0, null)
        assertEquals(UiMessage("code_bundle_stale"), carried.refusal)
        assertEquals(BundleGroup.REFUSED, carried.group)
        assertEquals(null, carried.peerPhone, "the server is no phone")
        assertEquals(null, carried.copy(state = "to_deliver", note = null).refusal)
        assertEquals("A1B2C3", BundleEntry("b2", "carried", BundleKind.RECEIPT, "0190aaaaaaaaaaaa0000000000a1b2c3", 1uL, "to_hand_on", BundleGroup.TO_HAND_ON, true, null, 0, 0, "b1").peerPhone)
    }

    @Test
    fun `stored values of a conflict read as keys, rupiah, dates and countries in the UI language`() {
        val stage = Shown.Key("capital_disbursed")
        assertEquals(Words.Key("capital_disbursed", "capital_disbursed"), stage.words(english = false))
        assertEquals(Words.Plain("Rp 5.000.000"), Shown.Rupiah(5_000_000).words(english = true))
        val day = Shown.Date("2026-12-02", Text("2 Desember 2026", "2 December 2026"))
        assertEquals(Words.Plain("2 Desember 2026"), day.words(english = false))
        assertEquals(Words.Plain("2 December 2026"), day.words(english = true))
        val sa = Shown.Country("SA", Text("Arab Saudi", "Saudi Arabia"))
        assertEquals(Words.Plain("Arab Saudi"), sa.words(english = false))
        assertEquals(Words.Plain("Saudi Arabia"), sa.words(english = true))
        assertEquals(Words.Key("answer_yes", "✓"), Shown.YesNo(true).words(english = false))
        assertEquals(Words.Key("value_empty", "—"), Shown.Empty.words(english = false))
        assertEquals(Words.Plain("+6281234567890"), Shown.Text("+6281234567890").words(english = false))

        val conflict = Conflict(
            "k1", "capital_application", "c1", "stage", "field_stage", "\"submitted\"", "\"approved\"",
            Shown.Key("capital_submitted"), Shown.Key("capital_approved"), "b1", "Siti Aminah", 0, null, null,
        )
        assertEquals(Words.Key("field_stage", "stage"), conflict.fieldWords)
        assertEquals(Words.Key("capital_approved", "capital_approved"), conflict.losing.words(english = false))
    }

    @Test
    fun `countries, months and dates come named from the core`() {
        assertEquals("Malaysia", countryText("MY", english = false))
        assertEquals("Arab Saudi", countryText("sa", english = false))
        assertEquals("Saudi Arabia", countryText("SA", english = true))
        assertEquals("XX", countryText("XX", english = false), "not a country: the code as stored")
        assertEquals("MY", countries().first().code, "common destinations first")
        assertEquals("Desember 2026", isoMonthText("2026-12", english = false))
        assertEquals("December 2026", isoMonthText("2026-12", english = true))
        assertEquals("2 Desember 2026", isoDateText("2026-12-02", english = false))
        assertEquals("not a date", isoDateText("not a date", english = false))
        assertEquals("Desa", Text("Desa", "").pick(english = true), "English missing: Indonesian")
    }
}
