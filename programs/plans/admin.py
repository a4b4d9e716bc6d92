"""Plans in the admin: the programme template's change page lists the open plans
generated from it, so editors know who follows a template before they change it (plans
copy their prescriptions, so an edit never changes a running plan).

The content app sits below plans and knows nothing of them; this module extends its
template admin instead of the content app reaching up.
"""

from django.contrib import admin

from programs.content.admin.templates import ProgramTemplateAdmin
from programs.content.models import ProgramTemplate
from programs.plans.selectors import plans_using_template


class ProgramTemplateWithPlansAdmin(ProgramTemplateAdmin):
    def usage_context(self, template) -> dict:
        return {**super().usage_context(template), "plans_using": plans_using_template(template)}


admin.site.unregister(ProgramTemplate)
admin.site.register(ProgramTemplate, ProgramTemplateWithPlansAdmin)
