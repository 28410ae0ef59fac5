"""The cookie-consent component: categories, the reader's choice, the banner and the consent log."""
