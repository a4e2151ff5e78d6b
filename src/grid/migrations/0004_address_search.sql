-- The web-only supply point search by address (供給地点特定番号検索, src/grid/lookup/search.handler.ts):
-- a prefix of the registered address, typed from the prefecture on or from the city on.
-- text_pattern_ops: LIKE 'prefix%' uses the index whatever the database collation is.
CREATE INDEX supply_point_address_idx ON supply_point ((prefecture || city || street) text_pattern_ops);
CREATE INDEX supply_point_city_street_idx ON supply_point ((city || street) text_pattern_ops);
