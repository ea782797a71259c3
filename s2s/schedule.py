"""Every scheduled job, in one place: `s2s scheduler` enqueues each one when it is due.

Each job is also a management command that is safe to run at any time (`s2s <command>`), so
cron, a person or a test can run it too. Timings are local time (Europe/London): "every N
minutes", "hourly", "hourly :MM", "daily HH:MM", "weekly Monday HH:MM", "monthly 1st HH:MM".
Keep daily jobs out of 01:00-01:59: that hour happens twice on the last Sunday of October
(and such a job runs twice) and not at all in March.
"""

from s2s.core.scheduling import Job

SCHEDULE: list[Job] = [
    # The outbox sweep: retries, and emails whose own send task was lost (`s2s send_emails`).
    Job("send_emails", "every 1 minute", task="s2s.core.tasks.send_pending_emails"),
    # Uploads whose notification task was lost: their emails written (`s2s notify_transfers`).
    Job("notify_transfers", "every 1 minute", task="s2s.transfers.tasks.notify_pending_transfers"),
    # Audit rows whose follower task was lost: linked into the hash chain (`s2s audit follow`).
    Job("audit_follow", "every 1 minute", task="s2s.audit.tasks.follow_audit_chain"),
    # Tasks whose worker was killed mid-task (left RUNNING), queued again for another worker.
    Job("requeue_stale_tasks", "every 5 minutes", command="requeue_stale_tasks"),
    # Encrypted objects left by crashed or rolled-back uploads.
    Job("sweep_orphan_files", "hourly", command="sweep_orphan_files"),
    # Transfers: retention, nightly, deletes collected and long-uncollected files and warns
    # before it deletes one never downloaded (`s2s purge_transfers`).
    Job("purge_transfers", "daily 02:00", command="purge_transfers"),
    # Messaging: retention, nightly, deletes unread copies 31 days after arrival and read ones
    # 14 days after reading (`s2s purge_messages`).
    Job("purge_messages", "daily 02:30", command="purge_messages"),
    # Lost Pupil Database: records past statutory school leaving age are purged nightly
    # (`s2s purge_lost_pupils`); on the 1st, each LA hears what goes next month.
    Job("purge_lost_pupils", "daily 02:15", command="purge_lost_pupils"),
    Job("send_lost_pupil_preview", "monthly 1st 06:00", command="send_lost_pupil_preview"),
    # MIS feeds: raw bodies after S2S_FEED_RETAIN_DAYS; marks, roll and exclusions older than
    # the previous academic year (`s2s purge_feeds`).
    Job("purge_feeds", "daily 02:45", command="purge_feeds"),
    # CME: signals recomputed for the schools whose feeds changed since the last run
    # (`s2s cme recompute`; `--full` for every school).
    Job("cme_recompute", "hourly :20", command="cme", args=("recompute",)),
    # CME cases: the officer of each case newly overdue (its state's timer run out) is emailed,
    # once per overdue state (`s2s cme_cases remind`).
    Job("cme_case_reminders", "daily 07:15", command="cme_cases", args=("remind",)),
    # Partnerships (issue 16): review reminders 30 and 7 days before, lapsing after the review
    # date (`s2s partnership_reviews`); shared records past retention (`s2s purge_partnerships`).
    Job("partnership_reviews", "daily 06:30", command="partnership_reviews"),
    Job("purge_partnerships", "daily 02:50", command="purge_partnerships"),
    # Operation Encompass (issue 16): a notification still unread at 08:30 on the school's next
    # school day is escalated to its LA (`s2s encompass_escalate`).
    Job("encompass_escalate", "every 5 minutes", command="encompass_escalate"),
    # Their details are deleted 30 days after sending (`s2s purge_encompass`).
    Job("purge_encompass", "daily 02:50", command="purge_encompass"),
    # The matcher: new LPD records against the whole roll and new roll records against the
    # open LPD records, pairs proposed for review (`s2s match run`; `--full` for everything).
    Job("match_nightly", "daily 04:30", command="match", args=("run",)),
    # Reports: uploads and first downloads of the days closed since, counted for the national
    # reports (`s2s refresh_report_counts`); after the purges, whose changes it does not count.
    Job("refresh_report_counts", "daily 03:30", command="refresh_report_counts"),
    # The annual user review: warnings, then disabling.
    Job("review_users", "daily 03:00", command="review_users"),
    # Finished task results kept a fortnight, for looking into a failure (database backend
    # only: with S2S_TASKS_BACKEND=immediate there are none, and this job logs an error).
    Job("prune_task_results", "daily 04:00", command="prune_db_task_results"),
    # Transfers: the weekly reminder of files not yet downloaded (`s2s send_weekly_reminders`).
    Job("send_weekly_reminders", "weekly Monday 07:00", command="send_weekly_reminders"),
]
