-- The movement's year runs from one tradition-day review to the next, not January to
-- December: Càng Long reviewed 2017 on 13/10/2017 and opened registration for 2018 on
-- 15/10/2017. A period may therefore belong to a campaign, and then it counts that
-- campaign's models (those of the campaigns of a stage, for a stage's period), not the
-- models whose registration day falls between its dates. A period of no campaign is a
-- calendar period, as before.

-- A campaign year may belong to a stage (giai đoạn 2016–2018), itself a campaign.
ALTER TABLE danvan.campaigns ADD COLUMN stage_id bigint REFERENCES danvan.campaigns (id),
    ADD CONSTRAINT campaigns_not_own_stage CHECK (stage_id <> id);
CREATE INDEX campaigns_stage ON danvan.campaigns (stage_id) WHERE stage_id IS NOT NULL;

ALTER TABLE danvan.periods ADD COLUMN campaign_id bigint REFERENCES danvan.campaigns (id);
ALTER TABLE danvan.periods DROP CONSTRAINT periods_kind_starts_on_ends_on_key;
CREATE UNIQUE INDEX periods_unique ON danvan.periods (coalesce(campaign_id, 0), kind, starts_on, ends_on);
COMMENT ON COLUMN danvan.periods.campaign_id IS
    'The campaign (or stage) whose models this period counts, registered up to its last day; NULL: models registered between its dates';
