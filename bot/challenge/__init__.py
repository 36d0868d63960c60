"""Group challenges: a timed quiz game for a class group, with scores and leaderboards."""
