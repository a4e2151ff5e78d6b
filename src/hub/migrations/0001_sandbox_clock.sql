-- The sandbox clock: how far a hub administrator has moved time forward (never back).
-- One row; production mode never writes it.
CREATE TABLE sandbox_clock (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  offset_ms bigint NOT NULL DEFAULT 0 CHECK (offset_ms >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO sandbox_clock DEFAULT VALUES;
