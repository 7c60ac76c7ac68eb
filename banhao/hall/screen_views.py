"""Hall pages: screen."""
