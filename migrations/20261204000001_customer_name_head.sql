-- Search as you type, newest first, without reading every customer whose name starts with what was typed.
--
-- customers_name_prefix_idx finds the names that start with a prefix, but sorting them by age reads all of
-- them: `nakatomi heal` matches ~7,000 of 2M customers (2–3 ms of index per keystroke), `nak` 83,000.
-- This index groups customers by the first three letters of their name, newest last within a group, so a
-- prefix is matched by walking its group in age order and stops at the page's last row: a prefix that
-- matches one name in twelve of its group reads ~600 entries for a page of 50 (index only: the name and the
-- owner, which decides visibility, are included). See `repo::customers::name_prefix_walk`.
CREATE INDEX customers_name_head_idx ON customers (lower(left(name, 3)), created_at, id)
    INCLUDE (name, owner_id);
