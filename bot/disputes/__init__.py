"""Teachers deciding "I was right" disputes, and the answers they accept."""
