from django.db import models


class DocumentField(models.JSONField):
    """A JSON field for large documents (plan states, decisions).

    PostgreSQL bulk inserts normally pass each column as one array (UNNEST); for big
    JSON texts the array quoting costs more than the insert itself. Declaring a
    per-value placeholder keeps these columns on the plain VALUES path.
    """

    def get_placeholder(self, value, compiler, connection):
        return "%s"
