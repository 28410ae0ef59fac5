"""Stories and readers' pages: models, QuerySet vocabulary, write rules, views, feeds, sitemaps."""
