"""Growth of every worker: skills, mastery, spaced review, tiers, paths, profiles (issue 13)."""
