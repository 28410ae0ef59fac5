"""The editors' desk: admin screens, their forms, revision diffs, preview links, import screens."""
