"""The console's pages, a module per page group; each module's ``router`` is mounted by ``web.app``."""

from web.pages import (
    admin,
    admin_calendar,
    admin_people,
    admin_tokens,
    consultation,
    monitoring,
    my_calendar,
    needs,
    portfolio,
    reports,
    sign_in,
    strategy,
)

PAGE_ROUTERS = [
    sign_in.router, portfolio.router, needs.router, my_calendar.router, strategy.router, consultation.router,
    monitoring.router, reports.router, admin.router, admin_people.router, admin_tokens.router, admin_calendar.router,
]
