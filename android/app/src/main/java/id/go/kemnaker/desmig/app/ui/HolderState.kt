package id.go.kemnaker.desmig.app.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.State
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import androidx.lifecycle.viewmodel.compose.viewModel
import id.go.kemnaker.desmig.state.StateHolder
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

// The glue between the platform-free state holders (android/shared/.../state) and Compose. A holder
// publishes immutable states; a screen renders one as a pure function. Nothing here decides a rule.

/** The holder's state as Compose state: subscribed while in composition, current at every change. */
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

/**
 * Keeps a screen's holder across configuration changes (rotation, language) for as long as its
 * navigation destination lives. Holders may call the core while being built, so they are built
 * on [Dispatchers.IO]: null until then.
 */
class HolderViewModel<H : Any>(create: () -> H) : ViewModel() {
    private val mutable = MutableStateFlow<H?>(null)
    val holder: StateFlow<H?> = mutable

    init {
        viewModelScope.launch(Dispatchers.IO) { mutable.value = create() }
    }
}

@Composable
fun <H : Any> rememberHolder(key: String, create: () -> H): H? {
    val vm: HolderViewModel<H> = viewModel(key = key) { HolderViewModel(create) }
    return vm.holder.collectAsState().value
}

/**
 * Runs a screen's actions off the main thread: the holders' actions are blocking calls into the
 * core. One at a time, in the order the user made them (answers typed quickly must reach the core
 * in order), on a thread of [Dispatchers.IO].
 */
class ScreenActions(private val scope: CoroutineScope) {
    private val serial = Dispatchers.IO.limitedParallelism(1)

    fun io(action: () -> Unit) {
        scope.launch(serial) { action() }
    }

    /** Runs [action], then [then] with its result on the main thread (e.g. to navigate after a save). */
    fun <T> io(action: () -> T, then: (T) -> Unit) {
        scope.launch { then(withContext(serial) { action() }) }
    }
}

@Composable
fun rememberActions(): ScreenActions {
    val scope = rememberCoroutineScope()
    return remember(scope) { ScreenActions(scope) }
}
