package id.go.kemnaker.desmig.app.sync

import android.app.Notification
import android.content.Context
import android.content.pm.ServiceInfo
import android.os.Build
import androidx.core.app.NotificationChannelCompat
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.ExistingWorkPolicy
import androidx.work.ForegroundInfo
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.OutOfQuotaPolicy
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkInfo
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.DesmigApplication
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.map
import java.util.concurrent.TimeUnit

/**
 * Runs one sync through the app's [id.go.kemnaker.desmig.state.SyncModel] (push the outbox, pull the
 * user's scope; the core does all of it). Scheduled hourly when there is a network, and as an
 * expedited one-time "sync now" from the sync screen. A network failure is retried with back-off;
 * a refused sync, a cancelled one or a missing login is not (the sync screen says why).
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {

    override suspend fun doWork(): Result {
        val app = DesmigApplication.from(applicationContext)
        // The store opens off the main thread at process start: wait for it. A locked store (its
        // key lost) or one that failed to open has nothing to sync; the app's screen says why.
        val ready = app.awaitReady() ?: return Result.failure()
        // Another sync is running (the periodic one and "sync now" met): that one does the work.
        if (!app.syncLock.tryLock()) return Result.success()
        try {
            val model = ready.sync
            val report = coroutineScope {
                val running = async(Dispatchers.IO) { model.syncNow() }
                try {
                    running.await()
                } catch (e: CancellationException) {
                    // WorkManager stopped us (constraints lost, user cancelled): ask the core to stop
                    // at its next batch; what it stored stays stored.
                    model.cancel()
                    throw e
                }
            }
            val state = model.state
            return when {
                report != null -> Result.success()
                state.needsLogin -> Result.failure()
                state.error?.key == "error_network" -> Result.retry()
                state.error?.key == "sync_cancelled" -> Result.success()
                else -> Result.failure()
            }
        } finally {
            app.syncLock.unlock()
        }
    }

    /** Only used before Android 12, where WorkManager runs expedited work as a foreground service. */
    override suspend fun getForegroundInfo(): ForegroundInfo {
        val notification = notification(applicationContext)
        return if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.Q) {
            ForegroundInfo(NOTIFICATION_ID, notification, ServiceInfo.FOREGROUND_SERVICE_TYPE_DATA_SYNC)
        } else {
            ForegroundInfo(NOTIFICATION_ID, notification)
        }
    }

    companion object {
        const val PERIODIC_WORK = "desmig-sync-periodic"
        const val SYNC_NOW_WORK = "desmig-sync-now"
        private const val CHANNEL_ID = "sync"
        private const val NOTIFICATION_ID = 1001

        private val constraints: Constraints
            get() = Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build()

        /** Every hour while there is a network; kept as is when already scheduled. */
        fun schedulePeriodic(context: Context) {
            val request = PeriodicWorkRequestBuilder<SyncWorker>(1, TimeUnit.HOURS)
                .setConstraints(constraints)
                .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 1, TimeUnit.MINUTES)
                .build()
            WorkManager.getInstance(context).enqueueUniquePeriodicWork(PERIODIC_WORK, ExistingPeriodicWorkPolicy.KEEP, request)
        }

        /** "Sync now": as soon as there is a network; a request already waiting or running is kept. */
        fun syncNow(context: Context) {
            val request = OneTimeWorkRequestBuilder<SyncWorker>()
                .setConstraints(constraints)
                .setExpedited(OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST)
                .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 30, TimeUnit.SECONDS)
                .build()
            WorkManager.getInstance(context).enqueueUniqueWork(SYNC_NOW_WORK, ExistingWorkPolicy.KEEP, request)
        }

        /** Drops a "sync now" that still waits for a network (a running sync is stopped by the core). */
        fun cancelSyncNow(context: Context) {
            WorkManager.getInstance(context).cancelUniqueWork(SYNC_NOW_WORK)
        }

        /** True while a "sync now" waits for a network (or for its retry): the sync screen says so. */
        fun waitingForNetwork(context: Context): Flow<Boolean> =
            WorkManager.getInstance(context).getWorkInfosForUniqueWorkFlow(SYNC_NOW_WORK)
                .map { infos -> infos.any { it.state == WorkInfo.State.ENQUEUED } }

        private fun notification(context: Context): Notification {
            NotificationManagerCompat.from(context).createNotificationChannel(
                NotificationChannelCompat.Builder(CHANNEL_ID, NotificationManagerCompat.IMPORTANCE_LOW)
                    .setName(context.getString(R.string.sync_channel_name))
                    .build(),
            )
            return NotificationCompat.Builder(context, CHANNEL_ID)
                .setSmallIcon(R.drawable.ic_sync)
                .setContentTitle(context.getString(R.string.sync_notification_title))
                .setOngoing(true)
                .setSilent(true)
                .build()
        }
    }
}
