-- Typo-tolerant customer search without comparing the typo against every name.
--
-- Before: `name % 'nakatmoi helth'` over customers_name_trgm_idx read ~90,000 trigram candidates at 2M
-- customers (0.6 s). Now each misspelt word is corrected against this dictionary of the words that occur in
-- customer names (a few thousand rows in practice; the pg_trgm documentation's "separate table of words"),
-- and the corrected words are searched through the full-text index like any other query.
--
-- Words are added by statement triggers in the writing transaction and never removed: a word whose last
-- customer is gone can only turn a typo into a query that finds nothing.
CREATE TABLE customer_name_words (
    word text PRIMARY KEY CHECK (length(word) BETWEEN 3 AND 60)
);
CREATE INDEX customer_name_words_trgm_idx ON customer_name_words USING gist (word gist_trgm_ops);

-- The words a typo can be corrected to: lexemes of the name that hold a letter and are 3–60 characters
-- long (numbers such as "Acme 12" are not misspelt words).
CREATE FUNCTION crm_name_words(name text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT w FROM unnest(tsvector_to_array(to_tsvector('simple', name))) AS w
    WHERE w ~ '[[:alpha:]]' AND length(w) BETWEEN 3 AND 60
$$;

CREATE FUNCTION customer_name_words_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Sorted, so that two transactions adding the same new words take their locks in the same order.
    IF TG_OP = 'INSERT' THEN
        INSERT INTO customer_name_words (word)
        SELECT DISTINCT w FROM changed, crm_name_words(changed.name) AS w
        ORDER BY w
        ON CONFLICT DO NOTHING;
    ELSE
        -- Only renamed customers: a bulk change of owners or tags adds nothing.
        INSERT INTO customer_name_words (word)
        SELECT DISTINCT w FROM changed JOIN previous USING (id), crm_name_words(changed.name) AS w
        WHERE changed.name IS DISTINCT FROM previous.name
        ORDER BY w
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER customers_name_words_insert AFTER INSERT ON customers
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION customer_name_words_add();
CREATE TRIGGER customers_name_words_update AFTER UPDATE ON customers
    REFERENCING OLD TABLE AS previous NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION customer_name_words_add();

INSERT INTO customer_name_words (word)
SELECT DISTINCT w FROM customers, crm_name_words(customers.name) AS w
ON CONFLICT DO NOTHING;
