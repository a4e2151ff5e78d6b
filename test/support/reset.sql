-- Test databases are reused within a test process: a test's database is put back, after the test,
-- into the state the migrations left it in. This file runs once, on the migrated template, and
-- records that state in the schema `kirikae_test`; `kirikae_test.reset()` restores it:
--   * schemas made after the template (pg-boss's `pgboss`, a test's scratch schema) are dropped;
--   * so are tables added to the template's schemas;
--   * every table of the template is emptied, and the rows the migrations inserted (the ledger of
--     each schema, the sandbox clock) are put back, with triggers off throughout;
--   * every sequence goes back to its value (identity columns start again at 1).
CREATE SCHEMA kirikae_test;

CREATE TABLE kirikae_test.template_table AS
  SELECT n.nspname AS schema_name, c.relname AS table_name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'kirikae_test')
    AND n.nspname !~ '^pg_';

CREATE TABLE kirikae_test.template_schema AS
  SELECT nspname AS schema_name FROM pg_namespace
  WHERE nspname NOT IN ('information_schema', 'kirikae_test') AND nspname !~ '^pg_';

CREATE TABLE kirikae_test.template_sequence AS
  SELECT schemaname AS schema_name, sequencename AS sequence_name, start_value, last_value
  FROM pg_sequences WHERE schemaname <> 'kirikae_test';

-- The rows the migrations inserted, table by table, as one JSON array each.
CREATE TABLE kirikae_test.template_row (schema_name text, table_name text, columns text, rows jsonb);

DO $$
DECLARE
  t record;
  has_rows boolean;
  cols text;
BEGIN
  FOR t IN SELECT schema_name, table_name FROM kirikae_test.template_table LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)', t.schema_name, t.table_name) INTO has_rows;
    IF has_rows THEN
      SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
      FROM pg_attribute a
      WHERE a.attrelid = format('%I.%I', t.schema_name, t.table_name)::regclass
        AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
      EXECUTE format(
        'INSERT INTO kirikae_test.template_row SELECT %L, %L, %L, jsonb_agg(to_jsonb(r)) FROM (SELECT %s FROM %I.%I) r',
        t.schema_name, t.table_name, cols, cols, t.schema_name, t.table_name);
    END IF;
  END LOOP;
END $$;

-- The reset function is written out table by table, with static SQL only: PL/pgSQL keeps the plan of
-- each statement for the session, so after the first reset of a database each costs next to nothing
-- (dynamic SQL would plan a hundred statements on every reset).
DO $do$
DECLARE
  body text := '';
  t record;
BEGIN
  FOR t IN SELECT schema_name, table_name FROM kirikae_test.template_table ORDER BY 1, 2 LOOP
    body := body || format(E'  IF EXISTS (SELECT 1 FROM %1$I.%2$I) THEN DELETE FROM %1$I.%2$I; END IF;\n', t.schema_name, t.table_name);
  END LOOP;
  FOR t IN SELECT * FROM kirikae_test.template_row LOOP
    body := body || format(E'  INSERT INTO %1$I.%2$I (%3$s) OVERRIDING SYSTEM VALUE SELECT %3$s FROM jsonb_populate_recordset(NULL::%1$I.%2$I, %4$L);\n',
      t.schema_name, t.table_name, t.columns, t.rows::text);
  END LOOP;
  FOR t IN SELECT * FROM kirikae_test.template_sequence ORDER BY 1, 2 LOOP
    IF t.last_value IS NULL THEN
      body := body || format(E'  IF (SELECT is_called FROM %1$I.%2$I) THEN PERFORM setval(%3$L, %4$s, false); END IF;\n',
        t.schema_name, t.sequence_name, format('%I.%I', t.schema_name, t.sequence_name), t.start_value);
    ELSE
      body := body || format(E'  IF (SELECT NOT is_called OR last_value <> %4$s FROM %1$I.%2$I) THEN PERFORM setval(%3$L, %4$s, true); END IF;\n',
        t.schema_name, t.sequence_name, format('%I.%I', t.schema_name, t.sequence_name), t.last_value);
    END IF;
  END LOOP;
  EXECUTE format($f$
CREATE FUNCTION kirikae_test.reset() RETURNS void LANGUAGE plpgsql AS $body$
DECLARE
  s record;
  t record;
BEGIN
  -- Schemas and tables the template did not have (pg-boss's, a test's scratch tables) go.
  FOR s IN
    SELECT nspname FROM pg_namespace
    WHERE nspname NOT IN ('information_schema', 'kirikae_test') AND nspname !~ '^pg_'
      AND nspname NOT IN (SELECT schema_name FROM kirikae_test.template_schema)
  LOOP
    EXECUTE format('DROP SCHEMA %%I CASCADE', s.nspname);
  END LOOP;
  FOR t IN
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname IN (SELECT schema_name FROM kirikae_test.template_schema)
      AND (n.nspname, c.relname) NOT IN (SELECT schema_name, table_name FROM kirikae_test.template_table)
  LOOP
    EXECUTE format('DROP TABLE IF EXISTS %%I.%%I CASCADE', t.nspname, t.relname);
  END LOOP;
  -- Triggers off: the audit log refuses deletion (append-only), foreign keys need no order, and
  -- restored rows must not count twice. Only tables that have rows are emptied (DELETE of a few
  -- rows costs far less than TRUNCATE of a hundred tables, which makes new files for each).
  SET LOCAL session_replication_role = replica;
%s
END $body$;
$f$, body);
END $do$;
