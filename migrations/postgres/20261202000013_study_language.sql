-- The study's default language (a BCP 47 tag): what pages speak to a person
-- with no saved preference whose browser names no language the product has.
-- A new database has no study row: the first admin's first change to the
-- study (`PUT /api/v1/study`) creates it.
ALTER TABLE study ADD COLUMN default_language TEXT NOT NULL DEFAULT 'en'
    CHECK (default_language IN ('en', 'zh-CN'));
