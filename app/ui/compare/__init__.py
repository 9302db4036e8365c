"""The Compare page: one prompt to two models side by side, votes and the Elo leaderboard."""
