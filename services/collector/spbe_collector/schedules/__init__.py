"""Per-scope scan schedules (interval or cron) and the scheduler loop."""
