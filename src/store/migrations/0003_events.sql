-- Version 3: events and incidents (ACLED, UCDP).
-- Reserved while the domain is written; its tables go here before this version ships.
SELECT 1;
