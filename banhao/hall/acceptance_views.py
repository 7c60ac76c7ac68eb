"""Hall pages: acceptance."""
