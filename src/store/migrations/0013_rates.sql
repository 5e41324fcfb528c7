-- Exchange rates and the mission's reporting currency (money).
--
-- Rates are reference data shared by every mission, quoted as the ECB quotes them: units of
-- the currency for one euro. kind 'daily' is a fixing of that day; 'annual' an average over a
-- calendar year, dated 1 January. EUR itself is never stored (its rate is 1 by definition).
CREATE TABLE fx_rate (
	currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
	kind TEXT NOT NULL CHECK (kind IN ('daily', 'annual')),
	date INTEGER NOT NULL,
	per_eur REAL NOT NULL CHECK (per_eur > 0),
	source TEXT,
	PRIMARY KEY (currency, kind, date)
) WITHOUT ROWID;

-- The currency a mission reports money in, and how many days a rate may be older than the
-- value date it converts (weekends and holidays have no fixing).
CREATE TABLE mission_money (
	mission_id INTEGER PRIMARY KEY REFERENCES mission(id) ON DELETE CASCADE,
	currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
	tolerance_days INTEGER NOT NULL DEFAULT 5 CHECK (tolerance_days >= 0)
);
