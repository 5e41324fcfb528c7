-- Version 6: organisations' users, roles and API tokens.
-- Reserved while the domain is written; its tables go here before this version ships.
SELECT 1;
