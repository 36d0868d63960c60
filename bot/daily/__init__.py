"""Daily questions a teacher schedules for a group: when, what, and the summary after."""
