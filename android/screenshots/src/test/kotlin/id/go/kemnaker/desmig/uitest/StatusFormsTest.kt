package id.go.kemnaker.desmig.uitest

import androidx.compose.ui.test.assertCountEquals
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.performTextReplacement
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.bankRes
import id.go.kemnaker.desmig.app.ui.capitalSourceRes
import id.go.kemnaker.desmig.app.ui.kurSchemeRes
import id.go.kemnaker.desmig.app.ui.saleMarketRes
import id.go.kemnaker.desmig.app.ui.salesChannelRes
import id.go.kemnaker.desmig.core.Bank
import id.go.kemnaker.desmig.core.Business
import id.go.kemnaker.desmig.core.BusinessSector
import id.go.kemnaker.desmig.core.BusinessStatus
import id.go.kemnaker.desmig.core.CapitalSource
import id.go.kemnaker.desmig.core.CapitalStage
import id.go.kemnaker.desmig.core.CardKind
import id.go.kemnaker.desmig.core.KurScheme
import id.go.kemnaker.desmig.core.SaleMarket
import id.go.kemnaker.desmig.core.SalesChannel
import id.go.kemnaker.desmig.state.countryText
import id.go.kemnaker.desmig.state.formatRupiah
import java.time.LocalDate
import kotlin.test.assertEquals
import org.junit.BeforeClass
import org.junit.Rule
import org.junit.Test

/**
 * The forms the file opens: a capital application (KUR), a sale abroad and a business edited from
 * its card, checked by the core on save.
 */
class StatusFormsTest {
    @get:Rule val ui = createComposeRule()

    companion object {
        @BeforeClass @JvmStatic fun strings() = loadStrings()
    }

    // Taps are pointer events: what is tapped is scrolled into the window first, as a user would.
    private fun save() = ui.onNode(onScreen(button(str(R.string.action_save)))).performScrollTo().performClick()

    /** Opens the choice field [label] and picks [option] from its menu. */
    private fun choose(label: String, option: String) {
        ui.onNode(onScreen(field(label))).performScrollTo().performClick()
        ui.onNode(menuItem(option)).performClick()
    }

    @Test
    fun `a KUR application over its scheme's ceiling is refused under the amount, then saved within it`() {
        val phone = facilitatorPhone()
        val id = phone.register("Siti Aminah")
        ui.setContent { FileFlow(phone, id) }

        // From the file: "apply for capital", first as a village-fund grant (no bank, no scheme) ...
        ui.scrollAndTap(onScreen(button(str(R.string.file_add_capital))))
        ui.onNode(menuItem(str(capitalSourceRes(CapitalSource.VILLAGE_FUND)))).performClick()
        ui.onNode(hasText(str(R.string.capital_form_grant))).assertIsDisplayed()
        ui.onAllNodes(field(str(R.string.field_bank))).assertCountEquals(0)
        // ... then KUR picked in the form: a loan, through a bank, under a scheme.
        choose(str(R.string.field_capital_source), str(capitalSourceRes(CapitalSource.KUR)))
        ui.onNode(hasText(str(R.string.capital_form_loan))).assertIsDisplayed()
        choose(str(R.string.field_bank), str(bankRes(Bank.BRI)))
        choose(str(R.string.field_kur_scheme), str(kurSchemeRes(KurScheme.SUPER_MIKRO)))
        val amount = onScreen(field(str(R.string.field_amount_requested)))
        ui.onNode(amount).performTextInput("15000000")
        ui.onNode(onScreen(field(str(R.string.field_purpose)))).performTextInput("Mesin pengiris keripik")
        save()

        // The core's ceiling of Super Mikro, under the amount; nothing saved.
        ui.onNode(amount and hasText(str(R.string.problem_over_ceiling))).assertIsDisplayed()
        ui.onNode(hasText(str(R.string.error_validation, "1"))).assertIsDisplayed()
        assertEquals(emptyList(), phone.store.beneficiaryFile(id).capitalApplications)

        ui.onNode(amount).performTextReplacement("10000000")
        save()

        // Back on the file: a KUR card at "interest", and the core has the application.
        ui.onNodeWithTextOnScreen(keyString("capital_interest"))
        ui.onNodeWithTextOnScreen(str(R.string.capital_amount_requested, formatRupiah(10_000_000)))
        val kur = phone.store.beneficiaryFile(id).capitalApplications.single()
        assertEquals(CapitalSource.KUR, kur.source)
        assertEquals(Bank.BRI, kur.bank)
        assertEquals(KurScheme.SUPER_MIKRO, kur.kurScheme)
        assertEquals(10_000_000L, kur.amountRequested)
        assertEquals("Mesin pengiris keripik", kur.purpose)
        assertEquals(CapitalStage.INTEREST, kur.stage)
    }

    @Test
    fun `an export sale needs the country it went to, then the business's card shows it`() {
        val phone = facilitatorPhone()
        val id = phone.register("Kartini Rahayu")
        val business = phone.store.saveBusiness(
            Business("", id, "Keripik Kartini", BusinessSector.FOOD_BEVERAGE, BusinessStatus.RUNNING, LocalDate.now().minusDays(30).toString(),
                4_500_000, 1u, listOf("Keripik pisang"), listOf(SalesChannel.SHOP), true),
            null,
        )
        ui.setContent { FileFlow(phone, id) }

        ui.scrollAndTap(onScreen(button(str(R.string.file_record_sale))))
        // The business's first product is the sale's; the country is asked for an export only.
        ui.onNode(field(str(R.string.field_product)) and hasText("Keripik pisang")).assertIsDisplayed()
        ui.onAllNodes(field(str(R.string.field_export_country))).assertCountEquals(0)
        choose(str(R.string.field_market), str(saleMarketRes(SaleMarket.EXPORT)))
        val country = onScreen(field(str(R.string.field_export_country)))
        ui.onNode(country).assertIsDisplayed()
        ui.onNode(onScreen(field(str(R.string.field_quantity)))).performTextInput("50,5")
        ui.onNode(onScreen(field(str(R.string.field_unit)))).performTextInput("kg")
        ui.onNode(onScreen(field(str(R.string.field_buyer)))).performTextInput("Kedai Melaka")
        ui.onNode(onScreen(field(str(R.string.field_revenue)))).performTextInput("2500000")
        save()

        ui.onNode(country and hasText(str(R.string.problem_required))).assertIsDisplayed()
        assertEquals(emptyList(), phone.store.beneficiaryFile(id).productSales)

        // The country is picked by its name from the core's list (common destinations first).
        choose(str(R.string.field_export_country), countryText("MY", english = false))
        ui.onNode(country and hasText("Malaysia")).assertIsDisplayed()
        save()

        // Back on the file: the business's card counts the sale and names the market and the country.
        ui.onNodeWithTextOnScreen(str(R.string.line_sales_this_month, formatRupiah(2_500_000), 1))
        ui.onNodeWithTextOnScreen(str(R.string.line_furthest_market_country, keyString("market_export"), "Malaysia"))
        val sale = phone.store.beneficiaryFile(id).productSales.single()
        assertEquals(business.id, sale.businessId)
        assertEquals(SaleMarket.EXPORT, sale.market)
        assertEquals("MY", sale.exportCountry)
        assertEquals(50.5, sale.quantity)
        assertEquals("kg", sale.unit)
        assertEquals(2_500_000L, sale.revenue)
        assertEquals("Kedai Melaka", sale.buyer)
    }

    @Test
    fun `a business's revenue and workers are edited from its card, the same record saved`() {
        val phone = facilitatorPhone()
        val id = phone.register("Siti Aminah")
        val business = phone.store.saveBusiness(
            Business("", id, "Warung Siti", BusinessSector.FOOD_BEVERAGE, BusinessStatus.RUNNING, LocalDate.now().minusDays(60).toString(),
                4_500_000, 1u, listOf("Nasi uduk"), listOf(SalesChannel.SHOP), false),
            null,
        )
        ui.setContent { FileFlow(phone, id) }
        ui.onNodeWithTextOnScreen(str(R.string.business_monthly_revenue, formatRupiah(4_500_000)))

        // "Ubah" on the business's card opens its form, filled in as stored; its status stays on the card.
        ui.scrollAndTap(onCard(CardKind.BUSINESS, business.id, button(str(R.string.action_edit))))
        ui.onNode(hasText(str(R.string.business_edit_title))).assertIsDisplayed()
        ui.onNode(onScreen(field(str(R.string.field_business_name))) and hasText("Warung Siti")).assertIsDisplayed()
        ui.onAllNodes(field(str(R.string.field_stage))).assertCountEquals(0)
        val revenue = onScreen(field(str(R.string.field_monthly_revenue)))
        ui.onNode(revenue and hasText("4500000")).assertIsDisplayed()
        ui.onNode(revenue).performTextReplacement("6.000.000")
        val workers = onScreen(field(str(R.string.field_workers)))
        ui.onNode(workers and hasText("1")).assertIsDisplayed()
        ui.onNode(workers).performTextReplacement("3")
        ui.onNode(onScreen(button(str(salesChannelRes(SalesChannel.SOCIAL_MEDIA))))).performScrollTo().performClick()
        save()

        // Back on the file: the card shows the new revenue and workers, at the same stage; the core
        // has updated the same business.
        ui.onNodeWithTextOnScreen(str(R.string.business_monthly_revenue, formatRupiah(6_000_000)))
        ui.onNodeWithTextOnScreen(str(R.string.line_workers, 3))
        ui.onNodeWithTextOnScreen(keyString("business_running"))
        val stored = phone.store.beneficiaryFile(id).businesses.single()
        assertEquals(business.id, stored.id)
        assertEquals("Warung Siti", stored.name)
        assertEquals(6_000_000L, stored.monthlyRevenue)
        assertEquals(3u, stored.workers)
        assertEquals(listOf(SalesChannel.SHOP, SalesChannel.SOCIAL_MEDIA), stored.salesChannels)
        assertEquals(BusinessStatus.RUNNING, stored.status)
    }
}
