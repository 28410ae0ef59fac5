"""Stories from scraped text files: the pure parser, the importer and `manage.py import_seeds`."""
