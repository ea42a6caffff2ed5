-- Seed 000's notification_templates, versioned per (tenant, name, channel, locale) rather than
-- per (tenant, name): an EMAIL and an SMS template of one name, or its French and English
-- variants, count their versions independently (docs/0007). Rows are immutable once written
-- except for is_active, so a compiled template can be cached by id forever.
CREATE TABLE notification_templates (
    id         uuid PRIMARY KEY,
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    name       text NOT NULL,
    channel    text NOT NULL CHECK (channel IN ('EMAIL', 'SMS', 'PUSH', 'WEBHOOK')),
    -- '' is the default variant, the last step of the locale fallback; NULL would defeat the
    -- unique index below.
    locale     text NOT NULL DEFAULT '',
    version    integer NOT NULL,
    subject    text,
    content    text NOT NULL,
    variables  jsonb NOT NULL DEFAULT '[]',
    html       boolean NOT NULL,
    is_active  boolean NOT NULL DEFAULT false,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name, channel, locale, version)
);
-- At most one active version per variant: intake resolves "the" active version with this index.
CREATE UNIQUE INDEX notification_templates_active ON notification_templates (tenant_id, name, channel, locale)
    WHERE is_active;

ALTER TABLE notification_templates ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_templates
    USING (tenant_id = notifly_current_tenant()) WITH CHECK (tenant_id = notifly_current_tenant());

-- 0001's GRANT ... ON ALL TABLES covered only the tables that existed then.
GRANT SELECT, INSERT, UPDATE, DELETE ON notification_templates TO notifly_tenant;
