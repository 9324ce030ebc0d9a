"""Reads that span models: what pages, the admin dashboard and exports show.

Each function bundles its joins and prefetches so callers make a fixed number of queries
whatever the size of the document.
"""
