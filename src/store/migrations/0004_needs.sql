-- Version 4: needs and population.
-- Reserved while the domain is written; its tables go here before this version ships.
SELECT 1;
