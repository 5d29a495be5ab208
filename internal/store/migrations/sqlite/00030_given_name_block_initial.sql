-- +goose Up
-- The given-name block of the duplicate search (dedup.PersonBlocks) asks for the family name's
-- initial too: a common given name born within a year gathered about 900 persons at a register
-- of a million, each one read from the table and scored, and its initial divides them by about
-- five. The index answers the block without reading the persons it leaves out. The expression
-- must stay the very one the lookup writes, or neither database uses the index.
CREATE INDEX persons_block_given_initial_idx ON persons (block_given, (substr(name_folded, 1, 1)), birth_year);
DROP INDEX persons_block_given_idx;

-- +goose Down
CREATE INDEX persons_block_given_idx ON persons (block_given, birth_year);
DROP INDEX persons_block_given_initial_idx;
