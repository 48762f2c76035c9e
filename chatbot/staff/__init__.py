"""The staff console: articles, previews, what patients ask, booking requests and evals, behind a login."""
