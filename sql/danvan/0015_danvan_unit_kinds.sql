-- The bodies that run the movement, as units of their own. Added alone: a new enum
-- value cannot be used in the transaction that adds it, so 0026 uses them.
--   mass_mobilisation_committee  Ban Dân vận (of a province's, district's or commune's
--                                party committee): receives registrations, runs the
--                                movement at its level.
--   mass_mobilisation_bloc       Khối Dân vận of a commune or ward: the working core.
--   cluster                      cụm thi đua: units that report together ("giao ban
--                                cụm"); its members are other units, for a span of days.
ALTER TYPE danvan.unit_kind ADD VALUE IF NOT EXISTS 'mass_mobilisation_committee';
ALTER TYPE danvan.unit_kind ADD VALUE IF NOT EXISTS 'mass_mobilisation_bloc';
ALTER TYPE danvan.unit_kind ADD VALUE IF NOT EXISTS 'cluster';
