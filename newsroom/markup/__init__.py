"""The one sanitiser: what HTML a story may hold, cleaned on the way in (the only bleach user).

It sits below `news` because `Article.save` cleans bodies on every write path; inside `ingest`
it would make the models depend on the importer's package.
"""
