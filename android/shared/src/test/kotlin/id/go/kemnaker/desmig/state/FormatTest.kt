package id.go.kemnaker.desmig.state

import org.junit.jupiter.api.Test
import kotlin.test.assertEquals

class FormatTest {
    @Test
    fun `rupiah are whole numbers written the Indonesian way`() {
        assertEquals("Rp 10.000.000", formatRupiah(10_000_000))
        assertEquals("Rp 0", formatRupiah(0))
        assertEquals("Rp 950", formatRupiah(950))
        assertEquals("-Rp 1.500", formatRupiah(-1500))
    }
}
