-- +goose Up
-- The register's handling detail (Form 03 of Circular 04/2021, "Hướng xử lý"): a visit
-- returned with guidance names the guidance document's number; a visit transferred names the
-- body it went to and the transfer document's number. A case names the body that already
-- handled the matter ("Cơ quan đã giải quyết"), which is not the respondent it is about.
ALTER TABLE visits ADD COLUMN guidance_number TEXT;
ALTER TABLE visits ADD COLUMN transferred_to TEXT;
ALTER TABLE visits ADD COLUMN transfer_number TEXT;
ALTER TABLE cases ADD COLUMN previously_handled_by TEXT;

-- +goose Down
ALTER TABLE cases DROP COLUMN previously_handled_by;
ALTER TABLE visits DROP COLUMN transfer_number;
ALTER TABLE visits DROP COLUMN transferred_to;
ALTER TABLE visits DROP COLUMN guidance_number;
