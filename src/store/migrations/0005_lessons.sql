-- Version 5: the lessons-learned register.
-- Reserved while the domain is written; its tables go here before this version ships.
SELECT 1;
