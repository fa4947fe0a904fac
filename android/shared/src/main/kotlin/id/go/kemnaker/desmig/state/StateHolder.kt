// Screen state holders: plain Kotlin, no Android imports, so that they run and are tested on the
// desktop JVM. Each holds an immutable state that a Compose screen renders as a pure function;
// actions call the core (blocking: the app calls them off the main thread) and publish a new
// state. Rules are never decided here: validation, skip logic, scope and sync all come from core.
package id.go.kemnaker.desmig.state

/** Holds a screen's state and tells subscribers when it changes. Thread-safe. */
abstract class StateHolder<S : Any>(initial: S) {
    @Volatile
    var state: S = initial
        private set
    private val listeners = java.util.concurrent.CopyOnWriteArrayList<(S) -> Unit>()

    /** Calls [listener] now and on every change; returns a function that unsubscribes. */
    fun subscribe(listener: (S) -> Unit): () -> Unit {
        listeners.add(listener)
        listener(state)
        return { listeners.remove(listener) }
    }

    protected fun update(change: (S) -> S) {
        val next = synchronized(this) {
            state = change(state)
            state
        }
        listeners.forEach { it(next) }
    }
}
