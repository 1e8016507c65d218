-- Activities, deadlines and inspection plans may belong to a campaign (or a stage), as
-- models do: then a campaign's period counts them by the campaign, whatever their day
-- (a conference held on 20/10/2017 for the 2018 campaign counts in "năm 2018"); one of
-- no campaign counts by its day, as before.
ALTER TABLE danvan.activities ADD COLUMN campaign_id bigint REFERENCES danvan.campaigns (id);
ALTER TABLE danvan.deadlines ADD COLUMN campaign_id bigint REFERENCES danvan.campaigns (id);
ALTER TABLE danvan.inspection_plans ADD COLUMN campaign_id bigint REFERENCES danvan.campaigns (id);
CREATE INDEX activities_campaign ON danvan.activities (campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX deadlines_campaign ON danvan.deadlines (campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX inspection_plans_campaign ON danvan.inspection_plans (campaign_id) WHERE campaign_id IS NOT NULL;
