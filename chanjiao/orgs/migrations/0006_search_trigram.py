"""Trigram indexes for the organisation search (issue #8 point 3), PostgreSQL only.

The list search (core/filters.py SearchFilterSet) is ``col LIKE '%…%'`` OR-ed over name, short name,
USCC / school code (and initials) for a value without letter case — Chinese, digits, what users type
here — otherwise ``UPPER(col) LIKE UPPER('%…%')``: a sequential scan of every organisation. A GIN
``gin_trgm_ops`` index on each OR-ed column lets PostgreSQL answer the first with a bitmap OR of index
scans, for 3 characters or more (a trigram needs three: a 2-character query such as 科技 still scans,
cheaply without UPPER; a Latin-letter query still scans). Nothing in the models changes (plain SQL, so
no state to migrate) and SQLite has no such index: there the migration does nothing.
"""

from django.db import migrations

# (index name, column): what Django's ``contains`` lookup compares (``"col"::text LIKE``).
INDEXES = [
    ("org_name_trgm_idx", '"name"'),
    ("org_short_name_trgm_idx", '"short_name"'),
    ("org_uscc_trgm_idx", '"uscc"'),
    ("org_school_code_trgm_idx", '"school_code"'),
    ("org_initials_trgm_idx", '"initials"'),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON orgs_organisation "
                              f"USING gin ({expression} gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _expression in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0005_jurisdictions"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
