"""The outlet's identity and its policy pages: who publishes the stories, and by what rules.

Editors keep the policy pages (ethics, corrections, ownership and funding, masthead, contact
and feedback, the use of AI) in the admin; readers find them under /about/ and in every page's
footer. The organisation's schema.org data (`NewsMediaOrganization`, structured_data.py) links
the live ones, and every story's publisher is that organisation. Other apps link a policy with
`directory.policy_url(kind)`. `news` imports this app, never the reverse.
"""
