"""The console's pages, a module per page group; each module's ``router`` is mounted by ``web.app``."""

from web.pages import admin, monitoring, needs, portfolio, sign_in, strategy

PAGE_ROUTERS = [sign_in.router, portfolio.router, needs.router, strategy.router, monitoring.router, admin.router]
