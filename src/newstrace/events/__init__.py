"""Who did what to whom: PLOVER event types, trigger lexicon, actor resolution, dates and event grouping.

Nothing here imports spaCy: `newstrace.nlp.events` reads the parse and hands plain spans to these
modules, so the typing, the actors and the grouping also run on stored records.
"""
