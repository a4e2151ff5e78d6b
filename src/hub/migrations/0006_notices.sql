-- Notices (インフォメーション, slide 22): written by the hub operator's administrators, read by every
-- signed-in user from the day they are published until their end date (inclusive), if any.
-- Dates are business dates in Japan. A deleted notice is gone: notices hold no one's data and the
-- audit log keeps who deleted which.
CREATE TABLE notice (
  notice_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
  published_on date NOT NULL,
  ends_on date CHECK (ends_on IS NULL OR ends_on >= published_on),
  -- The user ID of the hub administrator who wrote it (`system` for the demo seed).
  author_user_id text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL
);
-- Lists are newest first by publication date.
CREATE INDEX notice_published ON notice (published_on DESC, notice_id DESC);
