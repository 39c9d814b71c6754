-- newstrace PostgreSQL schema 11 (SQLite's 21): the articles counted per set of flags their renderings
-- carry (the `flags` bits of article_facet_keys, schema 10: 1 altered_direct_quote, 2 speaker_changed,
-- 4 translated), so that a search for a flag alone is totalled by summing a handful of rows instead of
-- counting its articles through the flagged renderings. A trigger on the facet keys keeps the counts as
-- those rows change; sets of flags no article carries any more stay, at 0.

CREATE TABLE flag_counts (
    flags integer PRIMARY KEY,
    n     bigint NOT NULL
);

INSERT INTO flag_counts(flags, n)
    SELECT flags, count(*) FROM article_facet_keys WHERE flags <> 0 GROUP BY flags;

CREATE FUNCTION newstrace_count_flags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE flag_counts SET n = n - 1 WHERE flags = OLD.flags;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        IF NEW.flags <> 0 THEN
            INSERT INTO flag_counts(flags, n) VALUES (NEW.flags, 1)
            ON CONFLICT (flags) DO UPDATE SET n = flag_counts.n + 1;
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER flag_counts_insert_delete AFTER INSERT OR DELETE ON article_facet_keys
    FOR EACH ROW EXECUTE FUNCTION newstrace_count_flags();
-- an update that leaves the flags as they were (a new outlet, say) changes no count
CREATE TRIGGER flag_counts_update AFTER UPDATE OF flags ON article_facet_keys
    FOR EACH ROW WHEN (OLD.flags IS DISTINCT FROM NEW.flags) EXECUTE FUNCTION newstrace_count_flags();
