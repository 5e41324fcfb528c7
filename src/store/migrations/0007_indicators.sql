-- Version 7: indicators, benchmarks and observations.
-- Reserved while the domain is written; its tables go here before this version ships.
SELECT 1;
