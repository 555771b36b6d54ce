-- The people to talk to at a vendor (sales rep, support, accounts): a short list kept with the vendor, validated
-- by the application (name required, e-mail and phone checked, at most 20).
ALTER TABLE vendors ADD COLUMN contacts jsonb NOT NULL DEFAULT '[]'
    CHECK (jsonb_typeof(contacts) = 'array' AND jsonb_array_length(contacts) <= 20);
