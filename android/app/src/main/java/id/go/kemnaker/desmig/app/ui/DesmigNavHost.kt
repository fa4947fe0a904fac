package id.go.kemnaker.desmig.app.ui

import android.net.Uri
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.produceState
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.res.stringResource
import androidx.navigation.NavBackStackEntry
import androidx.navigation.NavHostController
import androidx.navigation.NavType
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.rememberNavController
import androidx.navigation.navArgument
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.core.CapitalSource
import id.go.kemnaker.desmig.app.ui.screens.BeneficiaryFileRoute
import id.go.kemnaker.desmig.app.ui.screens.BeneficiaryListRoute
import id.go.kemnaker.desmig.app.ui.screens.BundlesRoute
import id.go.kemnaker.desmig.app.ui.screens.BusinessFormRoute
import id.go.kemnaker.desmig.app.ui.screens.CapitalFormRoute
import id.go.kemnaker.desmig.app.ui.screens.LoginRoute
import id.go.kemnaker.desmig.app.ui.screens.RegistrationRoute
import id.go.kemnaker.desmig.app.ui.screens.SaleFormRoute
import id.go.kemnaker.desmig.app.ui.screens.SupervisorRoute
import id.go.kemnaker.desmig.app.ui.screens.SyncRoute
import id.go.kemnaker.desmig.app.ui.screens.TrainingFormRoute
import id.go.kemnaker.desmig.app.ui.screens.VillageRoute
import id.go.kemnaker.desmig.app.ui.screens.VisitDetailRoute
import id.go.kemnaker.desmig.app.ui.screens.VisitFormRoute
import id.go.kemnaker.desmig.app.ui.screens.WorkerStatusRoute
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.Home
import id.go.kemnaker.desmig.state.SyncModel
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/** The app-wide sync: the shared [SyncModel], and WorkManager behind "sync now" and "cancel". */
class SyncControls(
    val model: SyncModel,
    val syncNow: () -> Unit,
    /** Blocking (asks the core to stop): run it off the main thread. */
    val cancel: () -> Unit,
    val waitingForNetwork: Flow<Boolean>,
)

/** The destinations. Arguments are ids and region codes, URL-encoded into the route. */
object Routes {
    const val LOGIN = "login"
    const val FACILITATOR = "facilitator"
    const val WORKER = "worker"
    const val SUPERVISOR = "supervisor"
    const val SYNC = "sync"
    const val BUNDLES = "bundles"
    const val BENEFICIARY = "beneficiary/{id}"
    const val REGISTER = "register?village={village}&edit={edit}&familyOf={familyOf}"
    const val NEW_VISIT = "visit/new/{beneficiary}/{template}"
    const val OPEN_VISIT = "visit/open/{beneficiary}/{visit}"
    const val VIEW_VISIT = "visit/view/{visit}"
    const val VILLAGE = "village/{code}?name={name}"
    const val NEW_TRAINING = "beneficiary/{id}/training/new"
    const val NEW_CAPITAL = "beneficiary/{id}/capital/new/{source}"
    const val NEW_BUSINESS = "beneficiary/{id}/business/new"
    const val NEW_SALE = "beneficiary/{id}/business/{business}/sale/new"
    const val EDIT_TRAINING = "beneficiary/{id}/training/{training}/edit"
    const val EDIT_BUSINESS = "beneficiary/{id}/business/{business}/edit"

    fun beneficiary(id: String) = "beneficiary/${Uri.encode(id)}"
    fun newVisit(beneficiaryId: String, templateId: String) = "visit/new/${Uri.encode(beneficiaryId)}/${Uri.encode(templateId)}"
    fun openVisit(beneficiaryId: String, visitId: String) = "visit/open/${Uri.encode(beneficiaryId)}/${Uri.encode(visitId)}"
    fun viewVisit(visitId: String) = "visit/view/${Uri.encode(visitId)}"
    fun newTraining(id: String) = "beneficiary/${Uri.encode(id)}/training/new"
    fun newCapital(id: String, source: CapitalSource) = "beneficiary/${Uri.encode(id)}/capital/new/${source.name}"
    fun newBusiness(id: String) = "beneficiary/${Uri.encode(id)}/business/new"
    fun newSale(id: String, businessId: String) = "beneficiary/${Uri.encode(id)}/business/${Uri.encode(businessId)}/sale/new"
    fun editTraining(id: String, trainingId: String) = "beneficiary/${Uri.encode(id)}/training/${Uri.encode(trainingId)}/edit"
    fun editBusiness(id: String, businessId: String) = "beneficiary/${Uri.encode(id)}/business/${Uri.encode(businessId)}/edit"
    fun village(code: String, name: String) = "village/${Uri.encode(code)}?name=${Uri.encode(name)}"
    fun register(village: String?, edit: String? = null, familyOf: String? = null): String {
        val params = listOfNotNull(
            village?.let { "village=${Uri.encode(it)}" },
            edit?.let { "edit=${Uri.encode(it)}" },
            familyOf?.let { "familyOf=${Uri.encode(it)}" },
        )
        return if (params.isEmpty()) "register" else "register?" + params.joinToString("&")
    }

    fun home(home: Home): String = when (home) {
        Home.LOGIN -> LOGIN
        Home.FACILITATOR_VILLAGES -> FACILITATOR
        Home.WORKER_STATUS -> WORKER
        Home.SUPERVISOR_OVERVIEW -> SUPERVISOR
    }
}

private fun NavBackStackEntry.arg(name: String): String? = arguments?.getString(name)

private val optionalString = { name: String ->
    navArgument(name) {
        type = NavType.StringType
        nullable = true
        defaultValue = null
    }
}

/**
 * Navigation by role: the session's [Home] (decided by the core's identity) is the first screen;
 * login leads to the role's home; the sync screen is reachable from every role's screens, and
 * from it the bundle files screen (sending without signal).
 */
@Composable
fun DesmigNavHost(session: AppSession, sync: SyncControls, navController: NavHostController = rememberNavController()) {
    val start by produceState<Home?>(initialValue = null, session) {
        value = withContext(Dispatchers.IO) { session.home }
    }
    val startHome = start ?: return LoadingBox()
    val scope = rememberCoroutineScope()
    var confirmSignOut by remember { mutableStateOf(false) }

    val goHome: (Home) -> Unit = { home ->
        navController.navigate(Routes.home(home)) {
            popUpTo(navController.graph.id) { inclusive = true }
            launchSingleTop = true
        }
    }
    val back: () -> Unit = { navController.popBackStack() }
    val openSync: () -> Unit = { navController.navigate(Routes.SYNC) { launchSingleTop = true } }
    val signOut: () -> Unit = { confirmSignOut = true }
    val openBeneficiary: (String) -> Unit = { id -> navController.navigate(Routes.beneficiary(id)) }

    NavHost(navController = navController, startDestination = Routes.home(startHome)) {
        composable(Routes.LOGIN) {
            LoginRoute(session = session, onLoggedIn = goHome)
        }

        // Facilitator: villages and beneficiaries, files, registration, visits, village indicators.
        composable(Routes.FACILITATOR) {
            BeneficiaryListRoute(
                session = session,
                onOpen = openBeneficiary,
                onRegister = { villageCode -> navController.navigate(Routes.register(villageCode)) },
                onVillage = { region -> navController.navigate(Routes.village(region.code, region.name)) },
                onSync = openSync,
                onSignOut = signOut,
            )
        }
        composable(Routes.BENEFICIARY, arguments = listOf(navArgument("id") { type = NavType.StringType })) { entry ->
            val id = entry.arg("id").orEmpty()
            BeneficiaryFileRoute(
                session = session,
                beneficiaryId = id,
                onBack = back,
                onEdit = { villageCode -> navController.navigate(Routes.register(villageCode, edit = id)) },
                onRegisterFamily = { villageCode -> navController.navigate(Routes.register(villageCode, familyOf = id)) },
                onNewVisit = { templateId -> navController.navigate(Routes.newVisit(id, templateId)) },
                // Opened as it is read (a completed visit read-only, with amend); a draft continues from there.
                onOpenVisit = { visitId -> navController.navigate(Routes.viewVisit(visitId)) },
                onSync = openSync,
                onAddTraining = { navController.navigate(Routes.newTraining(id)) },
                onAddCapital = { source -> navController.navigate(Routes.newCapital(id, source)) },
                onAddBusiness = { navController.navigate(Routes.newBusiness(id)) },
                onRecordSale = { businessId -> navController.navigate(Routes.newSale(id, businessId)) },
                onEditTraining = { trainingId -> navController.navigate(Routes.editTraining(id, trainingId)) },
                onEditBusiness = { businessId -> navController.navigate(Routes.editBusiness(id, businessId)) },
            )
        }
        // Adding to a file's programme; after a save, back to the file (which reads its cards again).
        val idArg = navArgument("id") { type = NavType.StringType }
        composable(Routes.NEW_TRAINING, arguments = listOf(idArg)) { entry ->
            TrainingFormRoute(session = session, beneficiaryId = entry.arg("id").orEmpty(), onBack = back, onSaved = back)
        }
        composable(Routes.NEW_CAPITAL, arguments = listOf(idArg, navArgument("source") { type = NavType.StringType })) { entry ->
            val source = CapitalSource.entries.firstOrNull { it.name == entry.arg("source") } ?: CapitalSource.KUR
            CapitalFormRoute(session = session, beneficiaryId = entry.arg("id").orEmpty(), source = source, onBack = back, onSaved = back)
        }
        composable(Routes.NEW_BUSINESS, arguments = listOf(idArg)) { entry ->
            BusinessFormRoute(session = session, beneficiaryId = entry.arg("id").orEmpty(), onBack = back, onSaved = back)
        }
        // Editing a training or a business of the file (its status moves on its card); back to the file after a save.
        composable(Routes.EDIT_TRAINING, arguments = listOf(idArg, navArgument("training") { type = NavType.StringType })) { entry ->
            TrainingFormRoute(
                session = session, beneficiaryId = entry.arg("id").orEmpty(), trainingId = entry.arg("training").orEmpty(),
                onBack = back, onSaved = back,
            )
        }
        composable(Routes.EDIT_BUSINESS, arguments = listOf(idArg, navArgument("business") { type = NavType.StringType })) { entry ->
            BusinessFormRoute(
                session = session, beneficiaryId = entry.arg("id").orEmpty(), businessId = entry.arg("business").orEmpty(),
                onBack = back, onSaved = back,
            )
        }
        composable(Routes.NEW_SALE, arguments = listOf(idArg, navArgument("business") { type = NavType.StringType })) { entry ->
            SaleFormRoute(
                session = session,
                beneficiaryId = entry.arg("id").orEmpty(),
                businessId = entry.arg("business").orEmpty(),
                onBack = back,
                onSaved = back,
            )
        }
        composable(Routes.REGISTER, arguments = listOf(optionalString("village"), optionalString("edit"), optionalString("familyOf"))) { entry ->
            val editing = entry.arg("edit")
            RegistrationRoute(
                session = session,
                villageCode = entry.arg("village"),
                editing = editing,
                familyOf = entry.arg("familyOf"),
                onBack = back,
                onSaved = { saved ->
                    navController.popBackStack()
                    // A new beneficiary opens on their file; an edit goes back to the file it came from.
                    if (editing == null) navController.navigate(Routes.beneficiary(saved.id))
                },
            )
        }
        composable(
            Routes.NEW_VISIT,
            arguments = listOf(navArgument("beneficiary") { type = NavType.StringType }, navArgument("template") { type = NavType.StringType }),
        ) { entry ->
            VisitFormRoute(
                session = session,
                beneficiaryId = entry.arg("beneficiary").orEmpty(),
                templateId = entry.arg("template"),
                visitId = null,
                onBack = back,
            )
        }
        composable(
            Routes.OPEN_VISIT,
            arguments = listOf(navArgument("beneficiary") { type = NavType.StringType }, navArgument("visit") { type = NavType.StringType }),
        ) { entry ->
            VisitFormRoute(
                session = session,
                beneficiaryId = entry.arg("beneficiary").orEmpty(),
                templateId = null,
                visitId = entry.arg("visit"),
                onBack = back,
            )
        }
        composable(Routes.VIEW_VISIT, arguments = listOf(navArgument("visit") { type = NavType.StringType })) { entry ->
            VisitDetailRoute(
                session = session,
                visitId = entry.arg("visit").orEmpty(),
                onBack = back,
                onEditDraft = { beneficiaryId, visitId -> navController.navigate(Routes.openVisit(beneficiaryId, visitId)) },
            )
        }
        composable(
            Routes.VILLAGE,
            arguments = listOf(navArgument("code") { type = NavType.StringType }, optionalString("name")),
        ) { entry ->
            val code = entry.arg("code").orEmpty()
            VillageRoute(
                session = session,
                villageCode = code,
                villageName = entry.arg("name") ?: code,
                onBack = back,
                onOpenBeneficiary = openBeneficiary,
                onSync = openSync,
            )
        }

        // Returning worker: their own record only.
        composable(Routes.WORKER) {
            WorkerStatusRoute(session = session, onSync = openSync, onSignOut = signOut)
        }

        // Supervisor: team overview, visits to verify, conflicts.
        composable(Routes.SUPERVISOR) {
            SupervisorRoute(
                session = session,
                onOpenBeneficiary = openBeneficiary,
                onOpenVisit = { visitId -> navController.navigate(Routes.viewVisit(visitId)) },
                onSync = openSync,
                onSignOut = signOut,
            )
        }

        // Every role.
        composable(Routes.SYNC) {
            SyncRoute(
                session = session,
                sync = sync,
                onBack = back,
                onLogin = { navController.navigate(Routes.LOGIN) { launchSingleTop = true } },
                onBundles = { navController.navigate(Routes.BUNDLES) { launchSingleTop = true } },
            )
        }
        // Sending without signal (bundle files), from the sync screen.
        composable(Routes.BUNDLES) {
            BundlesRoute(session = session, sync = sync, onBack = back)
        }
    }

    if (confirmSignOut) {
        AlertDialog(
            onDismissRequest = { confirmSignOut = false },
            title = { Text(stringResource(R.string.sign_out_title)) },
            text = { Text(stringResource(R.string.sign_out_message)) },
            confirmButton = {
                TextButton(onClick = {
                    confirmSignOut = false
                    scope.launch {
                        withContext(Dispatchers.IO) { session.signOut() }
                        goHome(Home.LOGIN)
                    }
                }) { Text(stringResource(R.string.action_sign_out)) }
            },
            dismissButton = {
                TextButton(onClick = { confirmSignOut = false }) { Text(stringResource(R.string.action_cancel)) }
            },
        )
    }
}
