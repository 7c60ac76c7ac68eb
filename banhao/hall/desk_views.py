"""Hall pages: desk."""
