-- The monthly variant of a CSV report (GENSHIWAKE LV 群単位, `STD_GENSHIWAKE_G`, named
-- `STD_GENSHIWAKE_G_{area}_{yyyymm}_{rr}.csv`; its target_date is the month's first day) is a kind too.
ALTER TABLE pps_file DROP CONSTRAINT pps_file_kind_check;
ALTER TABLE pps_file ADD CONSTRAINT pps_file_kind_check CHECK (kind ~ '^(W[0-9]{5}|STD_[A-Z]+(_G)?)$');
