"""ID-01: usernames are unique regardless of case (``alice`` and ``Alice`` cannot both exist)."""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Lower


def refuse_case_duplicates(apps, schema_editor):
    # A constraint over existing duplicates would fail with a bare IntegrityError; name them instead,
    # so the operator can rename one account of each pair before migrating again.
    User = apps.get_model("accounts", "User")
    clashes = list(
        User.objects.using(schema_editor.connection.alias).annotate(key=Lower("username"))
        .values("key").annotate(n=Count("id")).filter(n__gt=1).values_list("key", flat=True)
    )
    if clashes:
        names = sorted(
            User.objects.annotate(key=Lower("username")).filter(key__in=clashes).values_list("username", flat=True)
        )
        raise RuntimeError(
            "Usernames that differ only by case must be renamed before this migration "
            f"(ID-01): {', '.join(names)}"
        )


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(refuse_case_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("username"), name="user_username_ci_unique",
                violation_error_message="该用户名已被使用（用户名不区分大小写）。",
            ),
        ),
    ]
