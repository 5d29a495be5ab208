-- +goose Up
-- Who was ever recorded as a denouncer. A person named in a visit or delegation about a case
-- that is (or counts for, by a merge) a denunciation is written here with that case and with
-- the organisation owning the denunciation, whose staff may know them; the row stays whatever
-- later happens to the case's category or merges (registry/confidential.go reads and writes it).
CREATE TABLE denouncers (
    person_id   TEXT NOT NULL REFERENCES persons(id),
    case_id     TEXT NOT NULL REFERENCES cases(id),
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (person_id, case_id, org_id)
);
CREATE INDEX denouncers_case_idx ON denouncers (case_id);

-- the denouncers of the register as it stands: every link of a person to a case that is a
-- denunciation itself or was merged into one
INSERT INTO denouncers (person_id, case_id, org_id, recorded_at)
SELECT DISTINCT l.person_id, l.case_id, k.org_id, CURRENT_TIMESTAMP
FROM (SELECT vp.person_id, v.case_id FROM visit_persons vp JOIN visits v ON v.id = vp.visit_id
      UNION
      SELECT dr.person_id, d.case_id FROM delegation_representatives dr JOIN delegations d ON d.id = dr.delegation_id
      WHERE d.case_id IS NOT NULL) l
JOIN cases c ON c.id = l.case_id
JOIN cases k ON (k.seq = c.seq OR k.seq = c.root_seq) AND k.category = 'denunciation'
WHERE true
ON CONFLICT DO NOTHING;

-- Every audit entry carries the organisation of what it is about, so that a reader scoped to a
-- subtree reads only that subtree's entries; null for what belongs to no organisation (an
-- unscoped token, a search across the whole register), which only unscoped readers see.
ALTER TABLE audit_log ADD COLUMN org_id TEXT;
CREATE INDEX audit_org_idx ON audit_log (org_id, seq);
UPDATE audit_log SET org_id = (SELECT org_id FROM persons WHERE persons.id = audit_log.entity_id) WHERE entity = 'person';
UPDATE audit_log SET org_id = (SELECT org_id FROM sessions WHERE sessions.id = audit_log.entity_id) WHERE entity = 'session';
UPDATE audit_log SET org_id = (SELECT org_id FROM visits WHERE visits.id = audit_log.entity_id) WHERE entity = 'visit';
UPDATE audit_log SET org_id = (SELECT org_id FROM delegations WHERE delegations.id = audit_log.entity_id) WHERE entity = 'delegation';
UPDATE audit_log SET org_id = (SELECT org_id FROM cases WHERE cases.id = audit_log.entity_id) WHERE entity = 'case';
UPDATE audit_log SET org_id = (SELECT org_id FROM notices WHERE notices.id = audit_log.entity_id) WHERE entity = 'notice';
UPDATE audit_log SET org_id = (SELECT org_id FROM directives WHERE directives.id = audit_log.entity_id) WHERE entity = 'directive';

-- +goose Down
DROP INDEX audit_org_idx;
ALTER TABLE audit_log DROP COLUMN org_id;
DROP TABLE denouncers;
