-- What the phone shows the moment a severe or potentially serious event is
-- saved, beside the site's emergency number: the study's advice, in both
-- languages. One row; changes are audited.
CREATE TABLE emergency_advice (
    singleton   BOOLEAN NOT NULL DEFAULT TRUE UNIQUE CHECK (singleton),
    text_en     TEXT NOT NULL CHECK (length(trim(text_en)) > 0),
    text_zh     TEXT NOT NULL CHECK (length(trim(text_zh)) > 0),
    updated_at  TIMESTAMPTZ NOT NULL
);

INSERT INTO emergency_advice (text_en, text_zh, updated_at) VALUES (
    'If they are awake and can swallow, give fast sugar now (15 g, such as juice or glucose tablets) and check again in 15 minutes. If they are unconscious, having a seizure or cannot swallow, give nothing by mouth: give glucagon if you have it, call emergency services (120 in mainland China), then call the study team.',
    '如果清醒且能吞咽，请立即给予快速吸收的糖（15克，如果汁或葡萄糖片），15分钟后复测血糖。如果失去意识、抽搐或无法吞咽，请勿经口喂食：如有胰高血糖素请立即使用，拨打急救电话（中国大陆为120），然后联系研究团队。',
    '2026-11-25T00:00:00+00:00'
);
