"""The site's defences that are not one app's business: response headers (Content Security
Policy with a separate admin policy, Permissions-Policy), request limits (query strings, request
bodies), the CSP report endpoint, and the page and client address behind login throttling.

Settings live in newsroom/settings.py (the security block); the README's security section says
how a deployment turns HTTPS on and what each variable does.
"""
