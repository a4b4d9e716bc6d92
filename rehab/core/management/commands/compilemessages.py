"""compilemessages that also works without GNU gettext installed.

Django's own command needs `msgfmt`. A newcomer's machine may have only Python, so
when msgfmt is missing the .po files are compiled with Babel instead.
"""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.commands.compilemessages import Command as DjangoCommand


class Command(DjangoCommand):
    def handle(self, **options):
        if shutil.which("msgfmt"):
            return super().handle(**options)
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for locale_dir in settings.LOCALE_PATHS:
            for po_path in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
                with po_path.open("rb") as po_file:
                    catalog = read_po(po_file)
                with po_path.with_suffix(".mo").open("wb") as mo_file:
                    write_mo(mo_file, catalog, use_fuzzy=False)
                self.stdout.write(f"processing file {po_path.name} in {po_path.parent}")
        return None
