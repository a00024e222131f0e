"""Statements counted ahead per procedure, status and assignee (``StatementTally``): table, triggers, first count.

PostgreSQL only; SQLite counts live. The same shape as the map's cells (reports, migration 0010): statement-level
triggers with transition tables, so a bulk status change or a ``bulk_create`` updates each tally row once.
"""

from django.db import migrations, models

CREATE = """
CREATE TABLE formal_statementtally (
    id bigserial PRIMARY KEY,
    procedure_id bigint NOT NULL,
    status varchar(20) NOT NULL,
    assignee_id bigint NOT NULL,  -- 0: nobody, so that the key has no NULL
    statements integer NOT NULL
);
CREATE UNIQUE INDEX formal_statementtally_key ON formal_statementtally (procedure_id, status, assignee_id)
    INCLUDE (statements);

-- Rows that fall to 0 stay: there are at most procedures x statuses x staff of them, and keeping them spares a
-- DELETE after every update.
CREATE FUNCTION formal_statementtally_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    source text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT procedure_id, status, assignee_id, 1 AS sign FROM new_rows'
        WHEN 'DELETE' THEN 'SELECT procedure_id, status, assignee_id, -1 AS sign FROM old_rows'
        ELSE 'SELECT procedure_id, status, assignee_id, 1 AS sign FROM new_rows
              UNION ALL SELECT procedure_id, status, assignee_id, -1 AS sign FROM old_rows'
    END;
BEGIN
    EXECUTE format($sql$
        INSERT INTO formal_statementtally AS t (procedure_id, status, assignee_id, statements)
        SELECT procedure_id, status, coalesce(assignee_id, 0), sum(sign)
        FROM (%s) AS changes
        GROUP BY 1, 2, 3
        HAVING sum(sign) <> 0
        ORDER BY 1, 2, 3  -- key order: two concurrent statements lock shared rows alike
        ON CONFLICT (procedure_id, status, assignee_id)
        DO UPDATE SET statements = t.statements + EXCLUDED.statements
    $sql$, source);
    RETURN NULL;
END $fn$;

CREATE FUNCTION formal_statementtally_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM formal_statementtally;
    RETURN NULL;
END $$;

CREATE TRIGGER formal_statementtally_insert AFTER INSERT ON formal_statement
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION formal_statementtally_apply();
CREATE TRIGGER formal_statementtally_update AFTER UPDATE ON formal_statement
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION formal_statementtally_apply();
CREATE TRIGGER formal_statementtally_delete AFTER DELETE ON formal_statement
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION formal_statementtally_apply();
-- The test database is flushed with TRUNCATE, which fires none of the above (and skips this unmanaged table).
CREATE TRIGGER formal_statementtally_truncate AFTER TRUNCATE ON formal_statement
    FOR EACH STATEMENT EXECUTE FUNCTION formal_statementtally_truncate();
"""

# Also run by `manage.py recount_statements` after a restore with triggers disabled.
FILL = """
INSERT INTO formal_statementtally (procedure_id, status, assignee_id, statements)
SELECT procedure_id, status, coalesce(assignee_id, 0), count(*) FROM formal_statement GROUP BY 1, 2, 3;
"""

DROP = """
DROP TRIGGER formal_statementtally_truncate ON formal_statement;
DROP TRIGGER formal_statementtally_delete ON formal_statement;
DROP TRIGGER formal_statementtally_update ON formal_statement;
DROP TRIGGER formal_statementtally_insert ON formal_statement;
DROP FUNCTION formal_statementtally_truncate();
DROP FUNCTION formal_statementtally_apply();
DROP TABLE formal_statementtally;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE + FILL, params=None)  # no placeholders: the %s is format()'s


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("formal", "0012_statement_login_assurance"),
    ]

    operations = [
        migrations.CreateModel(
            name="StatementTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("procedure_id", models.BigIntegerField()),
                ("status", models.CharField(max_length=20)),
                ("assignee_id", models.BigIntegerField()),
                ("statements", models.IntegerField()),
            ],
            options={"db_table": "formal_statementtally", "managed": False},
        ),
        migrations.RunPython(create, drop),
    ]
