package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.Code
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** A change the server refuses comes back with the core's typed reason, and the sync screen words it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RejectedChangesTest {
    private lateinit var server: TestServer

    @BeforeAll fun start() { server = TestServer() }
    @AfterAll fun stop() { server.close() }

    @Test
    fun `a change outside the user's villages is refused as out of scope, in words`() {
        val sri = phone(server).logIn("sri")
        // Registered offline in her village; meanwhile she is moved to another village.
        val rina = RegistrationModel(sri.store, VILLAGE).apply { edit { it.copy(fullName = "Rina Wulandari") }; assertTrue(save()) }.state.saved!!
        server.admin("user", "assign", "--username", "sri", "--village", "32.12.01.2008")

        val sync = SyncModel(sri)
        sync.syncNow()
        val refused = sync.state.rejectedChanges.firstOrNull { it.entityId == rina.id }
        assertNotNull(refused, "${sync.state.last} ${sync.state.rejectedChanges}")
        assertEquals(Code.OUT_OF_SCOPE, refused.reason, refused.code)
        assertEquals("code_out_of_scope", refused.reasonMessage.key)
        assertEquals(1L, sync.state.rejected)
    }
}
