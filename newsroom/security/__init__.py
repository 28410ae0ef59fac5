"""The site's defences that are not one app's business: response headers (Content Security
Policy with a separate admin policy, Permissions-Policy), request limits (query strings, request
bodies), the CSP report endpoint, and the page and client address behind login throttling.

Settings live in newsroom/settings.py (the security block); docs/deployment.md says how a
deployment turns HTTPS on, docs/configuration.md what each variable does.
"""
