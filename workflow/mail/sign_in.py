"""The sign-in email: a one-time link, in the person's language (text + HTML)."""

from __future__ import annotations

from workflow.mail.context import LANGUAGES
from workflow.mail.rendering import RenderedMail, template_environment


def render_sign_in(
    language: str, *, recipient_name: str, institution: str | None, url: str, minutes: int
) -> RenderedMail:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    if not url.startswith(("http://", "https://")):
        raise ValueError("the sign-in link must be an http(s) URL")
    environment = template_environment()
    variables = {
        "lang": language, "recipient_name": recipient_name, "institution": institution, "app_url": url,
        "minutes": minutes,
    }
    subject = environment.get_template(f"{language}/sign_in.subject.txt").render(variables).strip()
    variables["subject"] = subject
    text = environment.get_template(f"{language}/sign_in.txt").render(variables)
    html = environment.get_template(f"{language}/sign_in.html").render(variables)
    return RenderedMail(subject=subject, text=text.strip() + "\n", html=html.strip() + "\n")
