-- +goose Up
-- The address block of the duplicate search (dedup.PersonBlocks) reads the address spelled out
-- and folded (dedup.PersonAddressKey: "Th. 3, X. Gio Mỹ" and "Thôn 3, xã Gio Mỹ" are one key),
-- which neither database can compute: the service writes it with every person it writes, and
-- derives it for the persons written before (Duplicates.IndexPersons, before it serves). The
-- index on the address as typed is kept: the lookup no longer reads it, but whether the grouped
-- read of the common addresses at a start (WarmPersons) does was not measured.
ALTER TABLE persons ADD COLUMN block_address TEXT;
CREATE INDEX persons_block_address_idx ON persons (block_address, birth_year);

-- +goose Down
DROP INDEX persons_block_address_idx;
ALTER TABLE persons DROP COLUMN block_address;
