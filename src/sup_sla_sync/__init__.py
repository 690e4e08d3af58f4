"""sup-sla-sync: enforces the E-DOC support regulation's SLA inside a Redmine tracker."""

__version__ = "0.1.0"
