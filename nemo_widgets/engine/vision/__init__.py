"""Vision pipelines of the embedded engine (background replacement; object removal to come)."""
