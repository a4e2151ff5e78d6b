-- Meter work (計器工事): an application completed with meter work (stage 08) changes the point's
-- meters in the same transaction (src/grid/applications/jobs.ts). A meter taken out of service is
-- kept with the day it was removed, so the registry still knows which meter measured the past;
-- the facility look-up shows only meters in service (removed_on IS NULL).
ALTER TABLE meter ADD COLUMN removed_on date;

-- Numbers of the meters the reference grid installs by meter work: 2 + a 9-digit serial of the area
-- (the synthetic registry numbers smart meters 1…, conventional ones 5…, so they never collide).
CREATE SEQUENCE meter_number_seq MINVALUE 1 MAXVALUE 999999999 NO CYCLE;
