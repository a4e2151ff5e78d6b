-- Switching termination relay (スイッチング廃止取次, slides 10 and 24–25), kept by the hub itself:
-- the new retailer asks, through the hub, the old retailer to end its supply contract; the old
-- retailer fetches the relays addressed to it (at least once an hour) and decides OK or NG.
-- Status: 01 awaiting decision, 02 OK, 03 NG, 04 cancelled (hub/relay/relay.ts).

-- One row per day in Japan: the last serial of the relay numbers handed out that day.
CREATE TABLE relay_counter (
  day date PRIMARY KEY,
  last_serial integer NOT NULL CHECK (last_serial > 0)
);

CREATE TABLE relay (
  -- RL20261128000123: 'RL', the registration day, a 7-digit serial of that day.
  relay_number text PRIMARY KEY,
  family text NOT NULL CHECK (family IN ('LV', 'HV', 'FIT')),
  supply_point_id text NOT NULL,
  area text NOT NULL,
  contract_number text,
  -- { prefecture, city, street, building? } as the interfaces give it.
  address jsonb,
  holder_name_kana text,
  holder_name text,
  -- The kana name normalised (domain/kana.ts), for the prefix search that treats spellings alike.
  holder_kana_key text NOT NULL DEFAULT '',
  termination_date date,
  new_company_code text NOT NULL,
  -- The participant codes (company code + area digit) as the retailers gave and know them.
  new_participant_code text NOT NULL,
  old_company_code text NOT NULL,
  old_participant_code text NOT NULL,
  phone_number text,
  remarks text,
  status text NOT NULL CHECK (status IN ('01', '02', '03', '04')),
  deciding_person_name text,
  ng_reason text,
  ng_text text,
  decided_at timestamptz,
  registered_at timestamptz NOT NULL,
  -- The registration day in Japan (the 登録日 filter).
  registered_on date NOT NULL,
  updated_at timestamptz NOT NULL,
  -- Bumped by every change: lists order by updated_at, then by this, newest first.
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT relay_not_to_self CHECK (new_company_code <> old_company_code),
  CONSTRAINT relay_decided_has_person CHECK ((status IN ('02', '03')) = (decided_at IS NOT NULL AND deciding_person_name IS NOT NULL)),
  CONSTRAINT relay_ng_has_reason CHECK ((status = '03') = (ng_reason IS NOT NULL))
);

-- At most one relay awaiting a decision per supply point: the duplicate-relay rule, held by the
-- database even against two registrations at the same moment.
CREATE UNIQUE INDEX relay_open_point_idx ON relay (supply_point_id) WHERE status = '01';

-- The two lists (newest update first) and their filters, for each side: every filter has an
-- index its count reads alone (an index-only scan), and the filters that keep many rows one that
-- also gives the order, so the first page reads 20 index entries.
CREATE INDEX relay_old_list_idx ON relay (old_company_code, family, updated_at DESC, relay_number DESC);
CREATE INDEX relay_new_list_idx ON relay (new_company_code, family, updated_at DESC, relay_number DESC);
CREATE INDEX relay_old_status_idx ON relay (old_company_code, family, status, updated_at DESC, relay_number DESC);
CREATE INDEX relay_new_status_idx ON relay (new_company_code, family, status, updated_at DESC, relay_number DESC);
CREATE INDEX relay_old_other_idx ON relay (old_company_code, family, new_participant_code, updated_at DESC, relay_number DESC);
CREATE INDEX relay_new_other_idx ON relay (new_company_code, family, old_participant_code, updated_at DESC, relay_number DESC);
CREATE INDEX relay_old_kana_idx ON relay (old_company_code, family, holder_kana_key text_pattern_ops);
CREATE INDEX relay_new_kana_idx ON relay (new_company_code, family, holder_kana_key text_pattern_ops);
CREATE INDEX relay_old_name_idx ON relay (old_company_code, family, holder_name text_pattern_ops);
CREATE INDEX relay_new_name_idx ON relay (new_company_code, family, holder_name text_pattern_ops);
CREATE INDEX relay_old_registered_idx ON relay (old_company_code, family, registered_on);
CREATE INDEX relay_new_registered_idx ON relay (new_company_code, family, registered_on);
CREATE INDEX relay_point_idx ON relay (supply_point_id);
-- The monitoring of waits: relays still awaiting, per old retailer.
CREATE INDEX relay_awaiting_idx ON relay (old_company_code, registered_at) WHERE status = '01';

-- How many relays each retailer has on each side, per family, retailer on the other side and
-- status: the total of a list without a filter, or filtered by status or the other retailer only
-- (the filters that keep hundreds of thousands of rows), is summed here instead of counted. Kept by
-- the statement triggers below, in the writing transaction.
CREATE TABLE relay_count (
  company_code text NOT NULL,
  side text NOT NULL CHECK (side IN ('new', 'old')),
  family text NOT NULL,
  -- The participant code of the retailer on the other side.
  other_code text NOT NULL,
  status text NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (company_code, side, family, other_code, status)
);

CREATE FUNCTION relay_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO hub.relay_count AS c (company_code, side, family, other_code, status, n)
  SELECT old_company_code, 'old', family, new_participant_code, status, count(*) FROM added
   GROUP BY old_company_code, family, new_participant_code, status
  UNION ALL
  SELECT new_company_code, 'new', family, old_participant_code, status, count(*) FROM added
   GROUP BY new_company_code, family, old_participant_code, status
  ON CONFLICT (company_code, side, family, other_code, status) DO UPDATE SET n = c.n + EXCLUDED.n;
  RETURN NULL;
END
$$;

CREATE FUNCTION relay_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO hub.relay_count AS c (company_code, side, family, other_code, status, n)
  SELECT company_code, side, family, other_code, status, sum(delta)
    FROM (
      SELECT old_company_code AS company_code, 'old' AS side, family, new_participant_code AS other_code, status, 1 AS delta FROM added
      UNION ALL SELECT new_company_code, 'new', family, old_participant_code, status, 1 FROM added
      UNION ALL SELECT old_company_code, 'old', family, new_participant_code, status, -1 FROM removed
      UNION ALL SELECT new_company_code, 'new', family, old_participant_code, status, -1 FROM removed
    ) d
   GROUP BY company_code, side, family, other_code, status
  HAVING sum(delta) <> 0
  ON CONFLICT (company_code, side, family, other_code, status) DO UPDATE SET n = c.n + EXCLUDED.n;
  RETURN NULL;
END
$$;

CREATE FUNCTION relay_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE hub.relay_count c SET n = c.n - d.n
    FROM (SELECT old_company_code AS company_code, 'old' AS side, family, new_participant_code AS other_code, status, count(*) AS n
            FROM removed GROUP BY 1, 3, 4, 5
          UNION ALL
          SELECT new_company_code, 'new', family, old_participant_code, status, count(*) FROM removed GROUP BY 1, 3, 4, 5) d
   WHERE c.company_code = d.company_code AND c.side = d.side AND c.family = d.family AND c.other_code = d.other_code AND c.status = d.status;
  RETURN NULL;
END
$$;

CREATE TRIGGER relay_count_on_insert AFTER INSERT ON relay REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION relay_count_inserted();
CREATE TRIGGER relay_count_on_update AFTER UPDATE ON relay REFERENCING OLD TABLE AS removed NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION relay_count_updated();
CREATE TRIGGER relay_count_on_delete AFTER DELETE ON relay REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION relay_count_deleted();

-- What happened to each relay, in order: registered, modified, cancelled, decided (OK / NG).
CREATE TABLE relay_event (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  relay_number text NOT NULL REFERENCES relay (relay_number),
  event text NOT NULL CHECK (event IN ('registered', 'modified', 'cancelled', 'decidedOk', 'decidedNg')),
  status text NOT NULL,
  company_code text NOT NULL,
  -- The signed-in user on the web; null for a system's API call.
  user_id text,
  at timestamptz NOT NULL
);
CREATE INDEX relay_event_relay_idx ON relay_event (relay_number, id);

-- The answer to each relay request (IS_20110 and IS_20410 and their K/F variants), by the caller's
-- request ID: the same request sent again gets the same answer and changes nothing.
CREATE TABLE relay_request (
  company_code text NOT NULL,
  request_id text NOT NULL,
  interface_id text NOT NULL,
  -- A digest of the validated request: the same request ID with other content is refused.
  body_digest text NOT NULL,
  answer jsonb NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (company_code, request_id)
);

-- When each retailer last fetched the relays addressed to it (IS_20310 or the received list):
-- slide 10 asks for at least once an hour.
CREATE TABLE relay_fetch (
  company_code text PRIMARY KEY,
  fetched_at timestamptz NOT NULL
);

-- Each hour in which a retailer with relays awaiting its decision did not fetch them, as the
-- hourly check found it.
CREATE TABLE relay_fetch_lapse (
  company_code text NOT NULL,
  -- The hour checked (its start, business time).
  hour timestamptz NOT NULL,
  awaiting integer NOT NULL,
  last_fetched_at timestamptz,
  PRIMARY KEY (company_code, hour)
);
