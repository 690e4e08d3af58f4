"""The ports: what the service needs from the world, in its own words.

- `tracker.Tracker`: issues, notes, moves, people, projects (adapters/redmine/ implements it);
- `notifications.Notifications`: telling people outside the tracker (adapters/notify.py).

`service/` and `entrypoints/` reach the world only through these; `adapters/` implement
them. A second tracker is one `adapters/<name>/` package implementing `Tracker` (and its
`TrackerKind`: open, check, init, setup) plus one config section; see `tracker.py`.
"""
