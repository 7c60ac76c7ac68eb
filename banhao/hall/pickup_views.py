"""Hall pages: pickup."""
