-- The language a person chose for the pages (a BCP 47 tag the product
-- speaks); NULL until they choose, when the browser's and then the study's
-- language apply. Changes are audited.
ALTER TABLE users ADD COLUMN language TEXT
    CHECK (language IS NULL OR language IN ('en', 'zh-CN'));
