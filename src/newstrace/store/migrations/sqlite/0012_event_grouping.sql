-- newstrace schema 12: one event across its reports. After stories are linked, the grouping step
-- (`newstrace.events.grouping`) resolves each mention's date against its article's date, links a
-- statement made inside a quote to that quote and its speaker, and groups the mentions of one occurrence
-- within a story into a row of `events`; `version` is the grouping's version (a new one regroups).

ALTER TABLE event_mentions ADD COLUMN speaker_id INTEGER;  -- the speaker of the quote it is in
ALTER TABLE event_mentions ADD COLUMN speaker_is_source INTEGER;  -- 1: that speaker is its source
ALTER TABLE events ADD COLUMN source_kind TEXT;
ALTER TABLE events ADD COLUMN target_kind TEXT;
ALTER TABLE events ADD COLUMN last_reported TEXT;
ALTER TABLE events ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX events_by_story ON events(story_id);

-- `export events`: one row per event, named as POLECAT names its columns where it has one.
CREATE VIEW events_export AS
    SELECT id AS event_id, date AS event_date, event_type, mode AS event_mode, auxiliary AS event_auxiliary,
           source_name AS actor_name, source_code AS actor_code, source_kind AS actor_kind,
           source_sector AS actor_sector, target_name AS recipient_name, target_code AS recipient_code,
           target_kind AS recipient_kind, target_sector AS recipient_sector, object_text AS event_object,
           story_id, first_article_id, first_reported, last_reported, n_mentions, n_articles, n_outlets,
           outlets, confidence
    FROM events;
