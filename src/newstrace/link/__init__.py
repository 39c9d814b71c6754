"""Linking across articles: speakers now; duplicates, stories and quote trails next."""
