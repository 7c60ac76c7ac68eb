"""Hall pages: kiosk."""
