-- Market fidelity (issue 16): each area's reading schedule numbers, a published reading calendar
-- per area, voltage and year, the two independent meter flags, and the contract types of the
-- facility search list (slide 26).

-- 1. Reading schedule numbers (検針日程) are the area's own (src/domain/reading-day.ts,
-- areaReadingRules): Tokyo 01–26 with 05 06 07 13 14 20 21 unused, Hokkaido 01–23, Tohoku 01–19,
-- Chubu 01–19 without 07 and 14, Hokuriku 02–25, Kansai HV 1–18 (fixed calendar days), the others
-- 01–20. Points numbered by the former 20 groups are renumbered onto the area's numbers, in order.
ALTER TABLE supply_point DROP CONSTRAINT supply_point_reading_group_check;
ALTER TABLE supply_point ADD CONSTRAINT supply_point_reading_group_check CHECK (reading_group BETWEEN 1 AND 99);

UPDATE supply_point SET reading_group = (ARRAY[1, 2, 3, 4, 8, 9, 10, 11, 12, 15, 16, 17, 18, 19, 22, 23, 24, 25, 26])[((reading_group - 1) % 19) + 1]
 WHERE current_schema() = 'grid_03';
UPDATE supply_point SET reading_group = ((reading_group - 1) % 19) + 1 WHERE current_schema() = 'grid_02';
UPDATE supply_point SET reading_group = (ARRAY[1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19])[((reading_group - 1) % 17) + 1]
 WHERE current_schema() = 'grid_04';
UPDATE supply_point SET reading_group = reading_group + 1 WHERE current_schema() = 'grid_05';
UPDATE supply_point SET reading_group = ((reading_group - 1) % 18) + 1 WHERE current_schema() = 'grid_06' AND voltage_class <> 'LV';

-- 2. A published reading calendar (定例検針日一覧表), loaded by the operator
-- (`kirikae grid reading-days load`): schedule number `reading_group` of `voltage` reads on
-- `reading_day`. A loaded day overrides the area's rule for that number and month.
CREATE TABLE reading_calendar (
  voltage text NOT NULL CHECK (voltage IN ('LV', 'HV')),
  reading_group smallint NOT NULL CHECK (reading_group BETWEEN 1 AND 99),
  reading_day date NOT NULL,
  -- The first day of the reading day's month: one day per number and month.
  reading_month date GENERATED ALWAYS AS (date_trunc('month', reading_day::timestamp)::date) STORED,
  loaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (voltage, reading_group, reading_month)
);

-- 3. Meter flags (HEPCO [S4]): 30分値収集可 is the smart meter (kind); 自動検針不可 is independent of
-- it. NULL: as the kind says (a conventional meter cannot be read remotely, a smart one can);
-- true on a smart meter: smart, but not yet reachable, so a switch or move-in needs meter work.
ALTER TABLE meter ADD COLUMN auto_reading_unavailable boolean;

-- 4. Contract types of the facility search list (slide 26): 電灯, 電灯臨時, 動力, 動力臨時, 深夜電力,
-- 電灯定額, 動力臨時定額, and 高圧. The former 臨時 and 定額 were lighting contracts.
ALTER TABLE supply_point DROP CONSTRAINT supply_point_contract_type_check;
UPDATE supply_point SET contract_type = 'temporaryLighting' WHERE contract_type = 'temporary';
UPDATE supply_point SET contract_type = 'flatRateLighting' WHERE contract_type = 'flatRate';
ALTER TABLE supply_point ADD CONSTRAINT supply_point_contract_type_check CHECK (contract_type IN (
  'lighting', 'temporaryLighting', 'power', 'temporaryPower', 'lateNight', 'flatRateLighting', 'temporaryPowerFlatRate', 'highVoltage'));
