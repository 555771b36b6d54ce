-- Each login attempt is counted before its password is checked (issue #20): the row carries the attempt's id
-- so that a successful attempt takes its own rows back.
ALTER TABLE login_failures ADD COLUMN attempt uuid;
CREATE INDEX login_failures_attempt_idx ON login_failures (attempt) WHERE attempt IS NOT NULL;
