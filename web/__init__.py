"""The web console: server-rendered pages for the people who keep strategies in force.

A thin adapter like ``api``: pages parse a form or a query, authorize with the same ``Principal``
rules, call the domain's services and render a Jinja template in the viewer's language (``i18n``).
Everything a page loads is served from ``/console/static``; nothing comes from another host.
"""

from web.app import PREFIX, create_console

__all__ = ["PREFIX", "create_console"]
