"""The content library: evidence sources, exercises, education, conditions and programme
templates (phases, slots, exit criteria, walk-run stages).

- models/          library.py (sources, exercises, topics), templates.py (conditions to slots)
- library/*.yaml   the library itself, in English and Dutch; `manage.py load_content` loads it
- loader.py        load_content: reading.py (YAML -> records), checks.py (every rule a record
                   must meet, shared with the admin), writing.py (records -> rows, atomic)
- records.py       rows -> records (export; exporting and loading again changes nothing)
- selectors.py     template_spec (rows -> engine specs), startable_templates
- admin/           the admin panel; its forms run checks.py through admin/rules.py
"""
