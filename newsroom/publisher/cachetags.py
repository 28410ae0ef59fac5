"""The page-cache tags of policies: what a page names, and what a change retires.

Every reader page carries `policies`: its footer links the live policies, and the structured
data of a story, an author's page and /about/ names them. A policy going live or coming down
(or created, deleted, or given another kind) retires it, and so every reader page. An edit of a
live policy's words retires only `policy-<kind>`: its own page and the list of policies, which
shows its title.
"""

from __future__ import annotations

from newsroom import pagecache

from .models import Policy

# Which policies are live: every page's footer, the structured data, the list of policies.
POLICIES = "policies"


def policy(kind: str) -> str:
    return f"policy-{kind}"


def policy_changed(instance: Policy, *, created: bool = False, deleted: bool = False) -> None:
    tags = {policy(instance.kind)}
    before = getattr(instance, "listed_as", None)
    if created or deleted or before != instance.listing_state():
        tags.add(POLICIES)
        if before is not None:
            tags.add(policy(before[0]))
    instance.listed_as = instance.listing_state()
    pagecache.retire(tags)


# --- Receivers, connected in PublisherConfig.ready() ---


def policy_saved(sender, instance: Policy, created: bool = False, **kwargs) -> None:
    policy_changed(instance, created=created)


def policy_deleted(sender, instance: Policy, **kwargs) -> None:
    policy_changed(instance, deleted=True)
