"""Class reports for teachers: a group's weak spots, participation and streaks."""
