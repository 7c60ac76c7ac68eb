"""Hall pages: appointment."""
